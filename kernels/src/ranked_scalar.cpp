// The ranked scan's `scalar` entry: the same block sums one label at a time. kernels/CMakeLists.txt
// compiles this file without auto-vectorisation, so the ranked@scalar rows measure scalar code and
// the per-instruction-set rows are compared with it, not with what the compiler made of it.
#include "ranked_scan_impl.hpp"

namespace aucrecall::ranked_detail {
BlockSums ranked_block_scalar(const std::uint8_t* y, std::uint32_t count) {
    BlockSums sums;
    scalar_tail(y, 0, count, sums);
    return sums;
}
BlockSums ranked_block_scalar(const std::uint32_t* y, std::uint32_t count) {
    BlockSums sums;
    scalar_tail(y, 0, count, sums);
    return sums;
}
BlockSums ranked_block_scalar(const std::uint64_t* y, std::uint32_t count) {
    BlockSums sums;
    scalar_tail(y, 0, count, sums);
    return sums;
}
}  // namespace aucrecall::ranked_detail
