// Mergeable counts of the rank-sum identity (SPEC.md "Partitioned input"; public header:
// RankSumSummary). The pair counts come from the rank-sum kernel default_kernel() picks, through
// its record's `parts` (the same counting as compute()); this file adds one pass for what the
// merge needs beyond them (the score range and the top tie group) and the merge itself.
#include "api/exact_scores.hpp"
#include "api/input.hpp"
#include "api/kernel_record.hpp"
#include "rank_sum/identity.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace aucrecall {
namespace {

using u64 = std::uint64_t;
using u128 = unsigned __int128;

// One pass: the input checks (as flags: any hit runs validate() for the exact first error), the
// score range and the highest score's tie group (size, positives, label of its first item).
template <class Label, class Score>
void scan_range_and_top(std::span<const Label> labels, std::span<const Score> scores, RankSumSummary& s) {
    detail::InputFlags flags;
    using Key = detail::score_key_t<Score>;
    Key top = 0;
    u64 top_size = 0, top_positives = 0;
    bool first_positive = false;
    double lowest = s.lowest, highest = s.highest;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const Score x = scores[i];
        flags.score(x);
        flags.label(labels[i]);
        const bool positive = labels[i] != 0;
        const Key key = detail::order_key(x);
        if (top_size == 0 || key > top) {
            top = key, top_size = 1, top_positives = positive, first_positive = positive;
        } else if (key == top) {
            ++top_size, top_positives += positive;
        }
        lowest = std::fmin(lowest, static_cast<double>(x));
        highest = std::fmax(highest, static_cast<double>(x));
    }
    if (!flags.ok()) {
        detail::check(labels, scores);  // throws InvalidInput for the first bad item
        throw std::logic_error("summarize: an item failed a check that validation accepts");
    }
    s.top_size = top_size;
    s.top_positives = top_positives;
    s.top_first_positive = first_positive;
    s.lowest = lowest;
    s.highest = highest;
}

std::string range_text(const RankSumSummary& s) {
    return "[" + std::to_string(s.lowest) + ", " + std::to_string(s.highest) + "]";
}

}  // namespace

RankSumSummary summarize(const Input& input, Ties ties) {
    detail::check_size(input.n);
    if (detail::integer_scores(input.score_type)) {  // the score bounds are doubles: exact ones only
        const detail::ExactScores exact(input, detail::WideIntegers::refuse, "summarize");
        return summarize(exact.input(), ties);
    }
    if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
    RankSumSummary s;
    s.ties = ties;
    s.n = input.n;
    detail::visit(input, [&](auto labels, auto scores) { scan_range_and_top(labels, scores, s); });
    // The input is valid now. D and T from the `average` count; Ts, under `stable`, from the
    // difference of the two counts' 2S (2S = P(P-1) + 2D + 2Ts there), only where ties exist.
    const kernel_impl::PartsFn parts = kernel_impl::record_of(default_kernel(input)).parts;
    const detail::RankSumParts average = parts(input, Ties::average);
    s.positives = average.positives;
    s.discordant = average.discordant;
    s.tied = average.tied;
    if (ties == Ties::stable && s.tied != 0) {
        const detail::RankSumParts stable = parts(input, Ties::stable);
        const u128 p = s.positives;
        s.tied_negative_first = (stable.twice_s - p * (p - 1) - 2 * s.discordant) / 2;
    }
    return s;
}

RankSumSummary merge(const RankSumSummary& a, const RankSumSummary& b) {
    if (a.ties != b.ties)
        throw std::invalid_argument("merge: the summaries were counted for different tie policies (" +
                                    std::string(to_string(a.ties)) + ", " + std::string(to_string(b.ties)) + ")");
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    // Strictly apart: equal scores (-0.0 and 0.0 included) would tie across the parts.
    const bool a_higher = a.lowest > b.highest;
    if (!a_higher && !(b.lowest > a.highest))
        throw std::invalid_argument("merge: the score ranges " + range_text(a) + " and " + range_text(b) +
                                    " overlap; only parts whose scores do not overlap can be merged");
    const RankSumSummary& high = a_higher ? a : b;
    const RankSumSummary& low = a_higher ? b : a;
    RankSumSummary out = high;  // the top group and the highest score
    out.n = high.n + low.n;
    detail::check_size(out.n);
    out.positives = high.positives + low.positives;
    out.discordant = high.discordant + low.discordant + static_cast<u128>(high.n - high.positives) * low.positives;
    out.tied = high.tied + low.tied;
    out.tied_negative_first = high.tied_negative_first + low.tied_negative_first;
    out.lowest = low.lowest;
    return out;
}

double metric(const RankSumSummary& s) {
    const u128 p = s.positives;
    if (p == 0) return detail::undefined();
    const u128 twice_s = p * (p - 1) + 2 * s.discordant +
                         (s.ties == Ties::stable ? 2 * s.tied_negative_first : s.tied);
    if (s.ties == Ties::stable) return detail::rank_sum_metric(s.n, s.positives, twice_s, s.top_first_positive ? 1 : 0, 1);
    return detail::rank_sum_metric(s.n, s.positives, twice_s, s.top_positives, s.top_size);
}

}  // namespace aucrecall
