// radix_rank's record building with buckets linear in the score (rank_sum/radix_ranker.hpp, step 2),
// vectorised: for a block of items, record = (bucket << 32) | (index << 1), the bucket being
//   round((clamp((s / 2 - low / 2) * scale, -1, B)) + 1)
// in [0, B + 1] (-inf lands on 0, +inf on B + 1). The caller ORs in the label and counts the
// digits while the block is in L1. Written once over xsimd's architecture tag and compiled in the
// per-instruction-set translation units; the scalar version (simd/scalar_entries.cpp) is the
// yardstick.
//
// The bucket must be one monotone function of the score for every item of a call, so every
// item goes through one compiled instance of the arithmetic: the whole vectors and the padded
// tail call the same non-inlined loop (the compiler could otherwise contract a multiply-add in one
// copy and not in another). Rounding to nearest through the 2^52 trick needs no float-to-int64
// conversion (absent before AVX-512) and is monotone like any correctly rounded operation.
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

namespace aucrecall::bucket_detail {

namespace {

inline constexpr double round_magic = 4503599627370496.0;  // 2^52: x + 2^52 keeps round(x) in its low bits

template <class Arch>
__attribute__((noinline)) void linear_vectors(const double* scores, std::size_t vectors,
                                              std::uint64_t first_index, LinearMap map,
                                              std::uint64_t* out) {
    using batch = xsimd::batch<double, Arch>;
    using ubatch = xsimd::batch<std::uint64_t, Arch>;
    constexpr std::size_t width = batch::size;
    const batch half(0.5), low_half(map.low_half), scale(map.scale), lowest(-1.0),
        highest(map.buckets), one(1.0), magic(round_magic);
    const ubatch low_bits(0xFFFFFFFFu), step(2 * width);
    alignas(64) std::uint64_t first[width];
    for (std::size_t k = 0; k < width; ++k) first[k] = (first_index + k) << 1;
    ubatch index_bits = ubatch::load_aligned(first);
    for (std::size_t v = 0; v < vectors; ++v) {
        const batch x = (batch::load_unaligned(scores + v * width) * half - low_half) * scale;
        const batch shifted = (xsimd::min(xsimd::max(x, lowest), highest) + one) + magic;
        const ubatch bucket = xsimd::bitwise_cast<ubatch>(shifted) & low_bits;
        ((bucket << 32) | index_bits).store_unaligned(out + v * width);
        index_bits += step;
    }
}

// Doubles: whole vectors in place, the tail through a padded copy (same instance of the loop).
template <class Arch>
void linear_records(const double* scores, std::size_t n, std::uint64_t first_index, LinearMap map,
                    std::uint64_t* out) {
    constexpr std::size_t width = xsimd::batch<double, Arch>::size;
    const std::size_t whole = n / width * width;
    linear_vectors<Arch>(scores, whole / width, first_index, map, out);
    if (whole == n) return;
    alignas(64) double padded[width] = {};
    alignas(64) std::uint64_t records[width];
    for (std::size_t k = whole; k < n; ++k) padded[k - whole] = scores[k];
    linear_vectors<Arch>(padded, 1, first_index + whole, map, records);
    for (std::size_t k = whole; k < n; ++k) out[k] = records[k - whole];
}

// Floats: widened exactly into a block of doubles first.
template <class Arch>
void linear_records(const float* scores, std::size_t n, std::uint64_t first_index, LinearMap map,
                    std::uint64_t* out) {
    alignas(64) double widened[block_items];
    for (std::size_t start = 0; start < n; start += block_items) {
        const std::size_t count = n - start < block_items ? n - start : block_items;
        for (std::size_t k = 0; k < count; ++k) widened[k] = static_cast<double>(scores[start + k]);
        linear_records<Arch>(widened, count, first_index + start, map, out + start);
    }
}

// The scalar yardstick: one item at a time, the same formula (its only instance in a call).
template <class Score>
__attribute__((noinline)) void scalar_linear_records(const Score* scores, std::size_t n,
                                                     std::uint64_t first_index, LinearMap map,
                                                     std::uint64_t* out) {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = (static_cast<double>(scores[i]) * 0.5 - map.low_half) * map.scale;
        const double clamped = x < -1.0 ? -1.0 : (x > map.buckets ? map.buckets : x);
        const double shifted = (clamped + 1.0) + round_magic;
        std::uint64_t bits;
        __builtin_memcpy(&bits, &shifted, sizeof bits);
        out[i] = ((bits & 0xFFFFFFFFu) << 32) | ((first_index + i) << 1);
    }
}

}  // namespace
}  // namespace aucrecall::bucket_detail
