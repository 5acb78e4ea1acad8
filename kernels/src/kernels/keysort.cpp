// Key-only sort: scores become order-preserving unsigned keys (64-bit for double, 32-bit for
// float), split by label (per instruction set: simd/ops/label_split.hpp), sorted without any
// payload by Highway's vqsort capped at the instruction set in force (rank_sum/vqsort.hpp), then
// one merge counts the pairs of the rank-sum identity (rank_sum/rank_count.hpp). Compared with
// sorting (score, index) pairs it moves a quarter (float) to a half (double) of the bytes and
// never looks at an index.
#include "api/kernel_record.hpp"
#include "kernels/rank_sum_kernel.hpp"
#include "rank_sum/vqsort.hpp"

namespace aucrecall::kernel_impl {
namespace {

struct KeysortParts {
    template <class Label, class Score>
    detail::RankSumParts operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties) const {
        return detail::keysort_parts(labels, scores, ties);
    }
};
using Keysort = RankSumKernel<KeysortParts>;

}  // namespace

double keysort(const Input& input, Ties ties) { return Keysort::run(input, ties); }
double keysort_at(const Input& input, Ties ties, std::uint64_t k) { return Keysort::run_at(input, ties, k); }
detail::RankSumParts keysort_parts(const Input& input, Ties ties) { return Keysort::parts(input, ties); }

}  // namespace aucrecall::kernel_impl
