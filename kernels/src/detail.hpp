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
#include <string>
#include <span>
#include <stdexcept>
#include <type_traits>
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

// ---- input checks (SPEC.md: what is rejected, naming the index) ----
// Labels read as the unsigned word of their size: bool and uint8 as bytes, int32 and int64 as
// 32- and 64-bit words (a negative label then shows bits other than bit 0, like any stray value).
// Reading a label through it is allowed: bool as unsigned char, the signed integers through
// their unsigned counterparts.
template <class Label>
using label_word_t = std::conditional_t<sizeof(Label) == 1, std::uint8_t,
                                        std::conditional_t<sizeof(Label) == 4, std::uint32_t, std::uint64_t>>;

template <class Label>
void check_labels(std::span<const Label> labels) {
    if constexpr (std::is_same_v<Label, bool>) {
        // A bool stored as a byte other than 0/1 (a byte buffer viewed as bool, say) has no
        // defined value: named, not read.
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(labels.data());
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (bytes[i] > 1)
                throw InvalidInput("label at index " + std::to_string(i) + " has the byte value " +
                                       std::to_string(static_cast<unsigned>(bytes[i])) +
                                       "; a bool label must be stored as 0 or 1",
                                   i);
    } else {
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] != 0 && labels[i] != 1)
                throw InvalidInput("label at index " + std::to_string(i) + " is " +
                                       std::to_string(static_cast<long long>(labels[i])) +
                                       "; labels must be 0 or 1",
                                   i);
    }
}

template <class Label, class Score>
void check(std::span<const Label> labels, std::span<const Score> scores) {
    check_labels(labels);
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isnan(scores[i]))
            throw InvalidInput("score at index " + std::to_string(i) + " is NaN", i);
}

// Calls fn(std::span<const Label>) with the real label type.
template <class Fn>
decltype(auto) visit_labels(const void* data, std::size_t n, LabelType type, Fn&& fn) {
    switch (type) {
        case LabelType::boolean: return fn(std::span<const bool>(static_cast<const bool*>(data), n));
        case LabelType::u8: return fn(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), n));
        case LabelType::i32: return fn(std::span<const std::int32_t>(static_cast<const std::int32_t*>(data), n));
        case LabelType::i64: break;
    }
    return fn(std::span<const std::int64_t>(static_cast<const std::int64_t*>(data), n));
}


// std::length_error for n beyond the library's limit (aucrecall.hpp: max_items).
inline void check_size(std::size_t n) {
    if (n > max_items)
        throw std::length_error("input of " + std::to_string(n) + " items exceeds the library's limit of " +
                                std::to_string(max_items) + " (2^40) items");
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

}  // namespace aucrecall::detail
