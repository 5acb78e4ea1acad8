// Cutoff K, ranked lists and groups (SPEC.md "Cutoff K", "Ranked input", "Groups"): every kernel's
// cutoff path, the library's default one, the ranked scan and the grouped evaluation against
// the exact reference (tests/reference.hpp), which shares no code with them.
#include "evaluation/groups.hpp"
#include "kernel_checks.hpp"
#include "runtime/testing_hooks.hpp"
#include "scoped_env.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <numeric>
#include <unordered_map>

namespace {

using namespace kernel_checks;
using aucrecall::data::Dist;
using aucrecall::data::Positives;

template <class T>
std::span<const T> view(const std::vector<T>& v) {
    return {v.data(), v.size()};
}

// Cutoffs worth testing for n items: tiny, around tie groups, the heap/nth_element switch, n.
std::vector<std::uint64_t> cutoffs_for(std::size_t n) {
    std::vector<std::uint64_t> ks = {1, 2, 3, 5, 10, 100, n / 64, n / 64 + 1, n / 3, n - 1, n, n + 1};
    std::erase_if(ks, [](std::uint64_t k) { return k == 0; });
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    return ks;
}

// ---- cutoff ------------------------------------------------------------------------------------

TEST(Cutoff, SpecWorkedExamples) {
    const std::vector<std::int64_t> labels = {1, 0, 1, 1, 0};
    const std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
    for (Ties ties : all_ties) {
        EXPECT_EQ(aucrecall::auc_recall(labels, scores, {.ties = ties, .k = 3}), 5.0 / 8);
        EXPECT_EQ(aucrecall::auc_recall(labels, scores, {.ties = ties, .k = 2}), 2.0 / 3);
        EXPECT_EQ(aucrecall::auc_recall(labels, scores, {.ties = ties, .k = 5}), 0.8);
        EXPECT_EQ(aucrecall::auc_recall(labels, scores, {.ties = ties, .k = 50}), 0.8);
        EXPECT_TRUE(std::isnan(aucrecall::auc_recall(labels, scores, {.ties = ties, .k = 1})));
        for (const Kernel& kern : aucrecall::kernels()) {
            const auto input = aucrecall::make_input(view(labels), view(scores));
            const Case c{.kernel = kern.name, .ties = ties, .n = 5, .note = "SPEC example"};
            EXPECT_TRUE(agrees(kern, kern.run_at(input, ties, 3), 5.0 / 8, c));
            EXPECT_TRUE(agrees(kern, kern.run_at(input, ties, 2), 2.0 / 3, c));
            EXPECT_TRUE(agrees(kern, kern.run_at(input, ties, 0), 0.8, c));
        }
    }
}

// A tie group straddling the cutoff: only its share inside K counts (average), or its first
// items in input order (stable).
TEST(Cutoff, TieGroupAcrossTheCutoff) {
    const std::vector<std::int64_t> labels = {0, 1, 1, 0, 0, 1, 0};
    const std::vector<double> scores = {0.9, 0.5, 0.5, 0.5, 0.5, 0.1, 0.5};
    for (Ties ties : all_ties)
        for (std::uint64_t k = 1; k <= labels.size(); ++k) {
            const double want = reference::metric_at(view(labels), view(scores), ties, k);
            for (const Kernel& kern : aucrecall::kernels())
                EXPECT_TRUE(agrees(kern, kern.run_at(aucrecall::make_input(view(labels), view(scores)), ties, k), want,
                                   Case{.kernel = kern.name, .ties = ties, .n = labels.size(),
                                        .note = "k=" + std::to_string(k)}));
        }
}

template <class Label, class Score>
void check_every_kernel_at_cutoffs(std::size_t n, Dist dist, Positives positives, std::uint64_t seed) {
    const auto d = aucrecall::data::generate<Label, Score>(n, dist, seed, positives);
    const auto input = aucrecall::make_input(d.labels(), d.scores());
    for (std::uint64_t k : cutoffs_for(n))
        for (Ties ties : all_ties) {
            const double want = reference::metric_at(d.labels(), d.scores(), ties, k);
            const Case c{.ties = ties, .labels = type_name<Label>(), .scores = type_name<Score>(),
                         .dist = aucrecall::data::name(dist), .positives = aucrecall::data::name(positives), .n = n,
                         .seed = seed, .note = "k=" + std::to_string(k)};
            for (const Kernel& kern : aucrecall::kernels()) {
                if (n > test_size_limit(kern)) continue;
                Case kc = c;
                kc.kernel = kern.name;
                EXPECT_TRUE(agrees(kern, kern.run_at(input, ties, k), want, kc));
            }
            const double by_default = aucrecall::compute(input, {.ties = ties, .k = k});
            EXPECT_TRUE(agrees(*aucrecall::find_kernel("radix_rank"), by_default, want, c)) << "default path";
        }
}

TEST(Cutoff, EveryKernelEveryDistributionAgainstTheReference) {
    std::uint64_t seed = aucrecall::data::default_seed;
    for (Dist dist : aucrecall::data::all_dists)
        for (std::size_t n : {7u, 40u, 300u, 2000u}) {
            check_every_kernel_at_cutoffs<std::int64_t, double>(n, dist, Positives::half, ++seed);
            check_every_kernel_at_cutoffs<std::uint8_t, float>(n, dist, Positives::rare, ++seed);
            if (HasFailure()) return;
        }
}

TEST(Cutoff, EveryTypeCombination) {
    for (LabelType l : all_label_types)
        for (ScoreType s : all_score_types)
            with_types(l, s, [](auto label, auto score) {
                using Label = typename decltype(label)::type;
                using Score = typename decltype(score)::type;
                check_every_kernel_at_cutoffs<Label, Score>(500, Dist::small_ints, Positives::half, 11);
            });
}

// Large n: the heap selection (K*64 <= n), nth_element beyond it, straddling ties at both.
TEST(Cutoff, SelectionPathsAtLargeN) {
    for (Dist dist : {Dist::uniform, Dist::heavy_ties, Dist::small_ints, Dist::with_infinities}) {
        const std::size_t n = 100000;
        const auto d = aucrecall::data::generate<std::int64_t, double>(n, dist, 3);
        const auto input = aucrecall::make_input(d.labels(), d.scores());
        for (std::uint64_t k : {2u, 100u, 1562u, 1563u, 50000u, 99999u})
            for (Ties ties : all_ties) {
                const double want = reference::metric_at(d.labels(), d.scores(), ties, k);
                for (const char* name : {"fused", "keysort", "radix_rank", "radix_rank_mt", "simd_scan"}) {
                    const Kernel& kern = kernel_named(name);
                    EXPECT_TRUE(agrees(kern, kern.run_at(input, ties, k), want,
                                       Case{.kernel = name, .ties = ties, .dist = aucrecall::data::name(dist), .n = n,
                                            .note = "k=" + std::to_string(k)}));
                }
                EXPECT_EQ(aucrecall::compute(input, {.ties = ties, .k = k}), want)
                    << aucrecall::data::name(dist) << " k=" << k;
            }
    }
}

// The library's fused one-pass path (k * 64 <= n): heavy ties around the cutoff, every policy,
// small inputs where the heap's tie bookkeeping is exercised hardest.
TEST(Cutoff, FusedSelectionPathAgainstTheReference) {
    aucrecall::data::Rng rng(123);
    for (int trial = 0; trial < 400; ++trial) {
        const std::size_t n = 64 + static_cast<std::size_t>(rng.below(400));
        const std::uint64_t distinct = 1 + rng.below(trial % 2 ? 4 : 400);
        std::vector<std::int32_t> labels(n);
        std::vector<float> scores(n);
        for (std::size_t i = 0; i < n; ++i) {
            labels[i] = static_cast<std::int32_t>(rng.below(4) == 0);
            scores[i] = static_cast<float>(rng.below(distinct));
        }
        for (std::uint64_t k = 1; k * 64 <= n; ++k)
            for (Ties ties : all_ties) {
                const double want = reference::metric_at(view(labels), view(scores), ties, k);
                const double got = aucrecall::auc_recall(labels, scores, {.ties = ties, .k = k});
                ASSERT_TRUE(std::isnan(want) ? std::isnan(got) : got == want)
                    << "n=" << n << " distinct=" << distinct << " k=" << k << " ties=" << aucrecall::to_string(ties)
                    << " got " << got << " want " << want;
            }
    }
}

TEST(Cutoff, BadInputIsRejectedOnEveryPathWithItsIndex) {
    for (std::size_t n : {100u, 1000u})
        for (std::uint64_t k : {1u, 3u, 100u})
            for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
                std::vector<std::int64_t> labels(n, 0);
                std::vector<double> scores(n, 0.5);
                labels[at] = 2;
                try {
                    (void)aucrecall::auc_recall(labels, scores, {.k = k});
                    ADD_FAILURE() << "no error";
                } catch (const aucrecall::InvalidInput& e) {
                    EXPECT_EQ(e.index(), at);
                }
                labels[at] = 1;
                scores[at] = std::nan("");
                try {
                    (void)aucrecall::auc_recall(labels, scores, {.k = k});
                    ADD_FAILURE() << "no error";
                } catch (const aucrecall::InvalidInput& e) {
                    EXPECT_EQ(e.index(), at);
                    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos);
                }
            }
}

