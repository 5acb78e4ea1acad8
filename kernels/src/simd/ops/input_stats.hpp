// The first pass of the rank-sum kernels over their input, with the input checks fused into it:
// P (the positives), the OR of every label's bits (anything but bit 0 set is a label other than
// 0/1), the lowest and highest finite score, and whether a score is NaN. One read of labels and
// scores replaces the public entry point's separate validation pass and the kernel's own count.
// Written once over xsimd's architecture tag and compiled in the per-instruction-set translation
// units (simd/isa_unit.cpp.in); the scalar version is the yardstick (simd/scalar_entries.cpp, compiled
// without auto-vectorisation) and the vector versions' tail.
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls (constants are
// evaluated at compile time), so no inline function compiled for a wide instruction set can be
// the copy the linker keeps for narrower code.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>

#include <xsimd/xsimd.hpp>

namespace aucrecall::input_stats_detail {

namespace {

template <class Word, class Score>
void scalar_stats(const Word* labels, const Score* scores, std::size_t from, std::size_t n,
                  InputStats& s) {
    constexpr Score largest = std::numeric_limits<Score>::max();
    constexpr Score infinity = std::numeric_limits<Score>::infinity();
    std::uint64_t bits = 0, positives = 0;
    Score low = infinity, high = -infinity;
    bool nan = false;
    for (std::size_t i = from; i < n; ++i) {
        const auto w = static_cast<std::uint64_t>(labels[i]);
        bits |= w;
        positives += w & 1;
        const Score x = scores[i];
        const bool finite = x <= largest && x >= -largest;  // false for NaN and the infinities
        low = finite && x < low ? x : low;
        high = finite && x > high ? x : high;
        nan |= x != x;
    }
    s.label_bits |= bits;
    s.positives += positives;
    s.low = static_cast<double>(low) < s.low ? static_cast<double>(low) : s.low;
    s.high = static_cast<double>(high) > s.high ? static_cast<double>(high) : s.high;
    s.nan |= nan;
}

// Labels one per lane (32- and 64-bit words). Per-lane sums are flushed to 64 bits every
// `block` steps so 32-bit lanes never overflow.
template <class Arch, class Word>
void label_words(const Word* labels, std::size_t steps, InputStats& s) {
    using batch = xsimd::batch<Word, Arch>;
    constexpr std::size_t width = batch::size, block = std::size_t{1} << 16;
    batch bits(Word(0));
    for (std::size_t start = 0; start < steps; start += block) {
        const std::size_t end = start + block < steps ? start + block : steps;
        batch sum(Word(0));
        for (std::size_t c = start; c < end; ++c) {
            const batch v = batch::load_unaligned(labels + c * width);
            bits |= v;
            sum += v;
        }
        alignas(64) Word lanes[width];
        sum.store_aligned(lanes);
        for (std::size_t k = 0; k < width; ++k) s.positives += lanes[k];
    }
    alignas(64) Word lanes[width];
    bits.store_aligned(lanes);
    for (std::size_t k = 0; k < width; ++k) s.label_bits |= lanes[k];
}

// Byte labels, four per 32-bit lane: bit 0 of each byte is summed in place (a byte's counter
// holds at most 255 steps, then the four counters of a lane are folded into 64 bits).
template <class Arch>
void label_bytes(const std::uint8_t* labels, std::size_t steps, InputStats& s) {
    using batch = xsimd::batch<std::uint32_t, Arch>;
    constexpr std::size_t lanes = batch::size, width = 4 * lanes, block = 255;
    const batch low_bits(0x01010101u);
    batch bits(0u);
    for (std::size_t start = 0; start < steps; start += block) {
        const std::size_t end = start + block < steps ? start + block : steps;
        batch counts(0u);
        for (std::size_t c = start; c < end; ++c) {
            const batch v = xsimd::bitwise_cast<batch>(
                xsimd::batch<std::uint8_t, Arch>::load_unaligned(labels + c * width));
            bits |= v;
            counts += v & low_bits;
        }
        alignas(64) std::uint32_t lane[lanes];
        counts.store_aligned(lane);
        for (std::size_t k = 0; k < lanes; ++k)
            s.positives += (lane[k] & 0xFFu) + (lane[k] >> 8 & 0xFFu) + (lane[k] >> 16 & 0xFFu) + (lane[k] >> 24);
    }
    alignas(64) std::uint32_t lane[lanes];
    bits.store_aligned(lane);
    for (std::size_t k = 0; k < lanes; ++k) s.label_bits |= lane[k] | lane[k] >> 8 | lane[k] >> 16 | lane[k] >> 24;
    s.label_bits &= 0xFFu;
}

template <class Arch, class Score>
void score_extremes(const Score* scores, std::size_t steps, InputStats& s) {
    using batch = xsimd::batch<Score, Arch>;
    constexpr std::size_t width = batch::size;
    constexpr Score largest_value = std::numeric_limits<Score>::max();
    constexpr Score infinity_value = std::numeric_limits<Score>::infinity();
    const batch largest(largest_value), infinity(infinity_value), minus_infinity(-infinity_value);
    batch low = infinity, high = minus_infinity;
    auto nan = xsimd::batch_bool<Score, Arch>(false);
    for (std::size_t c = 0; c < steps; ++c) {
        const batch x = batch::load_unaligned(scores + c * width);
        const auto finite = xsimd::abs(x) <= largest;  // false for NaN and the infinities
        low = xsimd::min(low, xsimd::select(finite, x, infinity));
        high = xsimd::max(high, xsimd::select(finite, x, minus_infinity));
        // Not x != x: xsimd 8.1's AVX and AVX-512 `!=` compare ordered (_CMP_NEQ_OQ), which is
        // false for NaN (the per-ISA test ChecksItsInputLikeValidate caught it).
        nan = nan | xsimd::isnan(x);
    }
    alignas(64) Score lo[width], hi[width];
    low.store_aligned(lo);
    high.store_aligned(hi);
    for (std::size_t k = 0; k < width; ++k) {
        s.low = static_cast<double>(lo[k]) < s.low ? static_cast<double>(lo[k]) : s.low;
        s.high = static_cast<double>(hi[k]) > s.high ? static_cast<double>(hi[k]) : s.high;
    }
    s.nan |= xsimd::any(nan);
}

// Labels and scores of one chunk; each array is read once.
template <class Arch, class Word, class Score>
InputStats input_stats(const Word* labels, const Score* scores, std::size_t n) {
    InputStats s = no_items;
    std::size_t label_done = 0;
    if constexpr (sizeof(Word) == 1) {
        constexpr std::size_t width = 4 * xsimd::batch<std::uint32_t, Arch>::size;
        label_bytes<Arch>(labels, n / width, s);
        label_done = n / width * width;
    } else {
        constexpr std::size_t width = xsimd::batch<Word, Arch>::size;
        label_words<Arch>(labels, n / width, s);
        label_done = n / width * width;
    }
    constexpr std::size_t score_width = xsimd::batch<Score, Arch>::size;
    const std::size_t score_done = n / score_width * score_width;
    score_extremes<Arch>(scores, n / score_width, s);
    // The tails: labels from label_done, scores from score_done (one scalar pass each).
    InputStats label_tail = no_items, score_tail = no_items;
    scalar_stats(labels, scores, label_done, n, label_tail);
    scalar_stats(labels, scores, score_done, n, score_tail);
    s.positives += label_tail.positives;
    s.label_bits |= label_tail.label_bits;
    s.low = score_tail.low < s.low ? score_tail.low : s.low;
    s.high = score_tail.high > s.high ? score_tail.high : s.high;
    s.nan |= score_tail.nan;
    return s;
}

}  // namespace
}  // namespace aucrecall::input_stats_detail
