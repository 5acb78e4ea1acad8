// The (negative, positive) pair counts of one small group, all p*q compares vectorised: written
// once over xsimd's architecture tag, compiled in the per-instruction-set translation units
// (simd/isa_unit.cpp.in) and chosen at run time like simd_scan. Used by the grouped evaluation
// (groups.cpp) where groups of tens to hundreds of items make sorting the slower way.
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls, so no inline function
// compiled for a wide instruction set can be the copy the linker keeps for narrower code.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

namespace aucrecall::pair_count_detail {

namespace {

template <class Arch, class Score>
PairTotals count_pairs(const Score* pos, std::size_t p, const Score* neg, std::size_t q) {
    using batch = xsimd::batch<Score, Arch>;
    constexpr std::size_t width = batch::size;
    // Per-lane counts in the score type: exact while a lane counts fewer than 2^24 pairs (float)
    // or 2^53 (double); callers stay far below (tuning::group_pairwise_max_pairs).
    batch higher(Score(0)), equal(Score(0));
    const batch one(Score(1)), zero(Score(0));
    std::uint64_t higher_tail = 0, equal_tail = 0;
    const std::size_t full = q - q % width;
    for (std::size_t i = 0; i < p; ++i) {
        const batch x(pos[i]);
        for (std::size_t j = 0; j < full; j += width) {
            const batch y = batch::load_unaligned(neg + j);
            higher += xsimd::select(y > x, one, zero);
            equal += xsimd::select(y == x, one, zero);
        }
        for (std::size_t j = full; j < q; ++j) {
            higher_tail += neg[j] > pos[i];
            equal_tail += neg[j] == pos[i];
        }
    }
    return {static_cast<std::uint64_t>(xsimd::hadd(higher)) + higher_tail,
            static_cast<std::uint64_t>(xsimd::hadd(equal)) + equal_tail};
}

}  // namespace
}  // namespace aucrecall::pair_count_detail
