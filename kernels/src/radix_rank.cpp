// Bucket records on one thread (radix_rank_impl.hpp): scores mapped to ~32 linear buckets per
// item, records radix-sorted by bucket only, one scan counts the pairs across buckets and
// resolves the few shared buckets from the exact scores. O(n) on smooth data, O(n log n) at worst.
#include "kernel_list.hpp"
#include "radix_rank_impl.hpp"

namespace aucrecall::kernel_impl {

double radix_rank(const Input& input, Ties ties) {
    return detail::visit(input, [ties](auto labels, auto scores) {
        return rank_count::radix_rank_metric(labels, scores, ties, 1);
    });
}

}  // namespace aucrecall::kernel_impl
