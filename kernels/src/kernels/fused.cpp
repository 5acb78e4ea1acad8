// Sort once, then a single pass that accumulates the two integers the rank-sum identity needs
// (SPEC.md): the (negative, positive) pairs ordered the wrong way and the label at the top.
// No curve arrays; integer arithmetic until the one final division.
#include "evaluation/cutoff.hpp"
#include "api/input.hpp"
#include "rank_sum/identity.hpp"
#include "api/kernel_record.hpp"
#include "rank_sum/rank_count.hpp"
#include "runtime/phase_timer.hpp"

namespace aucrecall::kernel_impl {
namespace {

template <class Score>
struct ScoredIndex {
    Score score;
    std::uint64_t index;
};

// Sorting (score, index) pairs keeps the score next to its key (no indirect loads in the
// comparisons); the index breaks ties so the order is the stable ranking.
template <class Score>
std::vector<ScoredIndex<Score>> sorted_by_rank(std::span<const Score> scores) {
    std::vector<ScoredIndex<Score>> items(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) items[i] = {scores[i], i};
    std::sort(items.begin(), items.end(), [](const ScoredIndex<Score>& a, const ScoredIndex<Score>& b) {
        return a.score > b.score || (!(b.score > a.score) && a.index < b.index);
    });
    return items;
}

template <class Label, class Score>
double run(std::span<const Label> labels, std::span<const Score> scores, Ties ties) {
    const std::size_t n = scores.size();
    detail::phase_start();
    const std::uint64_t positives = detail::count_positives(labels);
    if (positives == 0 || n < 2) return detail::undefined();
    detail::phase_end("stats");

    const std::vector<ScoredIndex<Score>> items = sorted_by_rank(scores);
    detail::phase_end("rank");

    // The pair counts, the tie-group sweep and the formula of the other identity kernels
    // (rank_count.hpp), over the sorted pairs.
    const rank_count::RankedCounts counts = rank_count::count_ranked(
        n, ties, [&](std::uint64_t r) { return labels[items[r].index] != 0; },
        [&](std::uint64_t a, std::uint64_t b) { return items[a].score == items[b].score; });
    const double metric = rank_count::finish(n, positives, counts.pairs, 0, ties, counts.y0).metric();
    detail::phase_end("scan");
    return metric;
}

}  // namespace

double fused(const Input& input, Ties ties) {
    return detail::visit(input, [ties](auto labels, auto scores) { return run(labels, scores, ties); });
}

// The same sort, then SPEC's closed form over the first K ranks (cutoff.hpp).
double fused_at(const Input& input, Ties ties, std::uint64_t k) {
    if (k == 0 || k >= input.n) return fused(input, ties);
    return detail::visit(input, [ties, k](auto labels, auto scores) {
        const auto items = sorted_by_rank(scores);
        return cutoff::metric_of_ranked(
            items.size(), detail::count_positives(labels), k, ties,
            [&](std::uint64_t r) { return labels[items[r].index] != 0; },
            [&](std::uint64_t a, std::uint64_t b) { return items[a].score == items[b].score; });
    });
}


}  // namespace aucrecall::kernel_impl
