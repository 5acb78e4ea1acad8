// Seeded differential testing: many small random inputs through every kernel and the public
// entry point, against the exact reference (tests/reference.hpp). Every size from 0 to 64, every
// label/score type, both tie policies, and tie patterns from "all scores equal" to "no ties",
// with signed zeros and infinities in the value pool. About 1.2 million kernel results per run; the
// seed is fixed (and printed on failure), so a failure reproduces.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"
#include "kernel_checks.hpp"

namespace {

using aucrecall::Ties;
using kernel_checks::Case;

constexpr std::size_t max_n = 64;
constexpr std::uint64_t seed = 20221126;
// Inputs per (size, type pair): 65 sizes x 8 type pairs x 150 = 78,000 inputs, 156,000 cases with
// both tie policies, each checked for every kernel and the entry point (~1.2 million results;
// about 17 s under the sanitizers).
constexpr int inputs_per_size = 150;

// Distinct score values an input draws from: few values make big tie groups.
double pool_value(std::uint64_t k) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (k) {
        case 0: return -inf;
        case 1: return inf;
        case 2: return -0.0;
        case 3: return 0.0;
        default: return static_cast<double>(k) * 0.125 - 2.0;
    }
}

template <class Label, class Score>
void check_all(aucrecall::data::Rng& rng, std::size_t n, std::uint64_t* checked) {
    aucrecall::data::Dataset<Label, Score> d(n);
    // 1 to n+4 distinct values (n+4: mostly untied); positives from none to all.
    const std::uint64_t distinct = 1 + rng.below(n + 4);
    const std::uint64_t positive_per_256 = rng.below(257);
    for (std::size_t i = 0; i < n; ++i) {
        d.labels()[i] = static_cast<Label>(rng.below(256) < positive_per_256);
        d.scores()[i] = static_cast<Score>(pool_value(rng.below(distinct)));
    }
    const aucrecall::Input input = aucrecall::make_input<Label, Score>(d.labels(), d.scores());
    for (Ties ties : {Ties::average, Ties::stable}) {
        const double expected = reference::metric<Label, Score>(d.labels(), d.scores(), ties);
        const Case c{.ties = ties, .labels = kernel_checks::name(aucrecall::label_type_of<Label>()),
                     .scores = kernel_checks::name(aucrecall::score_type_of<Score>()),
                     .dist = "differential", .n = n, .seed = seed};
        for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
            Case named = c;
            named.kernel = kernel.name;
            ASSERT_TRUE(kernel_checks::agrees(kernel, kernel.run(input, ties), expected, named));
            ++*checked;
        }
        Case entry = c;
        entry.kernel = "compute()";
        ASSERT_TRUE(kernel_checks::agrees(aucrecall::default_kernel(input),
                                          aucrecall::compute(input, {.kernel = {}, .ties = ties}),
                                          expected, entry));
        ++*checked;
    }
}

TEST(Differential, EverySmallSizeTypeTiePatternAndPolicy) {
    aucrecall::data::Rng rng(seed);
    std::uint64_t checked = 0;
    for (std::size_t n = 0; n <= max_n; ++n)
        for (int input = 0; input < inputs_per_size; ++input)
            for (auto label : {aucrecall::LabelType::boolean, aucrecall::LabelType::u8,
                               aucrecall::LabelType::i32, aucrecall::LabelType::i64})
                for (auto score : {aucrecall::ScoreType::f32, aucrecall::ScoreType::f64})
                    kernel_checks::with_types(label, score, [&](auto l, auto s) {
                        check_all<typename decltype(l)::type, typename decltype(s)::type>(rng, n, &checked);
                    });
    RecordProperty("checked_results", static_cast<int>(checked));
    std::printf("differential: %llu kernel results checked against the reference (seed %llu)\n",
                static_cast<unsigned long long>(checked), static_cast<unsigned long long>(seed));
    EXPECT_GT(checked, 1000000u);
}

// ---- the per-query entry points -----------------------------------------------------------------
// The same generator plus a random cutoff K (1 to n + 2) and a random group assignment (1 to 5
// group keys drawn per item, so rows of a group interleave): every kernel's run_at, compute()
// with K, the ranked scan and the grouped evaluation (every group) against the reference.
constexpr int per_query_inputs_per_size = 40;

