// Bucket records on one thread (radix_rank_impl.hpp): scores mapped to ~32 linear buckets per
// item, records radix-sorted by bucket only, one scan counts the pairs across buckets and
// resolves the few shared buckets from the exact scores. O(n) on smooth data, O(n log n) at worst.
#include "kernel_list.hpp"
#include "cutoff.hpp"
#include "radix_rank_impl.hpp"
#include "testing_hooks.hpp"

namespace aucrecall::kernel_impl {

double radix_rank(const Input& input, Ties ties) { return radix_rank_parts(input, ties).metric(); }

detail::RankSumParts radix_rank_parts(const Input& input, Ties ties) {
    return detail::visit(input, [ties](auto labels, auto scores) {
        return rank_count::radix_rank_parts(labels, scores, ties, 1);
    });
}

double radix_rank_at(const Input& input, Ties ties, std::uint64_t k) {
    if (k == 0 || k >= input.n) return radix_rank(input, ties);
    return detail::visit(input, [ties, k](auto labels, auto scores) {
        return cutoff::select_then_count(labels, scores, ties, k, [](auto l, auto s, Ties t) {
            return rank_count::radix_rank_parts(l, s, t, 1);
        });
    });
}

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
