// Declarations of every kernel function. The registry (registry.cpp) is the only place that
// lists them for the rest of the code base; nothing else should include this header.
#pragma once

#include "detail.hpp"

namespace aucrecall::kernel_impl {

double naive_loop(const Input& input, Ties ties);
double stl(const Input& input, Ties ties);
double simd_scan(const Input& input, Ties ties);
double fused(const Input& input, Ties ties);
// Rank-sum counts without ranking the items (rank_count.hpp, radix_rank_impl.hpp).
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
// The rank-sum kernels' counts before the final division, on a validated input.
detail::RankSumParts keysort_parts(const Input& input, Ties ties);
detail::RankSumParts radix_rank_parts(const Input& input, Ties ties);
detail::RankSumParts radix_rank_mt_parts(const Input& input, Ties ties);

// Sorts keys ascending in place with keysort's sort (Highway's vqsort beyond a few hundred keys).
void sort_keys_vectorized(std::uint64_t* keys, std::size_t n);
void sort_keys_vectorized(std::uint32_t* keys, std::size_t n);

// Threads for a job of n items: AUCRECALL_THREADS when set (1..64, else throws), otherwise the
// hardware's count, at most one per `per_thread` items (radix_rank_mt.cpp).
unsigned thread_count_for(std::size_t n, std::size_t per_thread);
// The hardware's threads, capped at tuning::max_auto_threads (AUCRECALL_THREADS aside).
unsigned threads_available();

// The library's own cutoff path when no kernel is named: selection, then the rank-sum kernel
// that default_kernel() would pick for the selected items' count.
double default_at(const Input& input, Ties ties, std::uint64_t k);


}  // namespace aucrecall::kernel_impl
