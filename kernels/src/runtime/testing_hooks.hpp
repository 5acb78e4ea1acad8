// Hooks for white-box tests and the benchmark: paths that real inputs reach only at sizes no test
// machine holds, and facts about kernels that only the harness needs. Internal: tests and the
// benchmark include it through kernels/src; nothing installed declares these.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <cstddef>

namespace aucrecall::testing {

// For a SIMD kernel of the registry: from this many items on, every call runs all of its
// per-instruction-set code (the benchmark's <kernel>@<isa> rows and the per-ISA tests start
// there); 0 for the others.
std::size_t simd_from_n(const Kernel& kernel) noexcept;

// radix_rank's 32-bit record index covers n <= 2^31 - 1; above its limit it counts with the
// keysort method. Sets the limit (returns the previous one) ...
std::size_t set_radix_record_limit(std::size_t limit) noexcept;
// ... and how many calls took the fallback so far.
std::size_t radix_record_fallbacks() noexcept;
// radix_rank counts with keysort's method when most items share a few buckets: sets the limit
// (tuning::radix_concentration_limit; 0 never falls back) and returns the previous one ...
unsigned set_radix_concentration_limit(unsigned limit) noexcept;
// ... and how many calls took that way so far.
std::size_t radix_concentrated_fallbacks() noexcept;

// compute_grouped's scatter of interleaved rows through partitions of group ids
// (evaluation/groups.cpp): from `from_groups` groups on, at most `max_partitions` partitions, none
// holding more than 1/max_partition_share of the items (tuning::scatter_*). Sets them and
// returns the previous ones ...
struct ScatterTuning {
    std::size_t from_groups;
    std::size_t max_partitions;
    std::size_t max_partition_share;
};
ScatterTuning set_scatter_tuning(ScatterTuning tuning) noexcept;
// ... and how many scatters took each path so far: directly, or through partitions with codes
// of 1, 2 or 4 bytes per item; and how many of the partitioned ones gathered the scores instead of
// copying them (GroupOptions::low_memory).
struct ScatterPaths {
    std::size_t direct, code_bytes_1, code_bytes_2, code_bytes_4, gathered;
};
ScatterPaths scatter_paths() noexcept;

}  // namespace aucrecall::testing
