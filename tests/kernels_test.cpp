// Every kernel of the registry against the exact reference (tests/reference.hpp), for every label
// and score type, both tie policies, every generated distribution and label mode, sizes 0..300
// and the study's larger sizes. Parameterised by (kernel, label type, score type): kernels added
// to the registry later are covered without touching this file.
#include "kernel_checks.hpp"
#include "scoped_env.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <set>
#include <tuple>

namespace {

using namespace kernel_checks;
namespace data = aucrecall::data;
using data::Dist;
using data::Positives;

// One failed comparison in a sweep usually means thousands; report the first few, then stop so
// the log stays readable.
class FailureBudget {
public:
    // False once the budget is spent: the caller should stop sweeping.
    bool record(const ::testing::AssertionResult& result) {
        if (result) return true;
        ADD_FAILURE() << result.message();
        if (++failures_ < limit) return true;
        ADD_FAILURE() << "stopping this sweep after " << limit << " mismatches";
        return false;
    }
    bool exhausted() const noexcept { return failures_ >= limit; }

private:
    static constexpr int limit = 10;
    int failures_ = 0;
};

// Different n get unrelated data (the generator mixes dist and label mode in on its own).
std::uint64_t seed_for(std::size_t n) noexcept { return data::default_seed + 7919 * n; }

using Param = std::tuple<std::string, LabelType, ScoreType>;

class KernelVsReference : public ::testing::TestWithParam<Param> {
protected:
    const Kernel& kernel() const { return kernel_named(std::get<0>(GetParam())); }

    // Runs fn.template operator()<Label, Score>() for this test's types.
    template <class Fn>
    void for_types(Fn&& fn) const {
        with_types(std::get<1>(GetParam()), std::get<2>(GetParam()), [&](auto label, auto score) {
            fn.template operator()<typename decltype(label)::type, typename decltype(score)::type>();
        });
    }

    // Every (size, dist, label mode, tie policy) combination of the arguments, against the
    // reference; `thin` (for the largest sizes) keeps only about a third of the distributions
    // per type combination, rotating so that each distribution still meets both score types.
    void sweep(std::span<const std::size_t> sizes, std::span<const Positives> positives_modes,
               bool thin = false) const {
        const Kernel& k = kernel();
        const std::size_t types_index = 2 * static_cast<std::size_t>(std::get<1>(GetParam())) +
                                        static_cast<std::size_t>(std::get<2>(GetParam()));
        for_types([&]<class Label, class Score>() {
            FailureBudget budget;
            for (std::size_t n : sizes) {
                if (n > test_size_limit(k)) continue;
                for (Dist dist : data::all_dists) {
                    if (thin && (static_cast<std::size_t>(dist) + types_index) % 3 != 0) continue;
                    for (Positives positives : positives_modes) {
                        const auto d = data::generate<Label, Score>(n, dist, seed_for(n), positives);
                        for (Ties ties : all_ties) {
                            Case c{.ties = ties, .dist = data::name(dist),
                                   .positives = data::name(positives), .seed = seed_for(n)};
                            if (!budget.record(matches_reference(k, d.labels(), d.scores(), c))) return;
                        }
                    }
                }
            }
        });
    }
};

TEST_P(KernelVsReference, EverySmallSizeEveryDistribution) {
    std::vector<std::size_t> sizes(301);
    std::iota(sizes.begin(), sizes.end(), std::size_t{0});
    const Positives half[] = {Positives::half};
    sweep(sizes, half);
}

TEST_P(KernelVsReference, SmallSizesEveryLabelMode) {
    // The edges of the label modes (none -> NaN, one, all -> 1) around SIMD-width boundaries.
    const std::size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 255, 300};
    const Positives modes[] = {Positives::none, Positives::one, Positives::all, Positives::rare};
    sweep(sizes, modes);
}

