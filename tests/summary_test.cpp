// Mergeable summaries (SPEC.md "Partitioned input"): the counts against brute force, the metric
// of a summary against compute() bit for bit, and merges of score-range parts against the whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <type_traits>
#include <vector>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"

namespace {

using aucrecall::RankSumSummary;
using aucrecall::Ties;
using u128 = unsigned __int128;

bool same_bits(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

struct Brute {
    u128 d = 0, t = 0, ts = 0;
};
// All (negative, positive) pairs; -0.0 == 0.0 as everywhere.
template <class Label, class Score>
Brute brute(const std::vector<Label>& y, const std::vector<Score>& s) {
    Brute b;
    for (std::size_t i = 0; i < y.size(); ++i)
        for (std::size_t j = 0; j < y.size(); ++j) {
            if (y[i] || !y[j]) continue;  // i negative, j positive
            if (s[i] > s[j]) ++b.d;
            if (s[i] == s[j]) {
                ++b.t;
                if (i < j) ++b.ts;
            }
        }
    return b;
}

// bool labels live in bytes (std::vector<bool> has no contiguous bools); label_span views them.
template <class Label>
using LabelStore = std::vector<std::conditional_t<std::is_same_v<Label, bool>, std::uint8_t, Label>>;
template <class Label>
std::span<const Label> label_span(const LabelStore<Label>& v) {
    return {reinterpret_cast<const Label*>(v.data()), v.size()};
}

// Scores from a small pool (big tie groups, signed zeros, infinities) or spread out.
template <class Label, class Score>
void random_input(aucrecall::data::Rng& rng, std::size_t n, LabelStore<Label>& y, std::vector<Score>& s) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const std::uint64_t distinct = 1 + rng.below(n + 4);
    const std::uint64_t positive_per_256 = rng.below(257);
    y.resize(n);
    s.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = rng.below(256) < positive_per_256 ? 1 : 0;
        const std::uint64_t k = rng.below(distinct);
        const double v = k == 0 ? -inf : k == 1 ? inf : k == 2 ? -0.0 : k == 3 ? 0.0 : static_cast<double>(k) * 0.25 - 3;
        s[i] = static_cast<Score>(v);
    }
}

TEST(Summary, CountsAndMetricMatchBruteForceAndCompute) {
    aucrecall::data::Rng rng(20261203);
    for (std::size_t n = 0; n <= 80; ++n)
        for (int rep = 0; rep < 40; ++rep) {
            LabelStore<std::int64_t> y;
            std::vector<double> s;
            random_input<std::int64_t>(rng, n, y, s);
            const Brute b = brute(y, s);
            for (Ties ties : {Ties::average, Ties::stable}) {
                const RankSumSummary sum = aucrecall::summarize(y, s, ties);
                ASSERT_EQ(sum.n, n);
                ASSERT_EQ(sum.positives, static_cast<std::uint64_t>(std::count(y.begin(), y.end(), 1)));
                ASSERT_TRUE(sum.discordant == b.d) << "n=" << n;
                ASSERT_TRUE(sum.tied == b.t) << "n=" << n;
                if (ties == Ties::stable) {
                    ASSERT_TRUE(sum.tied_negative_first == b.ts) << "n=" << n;
                }
                const double expected = aucrecall::auc_recall(y, s, {.ties = ties});
                ASSERT_TRUE(same_bits(aucrecall::metric(sum), expected))
                    << "n=" << n << " " << aucrecall::metric(sum) << " vs " << expected;
            }
        }
}

// Parts by score range (a tie group never split), each keeping the input order of its items,
// merged back in every adjacent order: the summary and the metric of the whole.
template <class Label, class Score>
void check_merges(std::size_t n, std::uint64_t seed) {
    aucrecall::data::Rng rng(seed);
    LabelStore<Label> y;
    std::vector<Score> s;
    random_input<Label>(rng, n, y, s);
    std::vector<double> cuts;  // part boundaries: distinct score values, ascending
    for (Score v : s) cuts.push_back(static_cast<double>(v) + 0.0);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<double> chosen;
    for (double c : cuts)
        if (rng.below(3) == 0) chosen.push_back(c);
    // part p holds the scores in [chosen[p-1], chosen[p]) (part 0 below chosen[0])
    const std::size_t parts = chosen.size() + 1;
    for (Ties ties : {Ties::average, Ties::stable}) {
        std::vector<RankSumSummary> summaries;
        for (std::size_t p = 0; p < parts; ++p) {
            LabelStore<Label> py;
            std::vector<Score> ps;
            for (std::size_t i = 0; i < n; ++i) {
                const double v = static_cast<double>(s[i]);
                const bool above_low = p == 0 || v >= chosen[p - 1];
                const bool below_high = p == chosen.size() || v < chosen[p];
                if (above_low && below_high) py.push_back(y[i]), ps.push_back(s[i]);
            }
            summaries.push_back(aucrecall::summarize(label_span<Label>(py), std::span<const Score>(ps), ties));
        }
        const RankSumSummary whole = aucrecall::summarize(label_span<Label>(y), std::span<const Score>(s), ties);
        RankSumSummary up, down;
        up.ties = down.ties = ties;
        for (std::size_t p = 0; p < parts; ++p) up = aucrecall::merge(up, summaries[p]);
        for (std::size_t p = parts; p-- > 0;) down = aucrecall::merge(summaries[p], down);
        for (const RankSumSummary& merged : {up, down}) {
            ASSERT_EQ(merged.n, whole.n);
            ASSERT_EQ(merged.positives, whole.positives);
            ASSERT_TRUE(merged.discordant == whole.discordant) << "n=" << n << " seed=" << seed;
            ASSERT_TRUE(merged.tied == whole.tied);
            ASSERT_TRUE(merged.tied_negative_first == whole.tied_negative_first);
            ASSERT_EQ(merged.top_size, whole.top_size);
            ASSERT_EQ(merged.top_positives, whole.top_positives);
            ASSERT_EQ(merged.top_first_positive, whole.top_first_positive);
            const double expected = aucrecall::auc_recall(label_span<Label>(y), s, {.ties = ties});
            ASSERT_TRUE(same_bits(aucrecall::metric(merged), expected)) << "n=" << n << " seed=" << seed;
        }
    }
}

