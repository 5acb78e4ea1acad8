// radix_rank's scan of its sorted records, the part that runs per instruction set: between two
// buckets shared by several items, every record is alone in its bucket, and all the scan needs
// from such a run is how many positives it holds and the sum of their positions (the negatives
// before a positive at position p are p minus the positives before it). A run ends where a
// record's bucket equals the next one's; rank_sum/radix_ranker.hpp resolves that shared bucket from the
// exact scores and asks for the next run. Records are (bucket << 32) | (index << 1) | label.
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls, so no inline function
// compiled for a wide instruction set can be the copy the linker keeps for narrower code.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

namespace aucrecall::record_scan_detail {

namespace {

inline bool shares_next(const std::uint64_t* records, std::size_t i) {
    return ((records[i] ^ records[i + 1]) >> 32) == 0;
}

// One record at a time from position i on (the yardstick, and the vector loop's last steps).
inline RunSums scalar_run(const std::uint64_t* records, std::size_t i, std::size_t end, RunSums sums) {
    for (; i < end; ++i) {
        if (i + 1 < end && shares_next(records, i)) break;
        const std::uint64_t positive = records[i] & 1;
        sums.positives += positive;
        sums.position_sum += i & (0 - positive);
    }
    sums.stop = i;
    return sums;
}

// W records per step, each compared with its successor (an unaligned load one record further);
// a step with any shared bucket, and the last W records, finish one record at a time.
template <class Arch>
RunSums singleton_run(const std::uint64_t* records, std::size_t from, std::size_t end) {
    using batch = xsimd::batch<std::uint64_t, Arch>;
    constexpr std::size_t width = batch::size;
    alignas(64) std::uint64_t first_positions[width];
    for (std::size_t k = 0; k < width; ++k) first_positions[k] = from + k;
    batch position = batch::load_aligned(first_positions);
    const batch zero(std::uint64_t{0}), one(std::uint64_t{1}), step(std::uint64_t{width});
    batch positives = zero, position_sums = zero;
    std::size_t i = from;
    for (; i + width < end; i += width) {
        const batch here = batch::load_unaligned(records + i);
        const batch next = batch::load_unaligned(records + i + 1);
        if (xsimd::any(((here ^ next) >> 32) == zero)) break;
        const batch positive = here & one;
        positives += positive;
        position_sums += position & (zero - positive);
        position += step;
    }
    alignas(64) std::uint64_t p[width], s[width];
    positives.store_aligned(p);
    position_sums.store_aligned(s);
    RunSums sums{0, 0, 0};
    for (std::size_t k = 0; k < width; ++k) {
        sums.positives += p[k];
        sums.position_sum += s[k];
    }
    return scalar_run(records, i, end, sums);
}

}  // namespace
}  // namespace aucrecall::record_scan_detail
