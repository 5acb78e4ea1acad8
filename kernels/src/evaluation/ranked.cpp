// The ranked-input entry point (SPEC.md "Ranked input"): labels already in rank order, so the
// metric is one scan: P over all n labels and, over the first m = min(K, n), their positives, the
// rank sum S and y0. The scan runs per instruction set (simd/ops/ranked_scan.hpp, through the entry
// table of simd/entries.hpp; `scalar` is the yardstick compiled without auto-vectorisation).
#include "evaluation/cutoff.hpp"
#include "api/input.hpp"
#include "rank_sum/identity.hpp"
#include "simd/entries.hpp"

#include <type_traits>

namespace aucrecall::ranked_detail {
namespace {

template <class Label>
double ranked_metric(std::span<const Label> labels, std::uint64_t k) {
    static_assert(sizeof(Label) == 1 || sizeof(Label) == 4 || sizeof(Label) == 8);
    using u64 = std::uint64_t;
    using W = detail::label_word_t<Label>;
    const std::size_t n = labels.size();
    const u64 m = k == 0 ? n : std::min<u64>(k, n);
    const auto scan_block = std::get<detail::RankedBlockFn<W>>(detail::use_active_entries().ranked_block);
    const W* y = reinterpret_cast<const W*>(labels.data());
    u64 label_bits = 0, positives_top = 0, positives_rest = 0;
    unsigned __int128 rank_sum = 0;
    for (std::size_t start = 0, end = 0; start < n; start = end) {
        // Blocks end at m too, so that the top m ranks are summed apart from the rest.
        end = std::min<std::size_t>(start < m ? m : n, start + block_ranks);
        const BlockSums s = scan_block(y + start, static_cast<std::uint32_t>(end - start));
        label_bits |= s.label_bits;
        if (start < m) {
            positives_top += s.positives;
            rank_sum += s.rank_sum + static_cast<unsigned __int128>(start) * s.positives;
        } else {
            positives_rest += s.positives;
        }
    }
    if ((label_bits & ~u64{1}) != 0) detail::check_labels(labels);  // a second pass throws, naming the index
    const detail::RankSumParts top{m, positives_top, 2 * rank_sum, m > 0 && labels[0] ? 1u : 0u, 1};
    return cutoff::metric_at(m, positives_top + positives_rest, top, {});
}

}  // namespace
}  // namespace aucrecall::ranked_detail

namespace aucrecall {

double compute_ranked(const RankedInput& input, std::uint64_t k) {
    detail::check_size(input.n);
    if (input.n > 0 && input.labels == nullptr)
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
    return detail::visit_labels(input.labels, input.n, input.label_type,
                                [k](auto labels) { return ranked_detail::ranked_metric(labels, k); });
}

}  // namespace aucrecall