template <class Label, class Score>
void check_per_query(aucrecall::data::Rng& rng, std::size_t n, std::uint64_t* checked) {
    aucrecall::data::Dataset<Label, Score> d(n);
    const std::uint64_t distinct = 1 + rng.below(n + 4);
    const std::uint64_t positive_per_256 = rng.below(257);
    const std::uint64_t group_count = 1 + rng.below(5);
    std::vector<std::int32_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        d.labels()[i] = static_cast<Label>(rng.below(256) < positive_per_256);
        d.scores()[i] = static_cast<Score>(pool_value(rng.below(distinct)));
        keys[i] = static_cast<std::int32_t>(rng.below(group_count)) * 1000 - 2000;
    }
    const std::uint64_t k = 1 + rng.below(n + 2);
    const aucrecall::Input input = aucrecall::make_input<Label, Score>(d.labels(), d.scores());
    for (Ties ties : {Ties::average, Ties::stable}) {
        const double expected = reference::metric_at<Label, Score>(std::as_const(d).labels(), std::as_const(d).scores(), ties, k);
        const Case c{.ties = ties, .labels = kernel_checks::name(aucrecall::label_type_of<Label>()),
                     .scores = kernel_checks::name(aucrecall::score_type_of<Score>()),
                     .dist = "differential per-query", .n = n, .seed = seed, .note = "k=" + std::to_string(k)};
        for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
            Case named = c;
            named.kernel = kernel.name;
            ASSERT_TRUE(kernel_checks::agrees(kernel, kernel.run_at(input, ties, k), expected, named));
            ++*checked;
        }
        const double by_default = aucrecall::compute(input, {.ties = ties, .k = k});
        ASSERT_TRUE(std::isnan(expected) ? std::isnan(by_default) : by_default == expected)
            << "compute() k=" << k << " n=" << n << " got " << by_default << " want " << expected;
        // groups: each group's items in input order, as their own input
        const auto grouped = aucrecall::auc_recall_grouped(d.labels(), d.scores(), keys, {.ties = ties, .k = k});
        for (std::size_t g = 0; g < grouped.groups.size(); ++g) {
            aucrecall::data::Dataset<Label, Score> part(grouped.n[g]);
            std::size_t m = 0;
            for (std::size_t i = 0; i < n; ++i)
                if (keys[i] == grouped.groups[g]) part.labels()[m] = d.labels()[i], part.scores()[m++] = d.scores()[i];
            ASSERT_EQ(m, grouped.n[g]);
            const double want = reference::metric_at<Label, Score>(std::as_const(part).labels(), std::as_const(part).scores(), ties, k);
            ASSERT_TRUE(std::isnan(want) ? std::isnan(grouped.values[g]) : grouped.values[g] == want)
                << "group " << grouped.groups[g] << " k=" << k << " n=" << n << " ties=" << aucrecall::to_string(ties);
            ++*checked;
        }
        *checked += 1;
    }
    const double ranked = aucrecall::auc_recall_ranked(d.labels(), k);
    const double ranked_want = reference::to_double(reference::exact_ranked(std::span<const Label>(d.labels()), k));
    ASSERT_TRUE(std::isnan(ranked_want) ? std::isnan(ranked) : ranked == ranked_want) << "ranked k=" << k << " n=" << n;
    ++*checked;
}

TEST(Differential, PerQueryEntryPointsEverySmallSizeTypeAndCutoff) {
    aucrecall::data::Rng rng(seed + 9);
    std::uint64_t checked = 0;
    for (std::size_t n = 0; n <= max_n; ++n)
        for (int input = 0; input < per_query_inputs_per_size; ++input)
            for (auto label : {aucrecall::LabelType::boolean, aucrecall::LabelType::u8,
                               aucrecall::LabelType::i32, aucrecall::LabelType::i64})
                for (auto score : {aucrecall::ScoreType::f32, aucrecall::ScoreType::f64})
                    kernel_checks::with_types(label, score, [&](auto l, auto s) {
                        check_per_query<typename decltype(l)::type, typename decltype(s)::type>(rng, n, &checked);
                    });
    std::printf("differential per-query: %llu results checked against the reference (seed %llu)\n",
                static_cast<unsigned long long>(checked), static_cast<unsigned long long>(seed + 9));
    EXPECT_GT(checked, 300000u);
}

}  // namespace

// ---- integer scores -------------------------------------------------------------------------------
// int32, int64 and uint64 scores drawn from a pool that holds neighbours a float64 cannot tell
// apart (2^53 + 1 next to 2^53, the type's extremes), through every entry point that takes them:
// compute() with each kernel named, compute() at a random K, the grouped evaluation, and the
// summary (exact within +-2^53, refused beyond). A conversion through double would turn those
// neighbours into ties and fail here.
template <class Score>
Score integer_pool_value(std::uint64_t k) {
    constexpr std::int64_t two53 = std::int64_t{1} << 53;
    const std::int64_t small = static_cast<std::int64_t>(k) * 3 - 20;
    if constexpr (std::is_same_v<Score, std::int32_t>) {
        switch (k % 8) {
            case 0: return std::numeric_limits<std::int32_t>::min();
            case 1: return std::numeric_limits<std::int32_t>::max();
            default: return static_cast<std::int32_t>(small);
        }
    } else {
        switch (k % 8) {
            case 0: return std::numeric_limits<Score>::min();
            case 1: return std::numeric_limits<Score>::max();
            case 2: return static_cast<Score>(two53);
            case 3: return static_cast<Score>(two53 + 1);
            case 4: return static_cast<Score>(two53 + 2);
            case 5: return std::is_signed_v<Score> ? static_cast<Score>(-two53 - 1) : std::numeric_limits<Score>::max() - 1;
            default: return static_cast<Score>(std::is_signed_v<Score> ? small : small + 100);
        }
    }
}