TEST(Cutoff, CutoffAtOrBeyondNIsTheFullMetricBitForBit) {
    const auto d = aucrecall::data::generate<std::int64_t, double>(1000, Dist::heavy_ties, 5);
    const auto input = aucrecall::make_input(d.labels(), d.scores());
    for (Ties ties : all_ties) {
        const double full = aucrecall::compute(input, {.ties = ties});
        EXPECT_EQ(aucrecall::compute(input, {.ties = ties, .k = 1000}), full);
        EXPECT_EQ(aucrecall::compute(input, {.ties = ties, .k = ~std::uint64_t{0}}), full);
    }
}

// ---- ranked input ------------------------------------------------------------------------------

TEST(Ranked, SpecWorkedExamples) {
    const std::vector<std::int64_t> labels = {1, 0, 1, 1, 0};
    EXPECT_EQ(aucrecall::auc_recall_ranked(labels), 0.8);
    EXPECT_EQ(aucrecall::auc_recall_ranked(labels, 3), 5.0 / 8);
    EXPECT_EQ(aucrecall::auc_recall_ranked(labels, 2), 2.0 / 3);
    EXPECT_TRUE(std::isnan(aucrecall::auc_recall_ranked(labels, 1)));
    EXPECT_TRUE(std::isnan(aucrecall::auc_recall_ranked(std::vector<std::int64_t>{})));
    EXPECT_TRUE(std::isnan(aucrecall::auc_recall_ranked(std::vector<std::int64_t>{1})));
    EXPECT_TRUE(std::isnan(aucrecall::auc_recall_ranked(std::vector<std::int64_t>{0, 0, 0})));
}

template <class Label>
void check_ranked(std::size_t n, std::uint64_t seed, Positives positives) {
    const auto d = aucrecall::data::generate<Label, double>(n, Dist::uniform, seed, positives);
    std::vector<double> descending(n);
    for (std::size_t i = 0; i < n; ++i) descending[i] = static_cast<double>(n - i);
    for (std::uint64_t k : cutoffs_for(std::max<std::size_t>(n, 2))) {
        const double want = reference::to_double(reference::exact_ranked(d.labels(), k));
        const double got = aucrecall::compute_ranked({d.labels().data(), n, aucrecall::label_type_of<Label>()}, k);
        EXPECT_EQ(std::isnan(got), std::isnan(want)) << "n=" << n << " k=" << k;
        if (!std::isnan(want)) {
            EXPECT_EQ(got, want) << type_name<Label>() << " n=" << n << " k=" << k;
            // SPEC: the same as the scored metric with scores n-1..0
            EXPECT_EQ(aucrecall::compute(aucrecall::make_input(d.labels(), view(descending)), {.k = k}), want);
        }
    }
}

TEST(Ranked, AgainstTheReferenceEveryLabelType) {
    for (std::size_t n : {0u, 1u, 2u, 3u, 17u, 1000u, 70000u, 200000u}) {
        check_ranked<bool>(n, n + 1, Positives::half);
        check_ranked<std::uint8_t>(n, n + 2, Positives::rare);
        check_ranked<std::int32_t>(n, n + 3, Positives::one);
        check_ranked<std::int64_t>(n, n + 4, Positives::half);
    }
}