TEST(Summary, MergedScoreRangesEqualTheWhole) {
    for (std::size_t n : {0, 1, 2, 3, 7, 16, 17, 100, 257, 1000})
        for (std::uint64_t seed = 1; seed <= 12; ++seed) {
            check_merges<std::int64_t, double>(n, seed);
            check_merges<std::uint8_t, float>(n, seed + 100);
            check_merges<bool, double>(n, seed + 200);
            check_merges<std::int32_t, float>(n, seed + 300);
        }
}

// Past the sizes where the default kernel is radix_rank_mt (threads, bucket records).
TEST(Summary, LargeInputsThroughTheThreadedKernel) {
    for (auto dist : {aucrecall::data::Dist::uniform, aucrecall::data::Dist::heavy_ties}) {
        const auto d = aucrecall::data::generate<std::int64_t, double>(100000, dist, 5);
        for (Ties ties : {Ties::average, Ties::stable}) {
            const RankSumSummary sum = aucrecall::summarize(d.labels(), d.scores(), ties);
            EXPECT_TRUE(same_bits(aucrecall::metric(sum), aucrecall::auc_recall(d.labels(), d.scores(), {.ties = ties})));
        }
    }
    check_merges<std::int64_t, double>(60000, 77);
}

TEST(Summary, OverlappingRangesAndMixedPoliciesAreRefused) {
    const std::vector<std::int64_t> y = {1, 0};
    const auto a = aucrecall::summarize(y, std::vector<double>{0.5, 0.9});
    const auto b = aucrecall::summarize(y, std::vector<double>{0.7, 0.1});
    EXPECT_THROW((void)aucrecall::merge(a, b), std::invalid_argument);
    const auto zero = aucrecall::summarize(y, std::vector<double>{0.0, 0.0});
    const auto minus_zero = aucrecall::summarize(y, std::vector<double>{-0.0, -1.0});
    EXPECT_THROW((void)aucrecall::merge(zero, minus_zero), std::invalid_argument);  // 0.0 ties -0.0
    const auto stable = aucrecall::summarize(y, std::vector<double>{2.0, 3.0}, Ties::stable);
    EXPECT_THROW((void)aucrecall::merge(a, stable), std::invalid_argument);
    const RankSumSummary empty;
    const auto same = aucrecall::merge(empty, a);
    EXPECT_TRUE(same_bits(aucrecall::metric(same), aucrecall::metric(a)));
    EXPECT_TRUE(std::isnan(aucrecall::metric(empty)));
}

TEST(Summary, BadInputNamesTheIndexLikeValidate) {
    const std::vector<std::int64_t> y = {1, 0, 2, 1};
    const std::vector<double> s = {0.1, 0.2, 0.3, 0.4};
    try {
        (void)aucrecall::summarize(y, s);
        FAIL() << "no throw";
    } catch (const aucrecall::InvalidInput& e) {
        EXPECT_EQ(e.index(), 2u);
    }
    const std::vector<std::int64_t> ok = {1, 0, 1, 1};
    const std::vector<double> nan = {0.1, std::nan(""), 0.3, 0.4};
    try {
        (void)aucrecall::summarize(ok, nan);
        FAIL() << "no throw";
    } catch (const aucrecall::InvalidInput& e) {
        EXPECT_EQ(e.index(), 1u);
    }
}

}  // namespace

