// The counts of one small group under `average` ties, all p*q (negative, positive) compares
// vectorised: written once over xsimd's architecture tag, compiled in the per-instruction-set
// translation units (simd/isa_unit.cpp.in) and chosen at run time like simd_scan. Used by the
// grouped evaluation (groups.cpp) where groups of tens to hundreds of items make sorting the
// slower way.
//
// Both lists arrive padded with NaN to a multiple of pair_pad (entry_types.hpp): NaN compares
// false with everything, so whole vectors are read with no scalar tail and the padding counts
// nothing. Four positives share each load of negatives, and each of them has its own
// accumulators: one accumulator per pass made every add wait for the previous one (the loop ran
// at the add's latency, not at the machine's throughput).
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
Score highest_of(const Score* pos, std::size_t pos_end, const Score* neg, std::size_t neg_end) {
    using batch = xsimd::batch<Score, Arch>;
    constexpr std::size_t width = batch::size;
    // select(y > top, y, top) skips NaN (the padding): the comparison is false.
    batch top(Score(-__builtin_inf()));
    for (std::size_t j = 0; j < pos_end; j += width) {
        const batch y = batch::load_unaligned(pos + j);
        top = xsimd::select(y > top, y, top);
    }
    for (std::size_t j = 0; j < neg_end; j += width) {
        const batch y = batch::load_unaligned(neg + j);
        top = xsimd::select(y > top, y, top);
    }
    alignas(64) Score lanes[width];
    top.store_aligned(lanes);
    Score highest = lanes[0];
    for (std::size_t k = 1; k < width; ++k) highest = lanes[k] > highest ? lanes[k] : highest;
    return highest;
}

template <class Arch, class Score>
std::uint64_t count_equal(const Score* values, std::size_t end, Score value) {
    using batch = xsimd::batch<Score, Arch>;
    constexpr std::size_t width = batch::size;
    const batch x(value), one(Score(1)), zero(Score(0));
    batch count(Score(0));
    for (std::size_t j = 0; j < end; j += width)
        count += xsimd::select(batch::load_unaligned(values + j) == x, one, zero);
    return static_cast<std::uint64_t>(xsimd::hadd(count));
}

template <class Arch, class Score>
PairTotals count_pairs(const Score* pos, std::size_t p, const Score* neg, std::size_t q) {
    using batch = xsimd::batch<Score, Arch>;
    constexpr std::size_t width = batch::size;
    constexpr std::size_t block = 4;  // positives per pass over the negatives
    static_assert(pair_pad % width == 0 && pair_pad % block == 0);
    const std::size_t pos_end = (p + width - 1) / width * width;
    const std::size_t neg_end = (q + width - 1) / width * width;
    const std::size_t pos_blocks = (p + block - 1) / block * block;
    // Per-lane counts in the score type: exact while a lane counts fewer than 2^24 pairs (float)
    // or 2^53 (double); callers stay far below (tuning::group_pairwise_max_pairs).
    const batch one(Score(1)), zero(Score(0));
    batch higher0(Score(0)), higher1(Score(0)), higher2(Score(0)), higher3(Score(0));
    batch equal0(Score(0)), equal1(Score(0)), equal2(Score(0)), equal3(Score(0));
    for (std::size_t i = 0; i < pos_blocks; i += block) {
        const batch x0(pos[i]), x1(pos[i + 1]), x2(pos[i + 2]), x3(pos[i + 3]);
        for (std::size_t j = 0; j < neg_end; j += width) {
            const batch y = batch::load_unaligned(neg + j);
            higher0 += xsimd::select(y > x0, one, zero);
            equal0 += xsimd::select(y == x0, one, zero);
            higher1 += xsimd::select(y > x1, one, zero);
            equal1 += xsimd::select(y == x1, one, zero);
            higher2 += xsimd::select(y > x2, one, zero);
            equal2 += xsimd::select(y == x2, one, zero);
            higher3 += xsimd::select(y > x3, one, zero);
            equal3 += xsimd::select(y == x3, one, zero);
        }
    }
    PairTotals totals;
    totals.higher = static_cast<std::uint64_t>(xsimd::hadd((higher0 + higher1) + (higher2 + higher3)));
    totals.equal = static_cast<std::uint64_t>(xsimd::hadd((equal0 + equal1) + (equal2 + equal3)));
    if (p + q > 0) {
        const Score top = highest_of<Arch>(pos, pos_end, neg, neg_end);
        totals.top_positives = count_equal<Arch>(pos, pos_end, top);
        totals.top_negatives = count_equal<Arch>(neg, neg_end, top);
    }
    return totals;
}

}  // namespace
}  // namespace aucrecall::pair_count_detail