TEST(Ranked, BadLabelNamesItsIndexWhereverItIs) {
    for (std::size_t at : {0u, 5u, 99u, 150u}) {
        std::vector<std::int32_t> labels(200, 0);
        labels[at] = -1;
        try {
            (void)aucrecall::auc_recall_ranked(labels, 100);
            ADD_FAILURE() << "no error";
        } catch (const aucrecall::InvalidInput& e) {
            EXPECT_EQ(e.index(), at);
            EXPECT_NE(std::string(e.what()).find("index " + std::to_string(at) + " is -1"), std::string::npos)
                << e.what();
        }
    }
}

// ---- groups ------------------------------------------------------------------------------------

// The reference for groups: split by key (first appearance order) and evaluate each group's
// items, in input order, with the exact reference.
struct ExpectedGroups {
    std::vector<std::int64_t> keys;
    std::vector<double> values;
    std::vector<std::uint64_t> n, positives;
};
template <class Key>
ExpectedGroups expected_groups(const std::vector<std::int64_t>& labels, const std::vector<double>* scores,
                               const std::vector<Key>& keys, Ties ties, std::uint64_t k) {
    std::map<Key, std::size_t> position;
    ExpectedGroups out;
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto [it, fresh] = position.emplace(keys[i], members.size());
        if (fresh) {
            members.emplace_back();
            out.keys.push_back(static_cast<std::int64_t>(keys[i]));
        }
        members[it->second].push_back(i);
    }
    for (const auto& items : members) {
        std::vector<std::int64_t> l;
        std::vector<double> s;
        for (std::size_t i : items) {
            l.push_back(labels[i]);
            s.push_back(scores ? (*scores)[i] : -static_cast<double>(s.size()));
        }
        out.values.push_back(scores ? reference::metric_at(view(l), view(s), ties, k)
                                    : reference::to_double(reference::exact_ranked(view(l), k)));
        out.n.push_back(items.size());
        out.positives.push_back(static_cast<std::uint64_t>(std::count(l.begin(), l.end(), 1)));
    }
    return out;
}

struct GroupedData {
    std::vector<std::int64_t> labels;
    std::vector<double> scores;
    std::vector<std::int64_t> keys;
};

// Groups of random sizes (1..max_size) with huge, negative, sparse keys; shuffled or contiguous.
GroupedData grouped_data(std::size_t groups, std::size_t max_size, bool contiguous, std::uint64_t seed) {
    aucrecall::data::Rng rng(seed);
    GroupedData d;
    for (std::size_t g = 0; g < groups; ++g) {
        const std::int64_t key = static_cast<std::int64_t>(rng.next()) % 1000000000000000000LL;  // up to 10^18, signed
        const std::size_t size = 1 + static_cast<std::size_t>(rng.below(max_size));
        const std::uint64_t distinct = 1 + rng.below(6);
        for (std::size_t i = 0; i < size; ++i) {
            d.keys.push_back(key);
            d.labels.push_back(static_cast<std::int64_t>(rng.below(3) == 0));
            d.scores.push_back(static_cast<double>(rng.below(distinct)) / 8);
        }
    }
    if (!contiguous)
        for (std::size_t i = d.keys.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(rng.below(i));
            std::swap(d.keys[i - 1], d.keys[j]);
            std::swap(d.labels[i - 1], d.labels[j]);
            std::swap(d.scores[i - 1], d.scores[j]);
        }
    return d;
}

void expect_groups(const aucrecall::GroupedResult<std::int64_t>& got, const ExpectedGroups& want,
                   const std::string& what) {
    ASSERT_EQ(got.groups, want.keys) << what;
    ASSERT_EQ(got.n, want.n) << what;
    ASSERT_EQ(got.positives, want.positives) << what;
    ASSERT_EQ(got.values.size(), want.values.size()) << what;
    for (std::size_t g = 0; g < want.values.size(); ++g) {
        if (std::isnan(want.values[g])) EXPECT_TRUE(std::isnan(got.values[g])) << what << " group " << g;
        else EXPECT_EQ(got.values[g], want.values[g]) << what << " group " << g;
    }
}

TEST(Groups, EveryGroupMatchesTheReference) {
    for (bool contiguous : {true, false})
        for (std::uint64_t k : {0u, 1u, 2u, 3u, 10u}) {
            const GroupedData d = grouped_data(300, 40, contiguous, 17 + k);
            for (Ties ties : all_ties) {
                const auto want = expected_groups(d.labels, &d.scores, d.keys, ties, k);
                const auto got = aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys, {.ties = ties, .k = k});
                expect_groups(got, want, "scored contiguous=" + std::to_string(contiguous) + " k=" + std::to_string(k));
                const auto want_ranked = expected_groups(d.labels, nullptr, d.keys, ties, k);
                const auto ranked = aucrecall::auc_recall_grouped_ranked(d.labels, d.keys, {.k = k});
                expect_groups(ranked, want_ranked, "ranked k=" + std::to_string(k));
                if (HasFailure()) return;
            }
        }
}

TEST(Groups, MeanCountsAndUndefinedPolicies) {
    // group 5: defined (0.8); group -2: no positive; group 10^18: one item (fewer than 2 ranks).
    const std::vector<std::int64_t> labels = {1, 0, 0, 1, 1, 0, 0, 1};
    const std::vector<double> scores = {0.9, 0.8, 0.3, 0.7, 0.6, 0.5, 0.1, 0.2};
    const std::vector<std::int64_t> keys = {5, 5, -2, 5, 5, 5, -2, 1000000000000000000LL};
    const auto skip = aucrecall::auc_recall_grouped(labels, scores, keys);
    EXPECT_EQ(skip.groups, (std::vector<std::int64_t>{5, -2, 1000000000000000000LL}));
    EXPECT_EQ(skip.values[0], 0.8);
    EXPECT_TRUE(std::isnan(skip.values[1]) && std::isnan(skip.values[2]));
    EXPECT_EQ(skip.mean, 0.8);
    EXPECT_EQ(skip.counted, 1u);
    EXPECT_EQ(skip.skipped, 2u);
    EXPECT_EQ(skip.n, (std::vector<std::uint64_t>{5, 2, 1}));
    EXPECT_EQ(skip.positives, (std::vector<std::uint64_t>{3, 0, 1}));

    const auto zero = aucrecall::auc_recall_grouped(labels, scores, keys, {.undefined = aucrecall::Undefined::zero});
    EXPECT_EQ(zero.values, (std::vector<double>{0.8, 0.0, 0.0}));
    EXPECT_EQ(zero.mean, 0.8 / 3);
    EXPECT_EQ(zero.counted, 3u);
    EXPECT_EQ(zero.skipped, 0u);

    try {
        (void)aucrecall::auc_recall_grouped(labels, scores, keys, {.undefined = aucrecall::Undefined::error});
        ADD_FAILURE() << "no error";
    } catch (const aucrecall::UndefinedGroup& e) {
        EXPECT_EQ(e.index(), 2u);  // first item of group -2
        EXPECT_EQ(e.group(), 1u);
        EXPECT_STREQ(e.what(), "group -2 is undefined (no positive item)");
    }
    // every group undefined: the mean is NaN
    const auto none = aucrecall::auc_recall_grouped(labels, scores, keys, {.k = 1});
    EXPECT_TRUE(std::isnan(none.mean));
    EXPECT_EQ(none.counted, 0u);
    EXPECT_EQ(none.skipped, 3u);
    // no items at all
    const auto empty = aucrecall::auc_recall_grouped(std::vector<std::int64_t>{}, std::vector<double>{},
                                                     std::vector<std::int64_t>{});
    EXPECT_TRUE(empty.groups.empty());
    EXPECT_TRUE(std::isnan(empty.mean));
}