namespace {

// The per-partition pieces of aucrecall::partitioned against the whole input's counts.
TEST(Partitioned, ScanCountAgainstAndComputeTopGiveTheWholeInputsValues) {
    namespace part = aucrecall::partitioned;
    aucrecall::data::Rng rng(42);
    for (std::size_t n : {0, 1, 5, 40, 300, 2000})
        for (int rep = 0; rep < 6; ++rep) {
            LabelStore<std::int64_t> y;
            std::vector<double> s;
            random_input<std::int64_t>(rng, n, y, s);
            const std::size_t cut1 = n / 3, cut2 = 2 * n / 3;  // three partitions
            const std::size_t starts[] = {0, cut1, cut2, n};
            std::uint64_t positives = 0, scanned = 0;
            std::vector<std::uint64_t> pos_keys, pos_positions;
            for (int p = 0; p < 3; ++p) {
                const std::span<const std::int64_t> py(y.data() + starts[p], starts[p + 1] - starts[p]);
                const std::span<const double> ps(s.data() + starts[p], starts[p + 1] - starts[p]);
                const part::PartitionScan sc = part::scan(aucrecall::make_input(py, ps));
                scanned += sc.n;
                positives += sc.positives;
                std::uint64_t in_bins = 0;
                for (std::size_t b = 0; b < sc.bins.size(); ++b) {
                    in_bins += sc.bin_positives[b] + sc.bin_negatives[b];
                    if (b > 0) {
                        ASSERT_LT(sc.bins[b - 1], sc.bins[b]);
                    }
                }
                ASSERT_EQ(in_bins, sc.n);
                for (std::size_t i = 0; i < py.size(); ++i) {
                    if (py[i]) pos_keys.push_back(part::score_key(ps[i])), pos_positions.push_back(starts[p] + i);
                }
            }
            ASSERT_EQ(scanned, n);
            std::vector<std::size_t> order(pos_keys.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return pos_keys[a] != pos_keys[b] ? pos_keys[a] < pos_keys[b] : pos_positions[a] < pos_positions[b];
            });
            std::vector<std::uint64_t> keys, positions;
            for (std::size_t i : order) keys.push_back(pos_keys[i]), positions.push_back(pos_positions[i]);
            const RankSumSummary whole = aucrecall::summarize(y, s, Ties::stable);
            ASSERT_EQ(positives, whole.positives);
            u128 d = 0, t = 0, ts = 0;
            for (int p = 0; p < 3; ++p) {
                const std::span<const std::int64_t> py(y.data() + starts[p], starts[p + 1] - starts[p]);
                const std::span<const double> ps(s.data() + starts[p], starts[p + 1] - starts[p]);
                const part::PairTotals c =
                    part::count_against(aucrecall::make_input(py, ps), starts[p], keys, positions, true, Ties::stable);
                d += c.discordant, t += c.tied, ts += c.tied_negative_first;
            }
            ASSERT_TRUE(d == whole.discordant && t == whole.tied && ts == whole.tied_negative_first) << "n=" << n;
            // metric@K from the items at or above the K-th score, in input order.
            for (std::uint64_t k = 1; k < n; k += 1 + n / 7) {
                std::vector<double> sorted(s.begin(), s.end());
                std::sort(sorted.begin(), sorted.end(), std::greater<>());
                const double threshold = sorted[k - 1];
                LabelStore<std::int64_t> ty;
                std::vector<double> ts_scores;
                for (std::size_t i = 0; i < n; ++i)
                    if (s[i] >= threshold) ty.push_back(y[i]), ts_scores.push_back(s[i]);
                const std::uint64_t elsewhere =
                    positives - static_cast<std::uint64_t>(std::count(ty.begin(), ty.end(), 1));
                for (Ties ties : {Ties::average, Ties::stable}) {
                    const double got = part::compute_top(aucrecall::make_input(label_span<std::int64_t>(ty),
                                                                               std::span<const double>(ts_scores)),
                                                         k, elsewhere, ties);
                    ASSERT_TRUE(same_bits(got, aucrecall::auc_recall(y, s, {.ties = ties, .k = k}))) << n << " " << k;
                }
                // The same with the tie group at rank K-1 cut after the items needed to reach
                // rank K-1 (the rest given as counts: compute_top's left-out tied items).
                std::uint64_t above = 0;
                for (double x : s) above += x > threshold;
                LabelStore<std::int64_t> cy;
                std::vector<double> cs;
                std::uint64_t tied_kept = 0, tied_left = 0, tied_left_positives = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    if (s[i] > threshold || (s[i] == threshold && tied_kept < k - above)) {
                        tied_kept += s[i] == threshold;
                        cy.push_back(y[i]), cs.push_back(s[i]);
                    } else if (s[i] == threshold) {
                        ++tied_left, tied_left_positives += y[i] == 1;
                    }
                }
                const std::uint64_t cut_elsewhere =
                    positives - static_cast<std::uint64_t>(std::count(cy.begin(), cy.end(), 1));
                for (Ties ties : {Ties::average, Ties::stable}) {
                    const double got = part::compute_top(
                        aucrecall::make_input(label_span<std::int64_t>(cy), std::span<const double>(cs)), k,
                        cut_elsewhere, ties, tied_left, tied_left_positives);
                    ASSERT_TRUE(same_bits(got, aucrecall::auc_recall(y, s, {.ties = ties, .k = k})))
                        << "cut tie group: n " << n << " k " << k << " left " << tied_left;
                }
                EXPECT_THROW((void)part::compute_top(aucrecall::make_input(label_span<std::int64_t>(cy),
                                                                            std::span<const double>(cs)),
                                                     k, cut_elsewhere, Ties::average, 1, 2),
                             std::invalid_argument);
            }
        }
}

}  // namespace
