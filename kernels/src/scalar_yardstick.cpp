// The `scalar` entries of the per-instruction-set code: the ranked scan's block sums, radix_rank's
// first pass (input_stats_impl.hpp) and its linear bucket records (bucket_records_impl.hpp), one
// item at a time. kernels/CMakeLists.txt
// compiles this file without auto-vectorisation, so the @scalar rows measure scalar code and the
// per-instruction-set rows are compared with it, not with what the compiler made of it.
#include "bucket_records_impl.hpp"
#include "input_stats_impl.hpp"
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

namespace aucrecall::input_stats_detail {
#define AUCRECALL_STATS_ENTRY(Word, Score)                                                \
    InputStats input_stats_scalar(const Word* labels, const Score* scores, std::size_t n) { \
        InputStats s = no_items;                                                          \
        scalar_stats(labels, scores, 0, n, s);                                            \
        return s;                                                                         \
    }
AUCRECALL_STATS_ENTRY(std::uint8_t, float)
AUCRECALL_STATS_ENTRY(std::uint8_t, double)
AUCRECALL_STATS_ENTRY(std::uint32_t, float)
AUCRECALL_STATS_ENTRY(std::uint32_t, double)
AUCRECALL_STATS_ENTRY(std::uint64_t, float)
AUCRECALL_STATS_ENTRY(std::uint64_t, double)
#undef AUCRECALL_STATS_ENTRY
}  // namespace aucrecall::input_stats_detail

namespace aucrecall::bucket_detail {
void linear_records_scalar(const float* scores, std::size_t n, std::uint64_t first_index,
                           LinearMap map, std::uint64_t* out) {
    scalar_linear_records(scores, n, first_index, map, out);
}
void linear_records_scalar(const double* scores, std::size_t n, std::uint64_t first_index,
                           LinearMap map, std::uint64_t* out) {
    scalar_linear_records(scores, n, first_index, map, out);
}
}  // namespace aucrecall::bucket_detail