TEST(Groups, ThreadCountNeverChangesTheBits) {
    const GroupedData d = grouped_data(20000, 30, false, 99);
    for (Ties ties : all_ties) {
        const auto one = aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys, {.ties = ties, .k = 7, .threads = 1});
        for (unsigned threads : {2u, 3u, 8u}) {
            const auto many =
                aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys, {.ties = ties, .k = 7, .threads = threads});
            ASSERT_EQ(many.groups, one.groups);
            for (std::size_t g = 0; g < one.values.size(); ++g)
                ASSERT_EQ(std::bit_cast<std::uint64_t>(many.values[g]), std::bit_cast<std::uint64_t>(one.values[g]));
            EXPECT_EQ(std::bit_cast<std::uint64_t>(many.mean), std::bit_cast<std::uint64_t>(one.mean));
        }
    }
}

// The layout is hashed in chunks, one per thread, and merged: runs cut by a chunk boundary, a key
// that returns exactly at a chunk's first item (after other keys, or after itself ending the
// previous chunk), chunks of one run, more threads than items. Every thread count must give the
// reference's groups, in order of first appearance, and the same values.
TEST(Groups, ChunkedLayoutMatchesTheReferenceForEveryThreadCount) {
    aucrecall::data::Rng rng(2024);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 1 + static_cast<std::size_t>(rng.below(trial < 200 ? 40 : 400));
        const unsigned threads = 2 + static_cast<unsigned>(rng.below(7));
        GroupedData d;
        std::vector<std::int64_t> seen;
        const int mode = trial % 4;  // 0 runs of new keys, 1 runs with returning keys, 2 one key, 3 few keys at random
        while (d.keys.size() < n) {
            std::int64_t key = static_cast<std::int64_t>(rng.next() >> 20) - (std::int64_t{1} << 42);
            if (mode == 1 && !seen.empty() && rng.below(3) == 0) key = seen[rng.below(seen.size())];
            if (mode == 2) key = -7;
            if (mode == 3) key = static_cast<std::int64_t>(rng.below(4));
            // In mode 1, now and then make a chunk start a returning key's run exactly.
            std::size_t length = 1 + static_cast<std::size_t>(rng.below(mode == 3 ? 2 : 12));
            if (mode == 1 && rng.below(2) == 0) {
                for (unsigned t = 1; t < threads; ++t) {
                    const std::size_t boundary = n * t / threads;
                    if (boundary > d.keys.size()) {
                        length = boundary - d.keys.size();
                        break;
                    }
                }
            }
            seen.push_back(key);
            for (std::size_t i = 0; i < length && d.keys.size() < n; ++i) {
                d.keys.push_back(key);
                d.labels.push_back(static_cast<std::int64_t>(rng.below(2)));
                d.scores.push_back(static_cast<double>(rng.below(5)));
            }
        }
        const auto want = expected_groups(d.labels, &d.scores, d.keys, Ties::average, 0);
        for (unsigned t : {1u, threads, static_cast<unsigned>(n + 3)}) {
            const auto got = aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys, {.threads = t});
            expect_groups(got, want, "trial " + std::to_string(trial) + " mode " + std::to_string(mode) + " n " +
                                         std::to_string(n) + " threads " + std::to_string(t));
            if (HasFailure()) return;
        }
    }
}

// Interleaved rows of many groups are put through partitions of group ids, their labels and
// scores copied, or with low_memory their scores gathered per partition. The thresholds are
// lowered here so that small inputs take each width of the partition codes (1, 2 and 4 bytes: up
// to 128, 32768 and more groups per partition) both ways, on one thread and on three (the pass
// into partitions splits the items between them), and the paths taken are counted, so a path
// that stopped being taken fails the test instead of passing it unseen.
TEST(Groups, PartitionedScatterMatchesTheReferenceForEveryCodeWidth) {
    struct Case {
        std::size_t groups, max_size, max_partitions;
        int path;  // 1, 2, 3: codes of 1, 2, 4 bytes
    };
    const Case cases[] = {{300, 30, 64, 1}, {300, 30, 1024, 1}, {700, 12, 2, 2}, {40000, 3, 1, 3}};
    const auto defaults = aucrecall::testing::set_scatter_tuning({1, 1024, 1});
    for (const Case& c : cases) {
        const GroupedData d = grouped_data(c.groups, c.max_size, false, 900 + c.groups + c.max_partitions);
        aucrecall::testing::set_scatter_tuning({1, c.max_partitions, 1});
        for (std::uint64_t k : {0u, 2u}) {
            const Ties ties = k == 0 ? Ties::average : Ties::stable;
            const auto want = expected_groups(d.labels, &d.scores, d.keys, ties, k);
            const auto want_ranked = expected_groups(d.labels, nullptr, d.keys, ties, k);
            for (const bool low_memory : {false, true}) for (const unsigned threads : {1u, 3u}) {
                const auto before = aucrecall::testing::scatter_paths();
                const auto got = aucrecall::auc_recall_grouped(
                    d.labels, d.scores, d.keys, {.ties = ties, .k = k, .threads = threads, .low_memory = low_memory});
                const auto ranked = aucrecall::auc_recall_grouped_ranked(
                    d.labels, d.keys, {.k = k, .threads = threads, .low_memory = low_memory});
                const auto after = aucrecall::testing::scatter_paths();
                const std::string what = std::to_string(c.groups) + " groups, at most " +
                                         std::to_string(c.max_partitions) + " partitions, k " + std::to_string(k) +
                                         (low_memory ? ", low memory" : "") + ", threads " + std::to_string(threads);
                expect_groups(got, want, what);
                expect_groups(ranked, want_ranked, what + " ranked");
                const std::size_t taken[] = {after.direct - before.direct, after.code_bytes_1 - before.code_bytes_1,
                                             after.code_bytes_2 - before.code_bytes_2,
                                             after.code_bytes_4 - before.code_bytes_4};
                for (int path = 0; path < 4; ++path)
                    EXPECT_EQ(taken[path], path == c.path ? 2u : 0u) << what << " path " << path;
                EXPECT_EQ(after.gathered - before.gathered, low_memory ? 2u : 0u) << what;
                if (HasFailure()) break;
            }
            if (HasFailure()) break;
        }
        if (HasFailure()) break;
    }
    // One partition holding more than its share of the items: scattered directly, same values.
    GroupedData d = grouped_data(200, 5, false, 77);
    for (int i = 0; i < 3000; ++i) {
        d.keys.push_back(d.keys[static_cast<std::size_t>(i) % 7]);
        d.labels.push_back(i % 3 == 0);
        d.scores.push_back(static_cast<double>(i % 11));
    }
    aucrecall::testing::set_scatter_tuning({1, 64, 8});
    const auto before = aucrecall::testing::scatter_paths();
    expect_groups(aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys), 
                  expected_groups(d.labels, &d.scores, d.keys, Ties::average, 0), "one heavy partition");
    EXPECT_EQ(aucrecall::testing::scatter_paths().direct - before.direct, 1u);
    aucrecall::testing::set_scatter_tuning(defaults);
}

