// The per-partition pieces of the exact metric on partitioned data (public header, namespace
// aucrecall::partitioned): a first pass with the checks, the top group and a key histogram; the
// pair counts of a partition against one class gathered from every partition; metric@K from the
// items that can reach rank K. The counting itself is the library's: keys sorted by keysort's
// vqsort, pairs counted by rank_count's merge, the cutoff by evaluation/cutoff.hpp.
#include "api/exact_scores.hpp"
#include "api/input.hpp"
#include "api/kernel_record.hpp"
#include "evaluation/cutoff.hpp"
#include "rank_sum/rank_count.hpp"
#include "rank_sum/vqsort.hpp"
#include "runtime/scratch.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace aucrecall::partitioned {
namespace {

using u64 = std::uint64_t;
using u128 = unsigned __int128;

void check_shape(const Input& input) {
    detail::check_size(input.n);
    if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
}

template <class Label, class Score>
PartitionScan scan_typed(std::span<const Label> labels, std::span<const Score> scores) {
    PartitionScan out;
    out.n = scores.size();
    detail::InputFlags flags;
    // One counter per (bin, label): 2^21 of them (8 MiB, zeroed per call); the few thousand bins
    // that real scores touch stay in cache, so counting costs about one increment per item.
    constexpr std::size_t bins = std::size_t{1} << histogram_bits;
    std::vector<std::uint32_t> counts(2 * bins, 0);
    if (out.n > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("scan: a partition of more than 2^32 - 1 rows");
    for (std::size_t i = 0; i < scores.size(); ++i) {
        flags.label(labels[i]);
        flags.score(scores[i]);
        const u64 key = score_key(static_cast<double>(scores[i]));
        const bool positive = labels[i] != 0;
        out.positives += positive;
        if (i == 0 || key > out.top_key) {
            out.top_key = key, out.top_size = 1, out.top_positives = positive, out.top_first_positive = positive;
        } else if (key == out.top_key) {
            ++out.top_size, out.top_positives += positive;
        }
        ++counts[2 * (key >> (64 - histogram_bits)) + positive];
    }
    if (!flags.ok()) {
        detail::check(labels, scores);  // throws InvalidInput for the first bad item
        throw std::logic_error("scan: an item failed a check that validation accepts");
    }
    for (std::size_t bin = 0; bin < bins; ++bin) {
        const std::uint32_t negatives = counts[2 * bin], positives = counts[2 * bin + 1];
        if (negatives == 0 && positives == 0) continue;
        out.bins.push_back(static_cast<std::uint32_t>(bin));
        out.bin_positives.push_back(positives);
        out.bin_negatives.push_back(negatives);
    }
    return out;
}

// Keys of one class of a partition, ascending, with the input checks of every item folded into
// the same pass (a bad item throws InvalidInput for the first one, as validate() would).
template <class Label, class Score>
std::vector<u64> class_keys(std::span<const Label> labels, std::span<const Score> scores, bool positive) {
    detail::InputFlags flags;
    std::vector<u64> keys;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        flags.label(labels[i]);
        flags.score(scores[i]);
        if ((labels[i] != 0) == positive) keys.push_back(score_key(static_cast<double>(scores[i])));
    }
    if (!flags.ok()) {
        detail::check(labels, scores);
        throw std::logic_error("count_against: an item failed a check that validation accepts");
    }
    detail::sort_keys_vectorized(keys.data(), keys.size());
    return keys;
}

}  // namespace

std::uint64_t score_key(double score) noexcept { return detail::order_key(score); }

PartitionScan scan(const Input& input) {
    check_shape(input);
    if (detail::integer_scores(input.score_type)) {  // keys must agree across partitions: exact values only
        const detail::ExactScores exact(input, detail::WideIntegers::refuse, "a partitioned count");
        return scan(exact.input());
    }
    return detail::visit(input, [](auto labels, auto scores) { return scan_typed(labels, scores); });
}

