// The kernels' functions, and the internal record the registry keeps for each kernel.
// api/registry.cpp is the only place that lists the kernels for the rest of the code base.
#pragma once

#include "api/input.hpp"
#include "rank_sum/identity.hpp"

namespace aucrecall::kernel_impl {

// The rank-sum kernels' counts before the final division, on a validated input: what the
// library's own cutoff path counts the selected items with.
using PartsFn = detail::RankSumParts (*)(const Input& input, Ties ties);

// A registry entry: the public Kernel and what only the library and its harness need.
struct KernelRecord {
    Kernel kernel;
    // The rank-sum kernels' counts (nullptr for the curve kernels).
    PartsFn parts = nullptr;
    // For SIMD kernels: from this many items on, every call (with both labels present) runs all
    // of its per-instruction-set code; smaller inputs take scalar paths for some or all of it (the
    // rank-sum kernels' tiny path; keysort's std::sort of short lists, though its label split is
    // per instruction set from the tiny path's end). runtime/testing_hooks.hpp hands it out.
    std::size_t simd_from_n = 0;
};

// The record of a kernel of the registry (every Kernel the library hands out is one of them).
const KernelRecord& record_of(const Kernel& kernel) noexcept;

// The counts of typed spans by the rank-sum kernel default_kernel() picks for their size: what
// the library's cutoff paths count the selected items with (cutoff::select_then_count's `parts`).
struct DefaultKernelParts {
    template <class Label, class Score>
    detail::RankSumParts operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties) const {
        const Input selected = make_input(labels, scores);
        return record_of(default_kernel(selected)).parts(selected, ties);
    }
};

double naive_loop(const Input& input, Ties ties);
double stl(const Input& input, Ties ties);
double simd_scan(const Input& input, Ties ties);
double fused(const Input& input, Ties ties);
// Rank-sum counts without ranking the items (kernels/rank_sum_kernel.hpp writes each trio).
double keysort(const Input& input, Ties ties);
double radix_rank(const Input& input, Ties ties);
double radix_rank_mt(const Input& input, Ties ties);

// Metric@K (Kernel::run_at); k = 0 or k >= n: the full metric.
double naive_loop_at(const Input& input, Ties ties, std::uint64_t k);
double stl_at(const Input& input, Ties ties, std::uint64_t k);
double simd_scan_at(const Input& input, Ties ties, std::uint64_t k);
double fused_at(const Input& input, Ties ties, std::uint64_t k);
double keysort_at(const Input& input, Ties ties, std::uint64_t k);
double radix_rank_at(const Input& input, Ties ties, std::uint64_t k);
double radix_rank_mt_at(const Input& input, Ties ties, std::uint64_t k);

detail::RankSumParts keysort_parts(const Input& input, Ties ties);
detail::RankSumParts radix_rank_parts(const Input& input, Ties ties);
detail::RankSumParts radix_rank_mt_parts(const Input& input, Ties ties);

}  // namespace aucrecall::kernel_impl