// The CLI's call (evaluation/groups.hpp): its rows handed over. The same summary as
// compute_grouped_ids bit for bit; after the call every whole page of the labels, scores and ids
// reads as zeros (handed back) when interleaved groups were copied, through partitions (many
// groups) or directly (few), and nothing is handed back for contiguous groups or under
// low_memory (whose gathers read the input to the end).
TEST(Groups, RowsHandedOverGiveTheSameSummaryAndTheirPagesBack) {
    // Whether [data, data + count) holds a whole page, and whether every such page is all zeros.
    const auto whole_pages = [](const auto* data, std::size_t count) {
        const std::size_t page = 4096;
        const auto begin = reinterpret_cast<std::uintptr_t>(data);
        const std::uintptr_t first = (begin + page - 1) / page * page;
        const std::uintptr_t last = (begin + count * sizeof(*data)) / page * page;
        bool zeros = true;
        for (std::uintptr_t at = first; at < last; ++at) zeros = zeros && *reinterpret_cast<const unsigned char*>(at) == 0;
        return std::pair{first < last, zeros};
    };
    // 20,000 groups: past tuning::scatter_partitioned_from_groups, through partitions with the
    // library's own thresholds; 300 groups: copied directly.
    for (const auto& [groups, max_size] : {std::pair<std::size_t, std::size_t>{20000, 20}, {300, 400}})
    for (const bool contiguous : {false, true}) {
        const GroupedData d = grouped_data(groups, max_size, contiguous, 4242 + groups);
        const std::size_t n = d.labels.size();
        std::unordered_map<std::int64_t, std::uint32_t> number;  // in order of first appearance
        std::vector<std::uint32_t> ids;
        for (const std::int64_t key : d.keys) ids.push_back(number.try_emplace(key, static_cast<std::uint32_t>(number.size())).first->second);
        const std::vector<std::uint8_t> labels(d.labels.begin(), d.labels.end());
        for (const bool low_memory : {false, true}) for (const unsigned threads : {1u, 3u}) for (const std::uint64_t k : {0u, 3u}) {
            const aucrecall::GroupOptions options{.ties = k == 0 ? Ties::average : Ties::stable, .k = k,
                                                  .threads = threads, .low_memory = low_memory};
            const std::string what = std::to_string(groups) + (contiguous ? " contiguous" : " interleaved") +
                                     " groups" + (low_memory ? ", low memory" : "") + ", threads " +
                                     std::to_string(threads) + ", k " + std::to_string(k);
            const aucrecall::Input kept{labels.data(), d.scores.data(), n, aucrecall::LabelType::u8, aucrecall::ScoreType::f64};
            const aucrecall::GroupSummary want = aucrecall::compute_grouped_ids(kept, ids, options);
            std::vector<std::uint8_t> handed_labels = labels;
            std::vector<double> handed_scores = d.scores;
            std::vector<std::uint32_t> handed_ids = ids;
            const auto before = aucrecall::testing::scatter_paths();
            const aucrecall::GroupSummary got = aucrecall::detail::compute_grouped_ids_releasing_input(
                {handed_labels.data(), handed_scores.data(), n, aucrecall::LabelType::u8, aucrecall::ScoreType::f64},
                handed_ids, options);
            const auto after = aucrecall::testing::scatter_paths();
            ASSERT_EQ(got.first_item, want.first_item) << what;
            ASSERT_EQ(got.n, want.n) << what;
            ASSERT_EQ(got.positives, want.positives) << what;
            ASSERT_EQ(got.values.size(), want.values.size()) << what;
            for (std::size_t g = 0; g < want.values.size(); ++g)
                ASSERT_EQ(std::bit_cast<std::uint64_t>(got.values[g]), std::bit_cast<std::uint64_t>(want.values[g]))
                    << what << " group " << g;
            ASSERT_EQ(std::bit_cast<std::uint64_t>(got.mean), std::bit_cast<std::uint64_t>(want.mean)) << what;
            ASSERT_EQ((std::pair{got.counted, got.skipped}), (std::pair{want.counted, want.skipped})) << what;

            const std::size_t partitioned = after.code_bytes_1 + after.code_bytes_2 + after.code_bytes_4 -
                                            (before.code_bytes_1 + before.code_bytes_2 + before.code_bytes_4);
            ASSERT_EQ(partitioned, !contiguous && groups == 20000 ? 1u : 0u) << what;
            ASSERT_EQ(after.direct - before.direct, !contiguous && groups == 300 ? 1u : 0u) << what;
            // Under low_memory few groups are still copied directly, and handed back.
            if (contiguous || (low_memory && groups == 20000)) {
                EXPECT_EQ(handed_labels, labels) << what;
                EXPECT_EQ(handed_scores, d.scores) << what;
                EXPECT_EQ(handed_ids, ids) << what;
            } else {
                for (const auto& [has_page, zeros] : {whole_pages(handed_labels.data(), n), whole_pages(handed_scores.data(), n),
                                                      whole_pages(handed_ids.data(), n)}) {
                    EXPECT_TRUE(has_page) << what;
                    EXPECT_TRUE(zeros) << what << ": a page read by the pass was not handed back";
                }
            }
            if (HasFailure()) return;
        }
    }
}

