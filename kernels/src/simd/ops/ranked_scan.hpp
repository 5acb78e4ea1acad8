// The ranked list's scan (SPEC.md "Ranked input") over one block of at most 2^16 ranks: the
// positives, the sum of their block-local ranks, and the OR of every label (any bit but bit 0
// set means a label other than 0/1). Written once over xsimd's architecture tag and compiled in
// the per-instruction-set translation units (simd/isa_unit.cpp.in); ranked.cpp picks one at run time.
//
// No multiply in the loop (32-bit lane multiplies are slow before SSE4.1 and 64-bit ones absent
// before AVX-512): per lane k the positives are summed into R, and R itself into RR, once per step
// of W lanes; after C steps the positives of step c have been counted C - c times in RR, so
//   sum over steps of c * y(c, k) = C * R(k) - RR(k),
// and the block-local rank of y(c, k) is c * W + k (bytes: four per 32-bit lane, see below).
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls, so no inline function
// compiled for a wide instruction set can be the copy the linker keeps for narrower code.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

namespace aucrecall::ranked_detail {

namespace {

template <class Word>
void scalar_tail(const Word* y, std::uint32_t from, std::uint32_t count, BlockSums& sums) {
    for (std::uint32_t r = from; r < count; ++r) {
        const auto v = static_cast<std::uint64_t>(y[r]);
        sums.label_bits |= v;
        sums.positives += v & 1;
        sums.rank_sum += r & (0 - (v & 1));
    }
}

// 32- or 64-bit labels: one label per lane.
template <class Arch, class Word>
BlockSums block_words(const Word* y, std::uint32_t count) {
    using batch = xsimd::batch<Word, Arch>;
    constexpr std::uint32_t width = batch::size;
    batch bits(Word(0)), running(Word(0)), running_sums(Word(0));
    const std::uint32_t steps = count / width;
    for (std::uint32_t c = 0; c < steps; ++c) {
        const batch v = batch::load_unaligned(y + c * width);
        bits |= v;
        running += v;
        running_sums += running;
    }
    alignas(64) Word r[width], rr[width], b[width];
    running.store_aligned(r);
    running_sums.store_aligned(rr);
    bits.store_aligned(b);
    BlockSums sums;
    for (std::uint32_t k = 0; k < width; ++k) {
        sums.label_bits |= b[k];
        sums.positives += r[k];
        sums.rank_sum += std::uint64_t{width} * (std::uint64_t{steps} * r[k] - rr[k]) + std::uint64_t{k} * r[k];
    }
    scalar_tail(y, steps * width, count, sums);
    return sums;
}

// Bytes: a 32-bit lane holds four labels (little-endian: byte j of lane k is label 4k + j),
// separated with shifts and masks; per lane, R sums the four, T their offsets j (0..3).
template <class Arch>
BlockSums block_bytes(const std::uint8_t* y, std::uint32_t count) {
    using batch = xsimd::batch<std::uint32_t, Arch>;
    constexpr std::uint32_t lanes = batch::size, width = 4 * lanes;
    const batch low_byte(0xFFu);
    batch bits(0u), running(0u), running_sums(0u), offsets(0u);
    const std::uint32_t steps = count / width;
    for (std::uint32_t c = 0; c < steps; ++c) {
        const batch v = xsimd::bitwise_cast<batch>(
            xsimd::batch<std::uint8_t, Arch>::load_unaligned(y + c * width));
        bits |= v;
        const batch b3 = v >> 24;
        const batch b2 = (v >> 16) & low_byte;
        const batch b1 = (v >> 8) & low_byte;
        const batch b0 = v & low_byte;
        const batch upper2 = b2 + b3;
        const batch upper3 = b1 + upper2;
        running += b0 + upper3;
        running_sums += running;
        offsets += upper3 + upper2 + b3;  // 1*b1 + 2*b2 + 3*b3
    }
    alignas(64) std::uint32_t r[lanes], rr[lanes], t[lanes], b[lanes];
    running.store_aligned(r);
    running_sums.store_aligned(rr);
    offsets.store_aligned(t);
    bits.store_aligned(b);
    BlockSums sums;
    for (std::uint32_t k = 0; k < lanes; ++k) {
        sums.label_bits |= (b[k] | b[k] >> 8 | b[k] >> 16 | b[k] >> 24) & 0xFFu;  // OR of its bytes
        sums.positives += r[k];
        sums.rank_sum += std::uint64_t{width} * (std::uint64_t{steps} * r[k] - rr[k]) +
                         std::uint64_t{4 * k} * r[k] + t[k];
    }
    scalar_tail(y, steps * width, count, sums);
    return sums;
}

}  // namespace
}  // namespace aucrecall::ranked_detail
