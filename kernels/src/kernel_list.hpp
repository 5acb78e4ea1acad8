// Declarations of every kernel function. The registry (registry.cpp) is the only place that
// lists them for the rest of the code base; nothing else should include this header.
#pragma once

#include "aucrecall/aucrecall.hpp"

namespace aucrecall::kernel_impl {

double naive_loop(const Input& input, Ties ties);
double stl(const Input& input, Ties ties);
double simd_scan(const Input& input, Ties ties);
double fused(const Input& input, Ties ties);
// Rank-sum counts without ranking the items (rank_count.hpp, radix_rank_impl.hpp).
double keysort(const Input& input, Ties ties);
double radix_rank(const Input& input, Ties ties);
double radix_rank_mt(const Input& input, Ties ties);

// The ranking phase alone of the sort-based kernels (Kernel::rank_only), sharing run()'s code.
double naive_loop_rank_only(const Input& input, Ties ties);
double stl_rank_only(const Input& input, Ties ties);
double simd_scan_rank_only(const Input& input, Ties ties);
double fused_rank_only(const Input& input, Ties ties);

}  // namespace aucrecall::kernel_impl