TEST(Groups, AnyKeyTypeAndValue) {
    const std::vector<std::uint8_t> labels = {1, 0, 1, 0, 1, 1};
    const std::vector<float> scores = {0.5f, 0.25f, 0.75f, 1.0f, 0.0f, 0.5f};
    const auto u64 = aucrecall::auc_recall_grouped(labels, scores,
                                                   std::vector<std::uint64_t>{~0ull, 0, ~0ull, 0, ~0ull, 0});
    EXPECT_EQ(u64.groups, (std::vector<std::uint64_t>{~0ull, 0}));
    const auto i8 = aucrecall::auc_recall_grouped(labels, scores, std::vector<std::int8_t>{-1, 0, -1, 0, -1, 0});
    EXPECT_EQ(i8.groups, (std::vector<std::int8_t>{-1, 0}));
    EXPECT_EQ(i8.values, u64.values);
    const auto u16 = aucrecall::auc_recall_grouped(labels, scores, std::vector<std::uint16_t>{7, 9, 7, 9, 7, 9});
    EXPECT_EQ(u16.values, u64.values);
}

TEST(Groups, OffsetsOverloadMatchesKeys) {
    const GroupedData d = grouped_data(500, 25, true, 5);
    std::vector<std::uint64_t> offsets = {0};
    for (std::size_t i = 1; i <= d.keys.size(); ++i)
        if (i == d.keys.size() || d.keys[i] != d.keys[i - 1]) offsets.push_back(i);
    // keys may repeat across non-adjacent runs by chance: compare only when they do not
    const auto by_keys = aucrecall::auc_recall_grouped(d.labels, d.scores, d.keys, {.k = 5});
    if (by_keys.groups.size() + 1 != offsets.size()) GTEST_SKIP() << "random keys collided";
    const auto items = aucrecall::make_input(view(d.labels), view(d.scores));
    const auto by_offsets = aucrecall::compute_grouped_offsets(items, offsets, {.k = 5});
    EXPECT_EQ(by_offsets.n, by_keys.n);
    for (std::size_t g = 0; g < by_keys.values.size(); ++g)
        EXPECT_EQ(std::isnan(by_offsets.values[g]) ? -1.0 : by_offsets.values[g],
                  std::isnan(by_keys.values[g]) ? -1.0 : by_keys.values[g]);
    EXPECT_EQ(by_offsets.mean, by_keys.mean);
    // an empty group is undefined
    const std::vector<std::uint64_t> with_empty = {0, 0, d.keys.size()};
    const auto e = aucrecall::compute_grouped_offsets(items, with_empty);
    EXPECT_EQ(e.n[0], 0u);
    EXPECT_TRUE(std::isnan(e.values[0]));
}

