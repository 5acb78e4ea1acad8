// Bucket records (rank_sum/radix_ranker.hpp): scores mapped to ~32 linear buckets per item,
// records radix-sorted by bucket only, one scan counts the pairs across buckets and resolves the
// few shared buckets from the exact scores. O(n) on smooth data, O(n log n) at worst.
//
// radix_rank runs on the calling thread; radix_rank_mt splits the same passes over the process's
// thread pool (chunks of items, ranges of buckets). Only integer counts are combined, so the
// result equals radix_rank's bit for bit whatever the thread count.
#include "api/kernel_record.hpp"
#include "kernels/rank_sum_kernel.hpp"
#include "rank_sum/radix_ranker.hpp"
#include "runtime/testing_hooks.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

namespace aucrecall::kernel_impl {
namespace {

struct RadixRankParts {
    template <class Label, class Score>
    detail::RankSumParts operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties) const {
        return rank_count::radix_rank_parts(labels, scores, ties, 1);
    }
};
// One thread per tuning::items_per_thread items (AUCRECALL_THREADS overrides).
struct RadixRankMtParts {
    template <class Label, class Score>
    detail::RankSumParts operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties) const {
        const std::size_t n = scores.size();
        const unsigned threads = n <= tuning::tiny_n ? 1 : detail::thread_count_for(n, tuning::items_per_thread);
        return rank_count::radix_rank_parts(labels, scores, ties, threads);
    }
};
using RadixRank = RankSumKernel<RadixRankParts>;
using RadixRankMt = RankSumKernel<RadixRankMtParts>;

}  // namespace

double radix_rank(const Input& input, Ties ties) { return RadixRank::run(input, ties); }
double radix_rank_at(const Input& input, Ties ties, std::uint64_t k) { return RadixRank::run_at(input, ties, k); }
detail::RankSumParts radix_rank_parts(const Input& input, Ties ties) { return RadixRank::parts(input, ties); }

double radix_rank_mt(const Input& input, Ties ties) { return RadixRankMt::run(input, ties); }
double radix_rank_mt_at(const Input& input, Ties ties, std::uint64_t k) { return RadixRankMt::run_at(input, ties, k); }
detail::RankSumParts radix_rank_mt_parts(const Input& input, Ties ties) { return RadixRankMt::parts(input, ties); }

}  // namespace aucrecall::kernel_impl

namespace aucrecall::testing {
std::size_t set_radix_record_limit(std::size_t limit) noexcept {
    return rank_count::record_limit().exchange(limit);
}
std::size_t radix_record_fallbacks() noexcept { return rank_count::record_limit_fallbacks().load(); }
unsigned set_radix_concentration_limit(unsigned limit) noexcept {
    return rank_count::concentration_limit().exchange(limit);
}
std::size_t radix_concentrated_fallbacks() noexcept { return rank_count::concentrated_fallbacks().load(); }
}  // namespace aucrecall::testing
