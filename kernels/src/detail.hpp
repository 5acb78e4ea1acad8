// Internal helpers shared by the kernels. Not installed, not part of the API.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace aucrecall::detail {

// Calls fn(std::span<const Label>, std::span<const Score>) with the input's real types, so
// each kernel is written once as a template and instantiated for all 8 combinations.
template <class Fn>
decltype(auto) visit(const Input& in, Fn&& fn) {
    auto with_scores = [&](auto labels) -> decltype(auto) {
        if (in.score_type == ScoreType::f32)
            return fn(labels, std::span<const float>(static_cast<const float*>(in.scores), in.n));
        return fn(labels, std::span<const double>(static_cast<const double*>(in.scores), in.n));
    };
    switch (in.label_type) {
        case LabelType::boolean:
            return with_scores(std::span<const bool>(static_cast<const bool*>(in.labels), in.n));
        case LabelType::u8:
            return with_scores(
                std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(in.labels), in.n));
        case LabelType::i32:
            return with_scores(
                std::span<const std::int32_t>(static_cast<const std::int32_t*>(in.labels), in.n));
        case LabelType::i64:
            break;
    }
    return with_scores(
        std::span<const std::int64_t>(static_cast<const std::int64_t*>(in.labels), in.n));
}

inline double undefined() noexcept { return std::numeric_limits<double>::quiet_NaN(); }

// Counting positives is the one pass every kernel needs before it knows whether the metric is
// defined. Labels are validated 0/1, so summing them is the count.
template <class Label>
std::uint64_t count_positives(std::span<const Label> labels) noexcept {
    std::uint64_t p = 0;
    for (Label l : labels) p += static_cast<std::uint64_t>(l);
    return p;
}

// The ranking of SPEC.md step 1 as a permutation: highest score first; ties in input order, so
// it is the stable ranking and also a valid representative for the `average` policy.
template <class Score>
std::vector<std::uint64_t> rank_order(std::span<const Score> scores) {
    std::vector<std::uint64_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::uint64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint64_t a, std::uint64_t b) { return scores[a] > scores[b]; });
    return order;
}

// NumPy's argsort(-scores), the ranking phase of the curve kernels (stl, simd_scan): stable when
// ties must keep input order; any order of a tie group does for `average`, whose tie shares are
// applied afterwards. run() and rank_only() of those kernels both call it, so the benchmark's
// phase breakdown times exactly this code.
template <class Score>
std::vector<std::uint64_t> argsort_descending(std::span<const Score> scores, Ties ties) {
    std::vector<std::uint64_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::uint64_t{0});
    auto higher = [&](std::uint64_t a, std::uint64_t b) { return scores[a] > scores[b]; };
    if (ties == Ties::stable)
        std::stable_sort(order.begin(), order.end(), higher);
    else
        std::sort(order.begin(), order.end(), higher);
    return order;
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

}  // namespace aucrecall::detail