// The study's sizes and SIMD-unfriendly ones. Kept affordable under the sanitizers: the rare
// label mode up to 4097 only, and from 10^4 on a rotating third of the distributions.
TEST_P(KernelVsReference, LargeSizes) {
    const std::size_t mid_sizes[] = {1000, 4097};
    const Positives mid_modes[] = {Positives::half, Positives::rare};
    sweep(mid_sizes, mid_modes);
    const std::size_t big_sizes[] = {10000, 100000};
    const Positives big_modes[] = {Positives::half};
    sweep(big_sizes, big_modes, /*thin=*/true);
}

TEST_P(KernelVsReference, LargeSizesOtherLabelModes) {
    const std::size_t n1000[] = {1000};
    const Positives modes[] = {Positives::none, Positives::one, Positives::all};
    sweep(n1000, modes);
    const std::size_t n4097[] = {4097};
    const Positives one[] = {Positives::one};
    sweep(n4097, one);
}

TEST_P(KernelVsReference, StudyExampleIsPointEight) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        const auto d = data::study_example<Label, Score>();
        for (Ties ties : all_ties) {
            ASSERT_EQ(reference::metric(d.labels(), d.scores(), ties), 0.8);
            EXPECT_TRUE(matches_reference(k, d.labels(), d.scores(), Case{.ties = ties, .dist = "study_example"}));
        }
    });
}

// SPEC.md: under `average` the result does not depend on input order. Exactly the same double,
// not merely close: a kernel whose rounding depended on input order would break reproducibility.
TEST_P(KernelVsReference, AverageIgnoresInputOrder) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        FailureBudget budget;
        const std::size_t sizes[] = {2, 3, 10, 101, 1000, 4097};
        const Dist dists[] = {Dist::uniform,      Dist::heavy_ties,    Dist::small_ints,
                              Dist::two_values,   Dist::constant,      Dist::sorted,
                              Dist::with_infinities, Dist::signed_zeros, Dist::denormals};
        for (std::size_t n : sizes) {
            if (n > test_size_limit(k)) continue;
            for (Dist dist : dists) {
                auto d = data::generate<Label, Score>(n, dist, seed_for(n));
                Case c{.kernel = k.name, .ties = Ties::average, .labels = type_name<Label>(),
                       .scores = type_name<Score>(), .dist = data::name(dist), .positives = "half",
                       .n = n, .seed = seed_for(n), .note = "shuffled input vs original order"};
                const double original = k.run(aucrecall::make_input<Label, Score>(d.labels(), d.scores()), Ties::average);
                if (!budget.record(agrees(k, original, reference::metric<Label, Score>(d.labels(), d.scores(), Ties::average), c)))
                    return;
                data::Rng rng(seed_for(n) ^ 0x5eed);
                const int shuffles = n <= 101 ? 3 : 1;
                for (int shuffle = 0; shuffle < shuffles; ++shuffle) {
                    // Fisher-Yates on both arrays with the same swaps: the items stay intact.
                    for (std::size_t i = n; i-- > 1;) {
                        const std::size_t j = static_cast<std::size_t>(rng.below(i + 1));
                        std::swap(d.labels()[i], d.labels()[j]);
                        std::swap(d.scores()[i], d.scores()[j]);
                    }
                    const double shuffled = k.run(aucrecall::make_input<Label, Score>(d.labels(), d.scores()), Ties::average);
                    const bool same = std::bit_cast<std::uint64_t>(shuffled) == std::bit_cast<std::uint64_t>(original) ||
                                      (std::isnan(shuffled) && std::isnan(original));
                    if (!budget.record(same ? ::testing::AssertionSuccess()
                                            : ::testing::AssertionFailure()
                                                  << describe(c) << ": " << std::setprecision(17) << shuffled
                                                  << " after shuffle " << shuffle << ", " << original << " before"))
                        return;
                }
            }
        }
    });
}

