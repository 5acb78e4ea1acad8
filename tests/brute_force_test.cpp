// Checks the reference itself, and through it the rank-sum identity, against SPEC.md's definition
// applied literally: for tiny n, enumerate every ranking consistent with the scores (every order
// inside every tie group), build recall and ideal curves, take trapz(recall) / trapz(ideal) for
// each ranking and average them, all in exact integer arithmetic. No rank sums involved.
#include "kernel_checks.hpp"

#include <algorithm>
#include <numeric>

namespace {

using namespace kernel_checks;
using reference::Fraction;
using reference::i128;

struct Items {
    std::vector<std::int64_t> labels;
    std::vector<double> scores;
};

// trapz with unit spacing, doubled so that it stays an integer: v[0] + 2 v[1] + ... + 2 v[n-2] + v[n-1].
i128 twice_trapz(const std::vector<i128>& v) {
    const std::size_t n = v.size();
    if (n < 2) return 0;
    i128 area = v.front() + v.back();
    for (std::size_t i = 1; i + 1 < n; ++i) area += 2 * v[i];
    return area;
}

// SPEC.md steps 2-4 for one ranking (item indices, best first), scaled by 2P so every value is an
// integer: P * recall[i] = positives in ranks 0..i, P * ideal[i] = min(P, i + 1).
struct Areas {
    i128 recall;  // 2P * trapz(recall)
    i128 ideal;   // 2P * trapz(ideal)
};
// With a cutoff, only the first m ranks make the curves (SPEC.md "Cutoff K"); P still counts all.
Areas areas_of(const Items& items, const std::vector<std::size_t>& ranking, std::size_t m) {
    const std::size_t n = m;
    i128 positives = 0;
    for (auto l : items.labels) positives += l;
    std::vector<i128> hits(n), ideal(n);
    i128 running = 0;
    for (std::size_t i = 0; i < n; ++i) {
        running += items.labels[ranking[i]];
        hits[i] = running;
        ideal[i] = std::min<i128>(positives, static_cast<i128>(i + 1));
    }
    return {twice_trapz(hits), twice_trapz(ideal)};
}

std::size_t cut(const Items& items, std::uint64_t k) {
    return k == 0 ? items.scores.size() : static_cast<std::size_t>(std::min<std::uint64_t>(k, items.scores.size()));
}

bool undefined(const Items& items, std::uint64_t k = 0) {
    return cut(items, k) < 2 ||
           std::none_of(items.labels.begin(), items.labels.end(), [](auto l) { return l != 0; });
}

// `average`: the mean over every consistent ranking, by enumeration. Every permutation of every
// tie group (not just distinct label patterns), so each ranking has exactly the weight SPEC.md says.
Fraction brute_force_average(const Items& items, std::uint64_t* rankings_seen = nullptr, std::uint64_t k = 0) {
    if (undefined(items, k)) return {};
    const std::size_t n = items.scores.size();
    std::vector<std::size_t> ranking(n);
    std::iota(ranking.begin(), ranking.end(), std::size_t{0});
    std::sort(ranking.begin(), ranking.end(), [&](std::size_t a, std::size_t b) {
        return items.scores[a] > items.scores[b] || (items.scores[a] == items.scores[b] && a < b);
    });
    std::vector<std::pair<std::size_t, std::size_t>> groups;  // [first, last) in `ranking`
    for (std::size_t a = 0; a < n;) {
        std::size_t b = a + 1;
        while (b < n && items.scores[ranking[b]] == items.scores[ranking[a]]) ++b;
        groups.emplace_back(a, b);
        a = b;
    }
    i128 recall_sum = 0, ideal = 0;
    std::uint64_t count = 0;
    // Odometer over the groups: each group cycles through its sorted-index permutations.
    while (true) {
        const Areas a = areas_of(items, ranking, cut(items, k));
        recall_sum += a.recall;
        ideal = a.ideal;  // the same for every ranking
        ++count;
        std::size_t g = 0;
        for (; g < groups.size(); ++g) {
            auto first = ranking.begin() + static_cast<std::ptrdiff_t>(groups[g].first);
            auto last = ranking.begin() + static_cast<std::ptrdiff_t>(groups[g].second);
            if (std::next_permutation(first, last)) break;  // wrapped groups are back to sorted
        }
        if (g == groups.size()) break;
    }
    if (rankings_seen) *rankings_seen = count;
    if (ideal == 0) return {};
    return {recall_sum, ideal * static_cast<i128>(count)};
}

// `stable`: the single ranking numpy.argsort(-scores, kind="stable") gives, built by insertion
// (an item goes after every earlier item with a score >= its own).
Fraction brute_force_stable(const Items& items, std::uint64_t k = 0) {
    if (undefined(items, k)) return {};
    std::vector<std::size_t> ranking;
    for (std::size_t i = 0; i < items.scores.size(); ++i) {
        auto position = ranking.begin();
        while (position != ranking.end() && items.scores[*position] >= items.scores[i]) ++position;
        ranking.insert(position, i);
    }
    const Areas a = areas_of(items, ranking, cut(items, k));
    if (a.ideal == 0) return {};
    return {a.recall, a.ideal};
}

::testing::AssertionResult same_fraction(const Fraction& brute, const Fraction& ref, const Items& items,
                                         Ties ties) {
    const bool brute_nan = brute.den == 0, ref_nan = ref.den == 0;
    if (brute_nan && ref_nan) return ::testing::AssertionSuccess();
    if (!brute_nan && !ref_nan && brute.num * ref.den == ref.num * brute.den) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure();
    failure << "ties=" << aucrecall::to_string(ties) << " labels=[";
    for (auto l : items.labels) failure << l << ' ';
    failure << "] scores=[";
    for (auto s : items.scores) failure << s << ' ';
    failure << "]: brute force " << static_cast<double>(brute.num) << "/" << static_cast<double>(brute.den)
            << ", reference " << static_cast<double>(ref.num) << "/" << static_cast<double>(ref.den);
    return failure;
}

void expect_reference_matches_brute_force(const Items& items) {
    const std::span<const std::int64_t> labels(items.labels);
    const std::span<const double> scores(items.scores);
    EXPECT_TRUE(same_fraction(brute_force_average(items), reference::exact(labels, scores, Ties::average), items,
                              Ties::average));
    EXPECT_TRUE(same_fraction(brute_force_stable(items), reference::exact(labels, scores, Ties::stable), items,
                              Ties::stable));
}

// Score "digits" 0..2 stand for a signed zero (sign alternating by index, so -0.0 and 0.0 tie),
// 0.5 and +inf: few values, so ties are everywhere.
double score_of_digit(int digit, std::size_t index) {
    switch (digit) {
        case 0: return index % 2 ? -0.0 : 0.0;
        case 1: return 0.5;
        default: return std::numeric_limits<double>::infinity();
    }
}

// Calls fn(items) for every labelling and every score pattern over 3 values, n = 0..max_n.
template <class Fn>
void for_every_tiny_input(std::size_t max_n, Fn&& fn) {
    for (std::size_t n = 0; n <= max_n; ++n) {
        std::size_t patterns = 1;
        for (std::size_t i = 0; i < n; ++i) patterns *= 3;
        for (std::size_t label_bits = 0; label_bits < (std::size_t{1} << n); ++label_bits)
            for (std::size_t pattern = 0; pattern < patterns; ++pattern) {
                Items items;
                std::size_t digits = pattern;
                for (std::size_t i = 0; i < n; ++i, digits /= 3) {
                    items.labels.push_back(static_cast<std::int64_t>((label_bits >> i) & 1));
                    items.scores.push_back(score_of_digit(static_cast<int>(digits % 3), i));
                }
                fn(items);
            }
    }
}

TEST(BruteForce, EnumerationVisitsEveryRankingOnce) {
    // 3 tied + 2 tied + 1 alone: 3! * 2! * 1! rankings.
    const Items items{{1, 0, 1, 0, 0, 1}, {0.5, 0.5, 0.5, 0.25, 0.25, 0.0}};
    std::uint64_t seen = 0;
    (void)brute_force_average(items, &seen);
    EXPECT_EQ(seen, 12u);
}

TEST(BruteForce, StudyExampleIsPointEight) {
    const Items items{{1, 0, 1, 1, 0}, {0.9, 0.8, 0.7, 0.6, 0.5}};
    const Fraction f = brute_force_average(items);
    EXPECT_EQ(reference::to_double(f), 0.8);
    EXPECT_EQ(reference::to_double(brute_force_stable(items)), 0.8);
}

TEST(BruteForce, ReferenceMatchesEveryInputUpToFiveItems) {
    for_every_tiny_input(5, [](const Items& items) { expect_reference_matches_brute_force(items); });
}

TEST(BruteForce, ReferenceMatchesRandomHeavyTiesUpToSevenItems) {
    aucrecall::data::Rng rng(aucrecall::data::default_seed);
    for (int trial = 0; trial < 3000; ++trial) {
        Items items;
        const std::size_t n = 6 + static_cast<std::size_t>(rng.below(2));
        const std::uint64_t distinct = 1 + rng.below(4);  // 1..4 score values: many ties
        for (std::size_t i = 0; i < n; ++i) {
            items.labels.push_back(static_cast<std::int64_t>(rng.below(2)));
            items.scores.push_back(static_cast<double>(rng.below(distinct)) / 4);
        }
        expect_reference_matches_brute_force(items);
        if (HasFailure()) return;
    }
}

// The kernels against the definition directly (not only via the reference), on every tiny input.
TEST(BruteForce, EveryKernelMatchesEveryInputUpToFiveItems) {
    for (const Kernel& k : aucrecall::kernels()) {
        int failures = 0;
        for_every_tiny_input(5, [&](const Items& items) {
            if (failures >= 10) return;
            const auto input = aucrecall::make_input(std::span<const std::int64_t>(items.labels),
                                                     std::span<const double>(items.scores));
            const std::pair<Ties, Fraction> expectations[] = {{Ties::average, brute_force_average(items)},
                                                              {Ties::stable, brute_force_stable(items)}};
            for (const auto& [ties, expected] : expectations) {
                const auto result = agrees(k, k.run(input, ties), reference::to_double(expected),
                                           Case{.kernel = k.name, .ties = ties, .labels = "i64", .scores = "f64",
                                                .dist = "tiny exhaustive", .n = items.labels.size(),
                                                .note = "vs brute force"});
                EXPECT_TRUE(result);
                failures += !result;
            }
        });
    }
}

// ---- cutoff K --------------------------------------------------------------------------------

void expect_cutoff_reference_matches_brute_force(const Items& items) {
    const std::span<const std::int64_t> labels(items.labels);
    const std::span<const double> scores(items.scores);
    for (std::uint64_t k = 1; k <= items.scores.size() + 1; ++k) {
        EXPECT_TRUE(same_fraction(brute_force_average(items, nullptr, k),
                                  reference::exact_at(labels, scores, Ties::average, k), items, Ties::average))
            << "k=" << k;
        EXPECT_TRUE(same_fraction(brute_force_stable(items, k), reference::exact_at(labels, scores, Ties::stable, k),
                                  items, Ties::stable))
            << "k=" << k;
    }
}

TEST(BruteForceCutoff, SpecWorkedExamples) {
    const Items items{{1, 0, 1, 1, 0}, {0.9, 0.8, 0.7, 0.6, 0.5}};
    EXPECT_EQ(reference::to_double(brute_force_stable(items, 3)), 5.0 / 8);
    EXPECT_EQ(reference::to_double(brute_force_stable(items, 2)), 2.0 / 3);
    EXPECT_EQ(reference::to_double(brute_force_stable(items, 5)), 0.8);
    EXPECT_EQ(reference::to_double(brute_force_average(items, nullptr, 3)), 5.0 / 8);
    EXPECT_TRUE(std::isnan(reference::to_double(brute_force_stable(items, 1))));
}

TEST(BruteForceCutoff, ReferenceMatchesEveryInputAndCutoffUpToFiveItems) {
    for_every_tiny_input(5, [](const Items& items) { expect_cutoff_reference_matches_brute_force(items); });
}

TEST(BruteForceCutoff, ReferenceMatchesRandomHeavyTiesUpToSevenItems) {
    aucrecall::data::Rng rng(aucrecall::data::default_seed + 7);
    for (int trial = 0; trial < 1500; ++trial) {
        Items items;
        const std::size_t n = 6 + static_cast<std::size_t>(rng.below(2));
        const std::uint64_t distinct = 1 + rng.below(4);
        for (std::size_t i = 0; i < n; ++i) {
            items.labels.push_back(static_cast<std::int64_t>(rng.below(2)));
            items.scores.push_back(static_cast<double>(rng.below(distinct)) / 4);
        }
        expect_cutoff_reference_matches_brute_force(items);
        if (HasFailure()) return;
    }
}

// Every kernel's own cutoff path, and the library's default one, against the definition.
TEST(BruteForceCutoff, EveryKernelAndTheDefaultMatchEveryInputUpToFiveItems) {
    int failures = 0;
    for_every_tiny_input(5, [&](const Items& items) {
        if (failures >= 10) return;
        const auto input = aucrecall::make_input(std::span<const std::int64_t>(items.labels),
                                                 std::span<const double>(items.scores));
        for (std::uint64_t k = 1; k <= items.scores.size() + 1; ++k) {
            const std::pair<Ties, Fraction> expectations[] = {{Ties::average, brute_force_average(items, nullptr, k)},
                                                              {Ties::stable, brute_force_stable(items, k)}};
            for (const auto& [ties, expected] : expectations) {
                const double want = reference::to_double(expected);
                for (const Kernel& kern : aucrecall::kernels()) {
                    const auto result = agrees(kern, kern.run_at(input, ties, k), want,
                                               Case{.kernel = kern.name, .ties = ties, .labels = "i64", .scores = "f64",
                                                    .dist = "tiny exhaustive", .n = items.labels.size(),
                                                    .note = "cutoff k=" + std::to_string(k)});
                    EXPECT_TRUE(result);
                    failures += !result;
                }
                const double by_default = aucrecall::compute(input, {.ties = ties, .k = k});
                EXPECT_TRUE(std::isnan(want) ? std::isnan(by_default) : by_default == want)
                    << "default path k=" << k << " got " << by_default << " want " << want;
                failures += HasFailure();
            }
        }
    });
}

}  // namespace