// Dense ids in order of first appearance (what the CLI's reader makes) give what the keys give,
// contiguous or interleaved, for every policy; ids that skip ahead are refused at their index.
TEST(Groups, IdsOverloadMatchesKeys) {
    for (const bool contiguous : {true, false}) {
        const GroupedData d = grouped_data(400, 30, contiguous, contiguous ? 11 : 12);
        std::unordered_map<std::int64_t, std::uint32_t> numbered;
        std::vector<std::uint32_t> ids;
        for (const std::int64_t key : d.keys)
            ids.push_back(numbered.try_emplace(key, static_cast<std::uint32_t>(numbered.size())).first->second);
        const auto items = aucrecall::make_input(view(d.labels), view(d.scores));
        for (const aucrecall::GroupOptions options :
             {aucrecall::GroupOptions{}, aucrecall::GroupOptions{.ties = aucrecall::Ties::stable},
              aucrecall::GroupOptions{.k = 4}, aucrecall::GroupOptions{.undefined = aucrecall::Undefined::zero}}) {
            const auto by_keys =
                aucrecall::compute_grouped({items, d.keys.data(), aucrecall::GroupKeyType::i64}, options);
            const auto by_ids = aucrecall::compute_grouped_ids(items, ids, options);
            const std::string what = std::string(contiguous ? "contiguous" : "interleaved") + ", k " +
                                     std::to_string(options.k);
            ASSERT_EQ(by_ids.values.size(), by_keys.values.size()) << what;
            for (std::size_t g = 0; g < by_keys.values.size(); ++g)
                EXPECT_EQ(std::isnan(by_ids.values[g]) ? -1.0 : by_ids.values[g],
                          std::isnan(by_keys.values[g]) ? -1.0 : by_keys.values[g])
                    << what << ", group " << g;
            EXPECT_EQ(by_ids.n, by_keys.n) << what;
            EXPECT_EQ(by_ids.positives, by_keys.positives) << what;
            EXPECT_EQ(by_ids.first_item, by_keys.first_item) << what;
            EXPECT_EQ(by_ids.mean, by_keys.mean) << what;
            EXPECT_EQ(by_ids.counted, by_keys.counted) << what;
        }
    }
    const std::vector<std::int64_t> labels = {1, 0, 1, 0};
    const std::vector<double> scores = {0.1, 0.2, 0.3, 0.4};
    const auto items = aucrecall::make_input(view(labels), view(scores));
    for (const auto& [bad, index] : std::vector<std::pair<std::vector<std::uint32_t>, std::size_t>>{
             {{1, 0, 0, 0}, 0}, {{0, 0, 2, 1}, 2}, {{0, 1, 0, 3}, 3}}) {
        try {
            (void)aucrecall::compute_grouped_ids(items, bad);
            ADD_FAILURE() << "accepted ids skipping ahead at " << index;
        } catch (const aucrecall::InvalidInput& e) {
            EXPECT_EQ(e.index(), index);
            EXPECT_NE(std::string(e.what()).find("order of first appearance"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW((void)aucrecall::compute_grouped_ids(items, std::vector<std::uint32_t>{0, 0, 1}), std::invalid_argument);
    // A bad label is still named at its index through the scatter.
    const std::vector<std::int64_t> stray = {1, 0, 1, 5};
    try {
        (void)aucrecall::compute_grouped_ids(aucrecall::make_input(view(stray), view(scores)),
                                             std::vector<std::uint32_t>{0, 1, 0, 1});
        ADD_FAILURE();
    } catch (const aucrecall::InvalidInput& e) {
        EXPECT_EQ(e.index(), 3u);
    }
}

TEST(Groups, BadInputNamesWhatAndWhere) {
    const std::vector<std::int64_t> labels = {1, 0, 2};
    const std::vector<double> scores = {0.1, 0.2, 0.3};
    const std::vector<std::int32_t> keys = {1, 1, 2};
    try {
        (void)aucrecall::auc_recall_grouped(labels, scores, keys);
        ADD_FAILURE();
    } catch (const aucrecall::InvalidInput& e) {
        EXPECT_EQ(e.index(), 2u);
    }
    EXPECT_THROW((void)aucrecall::auc_recall_grouped(std::vector<std::int64_t>{1, 0}, std::vector<double>{0.1, NAN},
                                                     std::vector<std::int32_t>{1, 1}),
                 aucrecall::InvalidInput);
    EXPECT_THROW((void)aucrecall::auc_recall_grouped(std::vector<std::int64_t>{1, 0}, std::vector<double>{0.1, 0.2},
                                                     std::vector<std::int32_t>{1}),
                 std::invalid_argument);
    const std::vector<std::int64_t> two_labels = {1, 0};
    const std::vector<double> two_scores = {0.1, 0.2};
    const auto items = aucrecall::make_input(view(two_labels), view(two_scores));
    for (const std::vector<std::uint64_t>& bad : std::vector<std::vector<std::uint64_t>>{{}, {1, 2}, {0, 2, 1, 2}, {0, 1}})
        EXPECT_THROW((void)aucrecall::compute_grouped_offsets(items, bad), std::invalid_argument);
    EXPECT_EQ(aucrecall::parse_undefined("zero"), aucrecall::Undefined::zero);
    EXPECT_THROW((void)aucrecall::parse_undefined("ignore"), std::invalid_argument);
}

}  // namespace

namespace {

// The grouped pair counts run per instruction set (one unit per line of src/simd/isa_table.def): each one the CPU can
// run, forced in turn, against the reference, for both score types and groups that straddle the
// pairwise/sorted switch.
TEST(Groups, EveryInstructionSetGivesTheReference) {
    aucrecall::data::Rng rng(77);
    std::vector<std::int64_t> labels;
    std::vector<double> scores;
    std::vector<float> scores_f;
    std::vector<std::int64_t> keys;
    for (std::size_t size : {2u, 3u, 7u, 33u, 100u, 129u, 400u}) {
        for (int g = 0; g < 3; ++g)
            for (std::size_t i = 0; i < size; ++i) {
                keys.push_back(static_cast<std::int64_t>(size * 10 + g));
                labels.push_back(static_cast<std::int64_t>(rng.below(2)));
                const double s = static_cast<double>(rng.below(g == 0 ? 3 : 1000)) / 8 - 20;
                scores.push_back(g == 2 && i % 5 == 0 ? -0.0 : s);
                scores_f.push_back(static_cast<float>(scores.back()));
            }
    }
    const auto want = expected_groups(labels, &scores, keys, Ties::average, 0);
    std::vector<double> float_scores(scores_f.begin(), scores_f.end());
    const auto want_f = expected_groups(labels, &float_scores, keys, Ties::average, 0);
    for (std::string_view isa : aucrecall::simd_isas_supported()) {
        aucrecall::force_simd_isa(isa);
        expect_groups(aucrecall::auc_recall_grouped(labels, scores, keys), want, "f64 isa=" + std::string(isa));
        expect_groups(aucrecall::auc_recall_grouped(labels, scores_f, keys), want_f, "f32 isa=" + std::string(isa));
        EXPECT_EQ(aucrecall::simd_isa_last_used(), isa);
    }
    aucrecall::force_simd_isa(aucrecall::simd_isas_supported().back());
}

}  // namespace

#include "runtime/tuning.hpp"

namespace {

// ---- hostile sizes -----------------------------------------------------------------------------

// n = 0, 1, 2 through every entry point: NaN where SPEC says so, never a crash.
TEST(HostileSizes, TinyInputsThroughEveryEntryPoint) {
    const std::vector<std::int64_t> labels = {1, 0};
    const std::vector<double> scores = {0.5, 0.25};
    const std::vector<std::int64_t> keys = {3, 3};
    for (std::size_t n : {0u, 1u, 2u}) {
        const std::span<const std::int64_t> l(labels.data(), n);
        const std::span<const double> s(scores.data(), n);
        const std::span<const std::int64_t> g(keys.data(), n);
        for (std::uint64_t k : {0u, 1u, 2u, 3u}) {
            for (Ties ties : all_ties) {
                const double want = reference::metric_at(l, s, ties, k);
                EXPECT_EQ(std::isnan(aucrecall::auc_recall(l, s, {.ties = ties, .k = k})), std::isnan(want));
                for (const Kernel& kern : aucrecall::kernels()) {
                    const double got = kern.run_at(aucrecall::make_input(l, s), ties, k);
                    EXPECT_TRUE(std::isnan(want) ? std::isnan(got) : got == want) << kern.name << " n=" << n;
                }
                const auto grouped = aucrecall::auc_recall_grouped(l, s, g, {.ties = ties, .k = k});
                EXPECT_EQ(grouped.values.size(), n == 0 ? 0u : 1u);
            }
            EXPECT_EQ(std::isnan(aucrecall::auc_recall_ranked(l, k)), n < 2 || (k != 0 && k < 2));
        }
    }
    EXPECT_EQ(aucrecall::auc_recall(labels, scores), 1.0);
}

// Beyond max_items (2^40) every entry point refuses before reading anything: the data pointer
// below holds 2 items, so reading further would be caught by AddressSanitizer.
TEST(HostileSizes, InputsBeyondTheLimitAreRejectedUnread) {
    const std::int64_t labels[2] = {1, 0};
    const double scores[2] = {0.5, 0.25};
    const std::size_t huge = aucrecall::max_items + 1;
    const aucrecall::Input input{labels, scores, huge, aucrecall::LabelType::i64, aucrecall::ScoreType::f64};
    EXPECT_THROW(aucrecall::validate(input), std::length_error);
    EXPECT_THROW((void)aucrecall::compute(input), std::length_error);
    EXPECT_THROW((void)aucrecall::compute(input, {.k = 10}), std::length_error);
    EXPECT_THROW((void)aucrecall::compute_ranked({labels, huge, aucrecall::LabelType::i64}), std::length_error);
    EXPECT_THROW((void)aucrecall::compute_grouped({input, labels, aucrecall::GroupKeyType::i64}), std::length_error);
    try {
        (void)aucrecall::compute(input);
    } catch (const std::length_error& e) {
        EXPECT_NE(std::string(e.what()).find("2^40"), std::string::npos) << e.what();
    }
}

// radix_rank's 32-bit record index: above its limit the keysort method counts. The limit is
// lowered so that the switch is crossed at test sizes; results must not change.
TEST(HostileSizes, RadixRankFallsBackBeyondItsRecordIndex) {
    const auto d = aucrecall::data::generate<std::int64_t, double>(5000, aucrecall::data::Dist::heavy_ties, 9);
    const auto input = aucrecall::make_input(d.labels(), d.scores());
    const Kernel& radix = kernel_named("radix_rank");
    const Kernel& threaded = kernel_named("radix_rank_mt");
    double before[2], stable_before[2];
    before[0] = radix.run(input, Ties::average), stable_before[0] = radix.run(input, Ties::stable);
    before[1] = threaded.run(input, Ties::average), stable_before[1] = threaded.run(input, Ties::stable);
    const std::size_t fallbacks = aucrecall::testing::radix_record_fallbacks();
    const std::size_t previous = aucrecall::testing::set_radix_record_limit(1000);
    EXPECT_EQ(radix.run(input, Ties::average), before[0]);
    EXPECT_EQ(radix.run(input, Ties::stable), stable_before[0]);
    EXPECT_EQ(threaded.run(input, Ties::average), before[1]);
    EXPECT_EQ(threaded.run(input, Ties::stable), stable_before[1]);
    EXPECT_EQ(aucrecall::testing::radix_record_fallbacks(), fallbacks + 4);
    // at or under the limit: the record path, no fallback
    const auto small = aucrecall::data::generate<std::int64_t, double>(1000, aucrecall::data::Dist::uniform, 9);
    (void)radix.run(aucrecall::make_input(small.labels(), small.scores()), Ties::average);
    EXPECT_EQ(aucrecall::testing::radix_record_fallbacks(), fallbacks + 4);
    aucrecall::testing::set_radix_record_limit(previous);
    EXPECT_EQ(before[0], reference::metric(d.labels(), d.scores(), Ties::average));
}

// radix_rank hands data concentrated in a few buckets to keysort's method; both ways must give
// the exact value on every distribution, one thread and two, so the bucket path is run with the
// switch turned off too.
TEST(HostileSizes, RadixRankConcentratedDataGivesTheSameResultBothWays) {
    const Kernel& radix = kernel_named("radix_rank");
    const Kernel& threaded = kernel_named("radix_rank_mt");
    const ScopedEnv two("AUCRECALL_THREADS", "2");
    const unsigned default_limit = aucrecall::testing::set_radix_concentration_limit(0);
    for (aucrecall::data::Dist dist : aucrecall::data::all_dists)
        for (std::size_t n : {300u, 5000u, 70000u}) {
            const auto d = aucrecall::data::generate<std::int64_t, double>(n, dist, 17 + n);
            const auto input = aucrecall::make_input(d.labels(), d.scores());
            for (Ties ties : {Ties::average, Ties::stable}) {
                const double exact = reference::metric(d.labels(), d.scores(), ties);
                for (unsigned limit : {default_limit, 0u}) {
                    aucrecall::testing::set_radix_concentration_limit(limit);
                    EXPECT_EQ(radix.run(input, ties), exact) << aucrecall::data::name(dist) << " n " << n << " limit " << limit;
                    EXPECT_EQ(threaded.run(input, ties), exact) << aucrecall::data::name(dist) << " n " << n << " limit " << limit;
                }
            }
        }
    aucrecall::testing::set_radix_concentration_limit(default_limit);
    // heavy ties (three values) take the switch; the study's uniform scores do not
    const std::size_t before = aucrecall::testing::radix_concentrated_fallbacks();
    const auto tied = aucrecall::data::generate<std::int64_t, double>(5000, aucrecall::data::Dist::heavy_ties, 3);
    (void)radix.run(aucrecall::make_input(tied.labels(), tied.scores()), Ties::average);
    EXPECT_EQ(aucrecall::testing::radix_concentrated_fallbacks(), before + 1);
    const auto uniform = aucrecall::data::generate<std::int64_t, double>(5000, aucrecall::data::Dist::uniform, 3);
    (void)radix.run(aucrecall::make_input(uniform.labels(), uniform.scores()), Ties::average);
    EXPECT_EQ(aucrecall::testing::radix_concentrated_fallbacks(), before + 1);
    // The switch first looks at a strided sample (tuning::concentration_sample_items = 256 items,
    // every 16th of 4096), then at the build's full histogram: distinct scores exactly where the
    // sample looks and one shared score everywhere else must still take the switch, exactly.
    static_assert(aucrecall::tuning::concentration_sample_items == 256);
    constexpr std::size_t n = 4096;
    std::vector<std::int64_t> labels(n);
    std::vector<double> scores(n, 0.5);
    for (std::size_t i = 0; i < n; ++i) {
        labels[i] = (i * 7 + i / 5) % 3 == 0;
        if (i % 16 == 0) scores[i] = static_cast<double>(i) / n;
    }
    const auto hidden = aucrecall::make_input(std::span<const std::int64_t>(labels), std::span<const double>(scores));
    for (Ties ties : {Ties::average, Ties::stable}) {
        const std::size_t fallbacks = aucrecall::testing::radix_concentrated_fallbacks();
        EXPECT_EQ(radix.run(hidden, ties), reference::metric(std::span<const std::int64_t>(labels),
                                                             std::span<const double>(scores), ties));
        EXPECT_EQ(aucrecall::testing::radix_concentrated_fallbacks(), fallbacks + 1);
    }
}

}  // namespace