// SPEC.md: `stable` is the ranking of numpy.argsort(-scores, kind="stable"). Build that ranking
// here the way NumPy defines it (a stable ascending sort on the negated scores), lay the items
// out in it with strictly decreasing scores (no ties left, so every policy must agree), and
// require the kernel's `stable` result on the original input to equal the result on that layout.
TEST_P(KernelVsReference, StableIsNumpyStableArgsortOfNegatedScores) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        FailureBudget budget;
        const std::size_t sizes[] = {2, 3, 5, 10, 64, 101, 1000, 4097};
        for (std::size_t n : sizes) {
            if (n > test_size_limit(k)) continue;
            for (Dist dist : data::all_dists) {
                const auto d = data::generate<Label, Score>(n, dist, seed_for(n));
                const auto scores = d.scores();
                std::vector<std::size_t> argsort(n);
                std::iota(argsort.begin(), argsort.end(), std::size_t{0});
                std::stable_sort(argsort.begin(), argsort.end(),
                                 [&](std::size_t a, std::size_t b) { return -scores[a] < -scores[b]; });
                data::Dataset<Label, Score> ranked(n);
                for (std::size_t r = 0; r < n; ++r) {
                    ranked.labels()[r] = d.labels()[argsort[r]];
                    ranked.scores()[r] = static_cast<Score>(n - r);  // exact: n <= 2^24
                }
                const std::span<const Label> ranked_labels = ranked.labels();
                const std::span<const Score> ranked_scores = ranked.scores();
                Case c{.kernel = k.name, .ties = Ties::stable, .labels = type_name<Label>(),
                       .scores = type_name<Score>(), .dist = data::name(dist), .positives = "half",
                       .n = n, .seed = seed_for(n)};
                // The reference agrees with itself across the two layouts, exactly.
                const double stable_ref = reference::metric(d.labels(), d.scores(), Ties::stable);
                const double untied_ref = reference::metric(ranked_labels, ranked_scores, Ties::average);
                ASSERT_TRUE(std::bit_cast<std::uint64_t>(stable_ref) == std::bit_cast<std::uint64_t>(untied_ref) ||
                            (std::isnan(stable_ref) && std::isnan(untied_ref)))
                    << describe(c);
                const double stable = k.run(aucrecall::make_input(d.labels(), d.scores()), Ties::stable);
                for (Ties ties : all_ties) {
                    const double untied = k.run(aucrecall::make_input(ranked_labels, ranked_scores), ties);
                    c.note = ties == Ties::stable ? "stable on input vs stable on argsort layout"
                                                  : "stable on input vs average on argsort layout";
                    if (!budget.record(agrees(k, stable, untied, c))) return;
                }
            }
        }
    });
}

// Three items, the top two tied, one positive among them. Swapping the tied items' input order
// changes which ranks first under `stable` (metric 1 or 0.75) but not the `average` result (the
// mean of the two, 0.875). Worked out from SPEC.md's definition: n = 3, P = 1, trapz(ideal) = 2;
// recall [1,1,1] has area 2, recall [0,1,1] has area 1.5.
TEST_P(KernelVsReference, TiesAndInputOrderHandBuilt) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        const std::array<Score, 3> scores = {Score(0.5), Score(0.5), Score(0.25)};
        const std::array<Label, 3> positive_first = {Label(1), Label(0), Label(0)};
        const std::array<Label, 3> negative_first = {Label(0), Label(1), Label(0)};
        struct Expectation {
            const std::array<Label, 3>* labels;
            Ties ties;
            double value;
            std::string_view note;
        };
        const Expectation cases[] = {
            {&positive_first, Ties::stable, 1.0, "positive first in input"},
            {&negative_first, Ties::stable, 0.75, "negative first in input"},
            {&positive_first, Ties::average, 0.875, "positive first in input"},
            {&negative_first, Ties::average, 0.875, "negative first in input"},
        };
        for (const auto& e : cases) {
            const std::span<const Label> labels(*e.labels);
            const std::span<const Score> s(scores);
            ASSERT_EQ(reference::metric(labels, s, e.ties), e.value) << e.note;
            const double got = k.run(aucrecall::make_input(labels, s), e.ties);
            EXPECT_TRUE(agrees(k, got, e.value, Case{.kernel = k.name, .ties = e.ties,
                                                     .labels = type_name<Label>(), .scores = type_name<Score>(),
                                                     .n = 3, .note = std::string(e.note)}));
        }
    });
}

