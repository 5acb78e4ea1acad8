// The rank-sum identity (SPEC.md): the integers every rank-sum path counts and the one final
// formula that turns them into the metric, plus the order key that lets those paths compare
// scores as unsigned integers. Internal, not installed.
#pragma once

#include "api/input.hpp"

#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

namespace aucrecall::detail {

inline double undefined() noexcept { return std::numeric_limits<double>::quiet_NaN(); }

// Counting positives is the one pass every kernel needs before it knows whether the metric is
// defined. Labels are validated 0/1, so summing them is the count.
template <class Label>
std::uint64_t count_positives(std::span<const Label> labels) noexcept {
    std::uint64_t p = 0;
    for (Label l : labels) p += static_cast<std::uint64_t>(l);
    return p;
}

// The tie-group sweep, written once for every kernel that holds its items in rank order
// (fused's sorted pairs, the tiny-input insertion sort, the cutoff's top ranks): a group is a
// maximal run of ranks [a, b) whose scores tie. positive(r): the label at rank r;
// same_score(r - 1, r): whether rank r ties with the rank before it. visit(a, b, positives in
// the group) sees the groups in rank order and returns false to stop the sweep.
template <class PositiveAt, class SameScore, class Visit>
void for_each_tie_group(std::uint64_t n, const PositiveAt& positive, const SameScore& same_score,
                        Visit&& visit) {
    for (std::uint64_t a = 0; a < n;) {
        std::uint64_t b = a + 1, group_positives = positive(a) ? 1 : 0;
        for (; b < n && same_score(b - 1, b); ++b) group_positives += positive(b) ? 1 : 0;
        if (!visit(a, b, group_positives)) return;
        a = b;
    }
}

// Result of the rank-sum identity (SPEC.md):
//   metric = (2nP - 2S - y0 - P) / (2nP - P^2 - 1)
// with S and y0 possibly expectations. Callers pass twice S as an integer (2*E[S] is an integer:
// P(P-1) + 2D + T) and y0 as the fraction y0_num / y0_den (p_top / m_top under `average`).
// All arithmetic is exact in 128-bit integers until the one final division.
inline double rank_sum_metric(std::uint64_t n, std::uint64_t positives, unsigned __int128 twice_s,
                              std::uint64_t y0_num, std::uint64_t y0_den) noexcept {
    if (positives == 0 || n < 2 || y0_den == 0) return undefined();
    using i128 = __int128;
    const i128 n_ = static_cast<i128>(n), p = static_cast<i128>(positives);
    const i128 num = (2 * n_ * p - static_cast<i128>(twice_s) - p) * static_cast<i128>(y0_den) -
                     static_cast<i128>(y0_num);
    const i128 den = (2 * n_ * p - p * p - 1) * static_cast<i128>(y0_den);
    if (den <= 0) return undefined();
    constexpr i128 exact_limit = i128{1} << 53;
    if (num >= 0 && num < exact_limit && den < exact_limit)
        return static_cast<double>(num) / static_cast<double>(den);  // correctly rounded
    // Beyond 2^53 the conversions round; 64-bit-mantissa long double keeps the error < 1 ulp.
    return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
}

// The integers of the rank-sum identity for one input, before the final division: what the
// rank-sum kernels count. Kernels that return these (not just the metric) can also serve the
// cutoff path (cutoff.hpp), which needs S and y0 of the items above the cutoff.
struct RankSumParts {
    std::uint64_t n = 0;
    std::uint64_t positives = 0;
    unsigned __int128 twice_s = 0;  // 2S (2E[S] under `average`), an integer
    std::uint64_t y0_num = 0;       // y0 = y0_num / y0_den
    std::uint64_t y0_den = 1;
    // D and T as counted (under `stable` some kernels fold Ts into D; use the `average` counts
    // where D and T themselves are wanted: evaluation/summary.cpp).
    unsigned __int128 discordant = 0;
    unsigned __int128 tied = 0;
    double metric() const noexcept { return rank_sum_metric(n, positives, twice_s, y0_num, y0_den); }
};

// Order-preserving map of a score to an unsigned integer: a < b  <=>  key(a) < key(b), and
// -0.0 and 0.0 map to the same key (they tie). Requires a non-NaN score.
inline std::uint64_t order_key(double x) noexcept {
    x += 0.0;  // -0.0 + 0.0 == +0.0: folds the two zeros together
    const auto bits = std::bit_cast<std::uint64_t>(x);
    return (bits >> 63) ? ~bits : (bits | (std::uint64_t{1} << 63));
}
inline std::uint32_t order_key(float x) noexcept {
    x += 0.0f;
    const auto bits = std::bit_cast<std::uint32_t>(x);
    return (bits >> 31) ? ~bits : (bits | (std::uint32_t{1} << 31));
}

// The order key's type: 32 bits for float scores, 64 for double.
template <class Score>
using score_key_t = std::conditional_t<std::is_same_v<Score, float>, std::uint32_t, std::uint64_t>;

}  // namespace aucrecall::detail