PairTotals count_against(const Input& partition, std::uint64_t first_position, std::span<const std::uint64_t> keys,
                         std::span<const std::uint64_t> positions, bool class_is_positive, Ties ties) {
    check_shape(partition);
    if (detail::integer_scores(partition.score_type)) {
        const detail::ExactScores exact(partition, detail::WideIntegers::refuse, "a partitioned count");
        return count_against(exact.input(), first_position, keys, positions, class_is_positive, ties);
    }
    if (positions.size() != keys.size())
        throw std::invalid_argument("count_against: " + std::to_string(keys.size()) + " keys but " +
                                    std::to_string(positions.size()) + " positions");
    return detail::visit(partition, [&](auto labels, auto scores) {
        PairTotals out;
        // This partition's items of the other class, as sorted keys: one merge counts D and T.
        const std::vector<u64> mine = class_keys(labels, scores, !class_is_positive);
        const rank_count::PairCounts c =
            class_is_positive ? rank_count::count_sorted(keys.data(), keys.size(), mine.data(), mine.size(),
                                                         static_cast<std::vector<u64>*>(nullptr))
                              : rank_count::count_sorted(mine.data(), mine.size(), keys.data(), keys.size(),
                                                         static_cast<std::vector<u64>*>(nullptr));
        out.discordant = c.discordant;
        out.tied = c.tied;
        if (ties != Ties::stable || c.tied == 0) return out;
        // Ts: per item of this partition whose key the other class has, the tied items of that
        // class after it (it is negative) or before it (it is positive) in global order; the
        // given class is sorted by (key, position), so both are one binary search.
        for (std::size_t i = 0; i < scores.size(); ++i) {
            if ((labels[i] != 0) == class_is_positive) continue;
            const u64 key = score_key(static_cast<double>(scores[i]));
            const auto [from, to] = std::equal_range(keys.begin(), keys.end(), key);
            if (from == to) continue;
            const u64 position = first_position + i;
            const auto p_from = positions.begin() + (from - keys.begin());
            const auto p_to = positions.begin() + (to - keys.begin());
            const auto split = std::lower_bound(p_from, p_to, position);
            out.tied_negative_first += class_is_positive ? static_cast<u64>(p_to - split)    // I am negative
                                                         : static_cast<u64>(split - p_from);  // I am positive
        }
        return out;
    });
}

double compute_top(const Input& top, std::uint64_t k, std::uint64_t positives_elsewhere, Ties ties) {
    return compute_top(top, k, positives_elsewhere, ties, 0, 0);
}

double compute_top(const Input& top, std::uint64_t k, std::uint64_t positives_elsewhere, Ties ties,
                   std::uint64_t tied_elsewhere, std::uint64_t tied_positives_elsewhere) {
    check_shape(top);
    if (tied_positives_elsewhere > tied_elsewhere || tied_positives_elsewhere > positives_elsewhere)
        throw std::invalid_argument("compute_top: " + std::to_string(tied_positives_elsewhere) +
                                    " tied positives elsewhere, more than the " + std::to_string(tied_elsewhere) +
                                    " tied items or the " + std::to_string(positives_elsewhere) +
                                    " positives elsewhere");
    if (detail::integer_scores(top.score_type)) {  // one call holds every score that can reach rank K
        const detail::ExactScores exact(top, detail::WideIntegers::rank, "compute_top");
        return compute_top(exact.input(), k, positives_elsewhere, ties, tied_elsewhere, tied_positives_elsewhere);
    }
    if (k < 1 || k > top.n)
        throw std::invalid_argument("compute_top: k = " + std::to_string(k) + " outside 1.." + std::to_string(top.n) +
                                    " (the items given must hold every rank up to k)");
    validate(top);
    const cutoff::Boundary elsewhere{tied_elsewhere, tied_positives_elsewhere};
    return detail::visit(top, [&](auto labels, auto scores) {
        return cutoff::select_then_count(labels, scores, ties, k, kernel_impl::DefaultKernelParts{},
                                         positives_elsewhere, elsewhere);
    });
}

}  // namespace aucrecall::partitioned