// Kernels take const views; prove they treat them so (bitwise, so -0.0 turning into 0.0 counts).
TEST_P(KernelVsReference, InputsAreNotModified) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        const std::size_t sizes[] = {0, 1, 2, 67, 1000};
        for (std::size_t n : sizes)
            for (Dist dist : data::all_dists) {
                const auto d = data::generate<Label, Score>(n, dist, seed_for(n));
                const auto before = data::generate<Label, Score>(n, dist, seed_for(n));
                const aucrecall::Input input = aucrecall::make_input(d.labels(), d.scores());
                for (Ties ties : all_ties) {
                    (void)k.run(input, ties);
                    const bool labels_same = n == 0 || std::memcmp(d.labels().data(), before.labels().data(), n * sizeof(Label)) == 0;
                    const bool scores_same = n == 0 || std::memcmp(d.scores().data(), before.scores().data(), n * sizeof(Score)) == 0;
                    EXPECT_TRUE(labels_same && scores_same)
                        << "kernel=" << k.name << " ties=" << aucrecall::to_string(ties) << " dist="
                        << data::name(dist) << " n=" << n << ": input " << (labels_same ? "scores" : "labels")
                        << " changed";
                }
            }
    });
}

// SPEC.md step 5: NaN for n == 0, n == 1 and no positive; through the kernel and through compute().
TEST_P(KernelVsReference, UndefinedCasesAreNaN) {
    const Kernel& k = kernel();
    for_types([&]<class Label, class Score>() {
        const std::array<Label, 5> no_positive = {Label(0), Label(0), Label(0), Label(0), Label(0)};
        const std::array<Label, 1> single_positive = {Label(1)};
        const std::array<Label, 1> single_negative = {Label(0)};
        const std::array<Score, 5> scores = {Score(0.1), Score(0.9), Score(0.5), Score(0.5), Score(0.2)};
        const std::span<const Score> all_scores(scores);
        const std::pair<aucrecall::Input, std::string_view> inputs[] = {
            {aucrecall::make_input(std::span<const Label>(), std::span<const Score>()), "n == 0"},
            {aucrecall::make_input(std::span<const Label>(single_positive), all_scores.first(1)), "n == 1, positive"},
            {aucrecall::make_input(std::span<const Label>(single_negative), all_scores.first(1)), "n == 1, negative"},
            {aucrecall::make_input(std::span<const Label>(no_positive), all_scores), "no positive"},
        };
        for (const auto& [input, what] : inputs)
            for (Ties ties : all_ties) {
                EXPECT_TRUE(std::isnan(k.run(input, ties)))
                    << k.name << ", " << what << ", ties=" << aucrecall::to_string(ties);
                EXPECT_TRUE(std::isnan(aucrecall::compute(input, {.kernel = k.name, .ties = ties})))
                    << "compute() with " << k.name << ", " << what << ", ties=" << aucrecall::to_string(ties);
            }
    });
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    std::string out = std::get<0>(info.param);
    for (char& ch : out)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    out += "_";
    out += name(std::get<1>(info.param));
    out += "_";
    out += name(std::get<2>(info.param));
    return out;
}

INSTANTIATE_TEST_SUITE_P(Registry, KernelVsReference,
                         ::testing::Combine(::testing::ValuesIn(kernel_names()),
                                            ::testing::ValuesIn(all_label_types),
                                            ::testing::ValuesIn(all_score_types)),
                         param_name);

// ---- The registry itself and the default path ------------------------------------------------

TEST(Registry, NamesAreUniqueAndEveryEntryIsComplete) {
    std::set<std::string_view> names;
    for (const Kernel& k : aucrecall::kernels()) {
        EXPECT_FALSE(k.name.empty());
        EXPECT_FALSE(k.description.empty()) << k.name;
        EXPECT_NE(k.run, nullptr) << k.name;
        EXPECT_GT(k.max_practical_n, 1000u) << k.name;
        EXPECT_TRUE(names.insert(k.name).second) << "duplicate kernel name " << k.name;
        EXPECT_EQ(aucrecall::find_kernel(k.name), &k) << k.name;
    }
    // The study's four stages are the fixed part of the registry.
    for (std::string_view study : {"naive_loop", "stl", "simd_scan", "fused"})
        EXPECT_NE(aucrecall::find_kernel(study), nullptr) << study;
    EXPECT_EQ(aucrecall::find_kernel("no_such_kernel"), nullptr);
}