template <class Score>
void check_integer_scores(aucrecall::data::Rng& rng, std::size_t n, std::uint64_t* checked) {
    std::vector<std::int64_t> labels(n);
    std::vector<Score> scores(n);
    std::vector<std::int32_t> keys(n);
    const std::uint64_t distinct = 1 + rng.below(n + 4);
    const std::uint64_t positive_per_256 = rng.below(257);
    for (std::size_t i = 0; i < n; ++i) {
        labels[i] = rng.below(256) < positive_per_256;
        scores[i] = integer_pool_value<Score>(rng.below(distinct) + rng.below(8) * 8);
        keys[i] = static_cast<std::int32_t>(rng.below(3));
    }
    const std::uint64_t k = 1 + rng.below(n + 2);
    const aucrecall::Input input = aucrecall::make_input<std::int64_t, Score>(labels, scores);
    const std::string_view type = std::is_same_v<Score, std::int32_t>   ? "i32"
                                  : std::is_same_v<Score, std::int64_t> ? "i64"
                                                                        : "u64";
    for (Ties ties : {Ties::average, Ties::stable}) {
        const Case c{.ties = ties, .labels = "i64", .scores = type, .dist = "integer pool", .n = n, .seed = seed};
        const double expected = reference::metric<std::int64_t, Score>(labels, scores, ties);
        for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
            Case named = c;
            named.kernel = kernel.name;
            ASSERT_TRUE(kernel_checks::agrees(kernel, aucrecall::compute(input, {.kernel = kernel.name, .ties = ties}),
                                              expected, named));
            ++*checked;
        }
        Case at = c;
        at.kernel = "compute() at K";
        at.note = "k = " + std::to_string(k);
        ASSERT_TRUE(kernel_checks::agrees(aucrecall::default_kernel(input),
                                          aucrecall::compute(input, {.ties = ties, .k = k}),
                                          reference::metric_at<std::int64_t, Score>(labels, scores, ties, k), at));
        const aucrecall::GroupSummary groups =
            aucrecall::compute_grouped({input, keys.data(), aucrecall::GroupKeyType::i32}, {.ties = ties});
        for (std::size_t g = 0; g < groups.values.size(); ++g) {
            const std::int32_t key = keys[groups.first_item[g]];
            std::vector<std::int64_t> gl;
            std::vector<Score> gs;
            for (std::size_t i = 0; i < n; ++i)
                if (keys[i] == key) gl.push_back(labels[i]), gs.push_back(scores[i]);
            Case grouped = c;
            grouped.kernel = "compute_grouped";
            grouped.note = "group " + std::to_string(key);
            ASSERT_TRUE(kernel_checks::agrees(aucrecall::default_kernel(input), groups.values[g],
                                              reference::metric<std::int64_t, Score>(gl, gs, ties), grouped));
        }
        bool wide = false;
        for (Score s : scores) {
            const long double v = static_cast<long double>(s);
            wide = wide || v > 9007199254740992.0L || v < -9007199254740992.0L;
        }
        if (wide) {
            EXPECT_THROW(aucrecall::summarize(input, ties), std::invalid_argument);
        } else {
            const double summarized = aucrecall::metric(aucrecall::summarize(input, ties));
            EXPECT_TRUE((std::isnan(summarized) && std::isnan(expected)) || summarized == expected);
        }
        *checked += 2;
    }
}

TEST(Differential, IntegerScoresBeyondTwoToThe53ThroughEveryEntryPoint) {
    aucrecall::data::Rng rng(seed + 53);
    std::uint64_t checked = 0;
    for (std::size_t n = 0; n <= max_n; ++n)
        for (int input = 0; input < per_query_inputs_per_size; ++input) {
            check_integer_scores<std::int32_t>(rng, n, &checked);
            check_integer_scores<std::int64_t>(rng, n, &checked);
            check_integer_scores<std::uint64_t>(rng, n, &checked);
        }
    std::printf("differential: %llu integer-score results checked against the reference\n",
                static_cast<unsigned long long>(checked));
    EXPECT_GT(checked, 50000u);
}

TEST(IntegerScores, KernelsCalledDirectlyRefuseThemAndTheTwoToThe53CaseIsExact) {
    const std::vector<std::int64_t> labels = {1, 0};
    const std::vector<std::int64_t> scores = {std::int64_t{1} << 53, (std::int64_t{1} << 53) + 1};
    const aucrecall::Input input = aucrecall::make_input<std::int64_t, std::int64_t>(labels, scores);
    EXPECT_EQ(aucrecall::auc_recall(labels, scores, {.ties = Ties::stable}), 0.5);
    EXPECT_EQ(aucrecall::auc_recall(labels, scores), 0.5);
    for (const aucrecall::Kernel& kernel : aucrecall::kernels())
        EXPECT_THROW(kernel.run(input, Ties::average), std::invalid_argument) << kernel.name;
    const std::vector<std::int64_t> bad = {1, 2};
    try {
        aucrecall::auc_recall(bad, scores);
        ADD_FAILURE() << "a label of 2 was accepted";
    } catch (const aucrecall::InvalidInput& e) {
        EXPECT_EQ(e.index(), 1u);
    }
}
