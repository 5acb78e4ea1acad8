// The ranking phase of the kernels that rank every item (naive_loop, stl, simd_scan): a
// permutation of the items, highest score first. Internal, not installed.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace aucrecall::detail {

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
// applied afterwards. Those kernels' `rank` phase (runtime/phase_timer.hpp) is this call alone.
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

}  // namespace aucrecall::detail