TEST(Registry, ComputeWithoutKernelNameUsesTheDefaultKernel) {
    for (Dist dist : {Dist::uniform, Dist::heavy_ties, Dist::signed_zeros})
        for (std::size_t n : {2u, 17u, 1000u}) {
            const auto d = data::generate<std::int64_t, double>(n, dist, seed_for(n));
            const aucrecall::Input input = aucrecall::make_input(d.labels(), d.scores());
            const Kernel& chosen = aucrecall::default_kernel(input);
            for (Ties ties : all_ties) {
                const double via_compute = aucrecall::compute(input, {.kernel = {}, .ties = ties});
                const double via_kernel = chosen.run(input, ties);
                EXPECT_EQ(std::bit_cast<std::uint64_t>(via_compute), std::bit_cast<std::uint64_t>(via_kernel))
                    << chosen.name << " n=" << n << " dist=" << data::name(dist);
                EXPECT_TRUE(agrees(chosen, via_compute, reference::metric(d.labels(), d.scores(), ties),
                                   Case{.kernel = chosen.name, .ties = ties, .labels = "i64", .scores = "f64",
                                        .dist = data::name(dist), .n = n, .seed = seed_for(n)}));
            }
        }
}

// Multi-threaded kernels take their thread count from AUCRECALL_THREADS (read on every call) and
// otherwise only start threads for inputs far larger than the sweeps above use. Force several
// counts, including ones that do not divide n, so their parallel paths meet the reference too;
// single-threaded kernels must simply ignore the variable.
TEST(Registry, ResultsDoNotDependOnForcedThreadCount) {
    for (const char* threads : {"2", "3", "7"}) {
        const ScopedEnv forced("AUCRECALL_THREADS", threads);
        for (const Kernel& k : aucrecall::kernels())
            for (std::size_t n : {2u, 67u, 1000u, 4097u}) {
                if (n > test_size_limit(k)) continue;
                for (Dist dist : {Dist::uniform, Dist::heavy_ties, Dist::exponential, Dist::signed_zeros}) {
                    const auto d = data::generate<std::int64_t, double>(n, dist, seed_for(n));
                    const auto f = data::generate<std::uint8_t, float>(n, dist, seed_for(n), Positives::rare);
                    for (Ties ties : all_ties) {
                        const std::string note = std::string("AUCRECALL_THREADS=") + threads;
                        EXPECT_TRUE(matches_reference(k, d.labels(), d.scores(),
                                                      Case{.ties = ties, .dist = data::name(dist), .positives = "half",
                                                           .seed = seed_for(n), .note = note}));
                        EXPECT_TRUE(matches_reference(k, f.labels(), f.scores(),
                                                      Case{.ties = ties, .dist = data::name(dist), .positives = "rare",
                                                           .seed = seed_for(n), .note = note}));
                    }
                }
            }
    }
}

TEST(Registry, AucRecallAcceptsContiguousContainers) {
    const std::vector<std::int64_t> labels = {1, 0, 1, 1, 0};
    const std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
    EXPECT_EQ(aucrecall::auc_recall(labels, scores), 0.8);
    const std::array<std::uint8_t, 5> u8 = {1, 0, 1, 1, 0};
    const float f32[] = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};
    EXPECT_EQ(aucrecall::auc_recall(u8, f32, {.kernel = "fused", .ties = Ties::stable}), 0.8);
    const bool flags[] = {true, false, true, true, false};
    EXPECT_EQ(aucrecall::auc_recall(std::span<const bool>(flags), std::span<const double>(scores)), 0.8);
}

}  // namespace
