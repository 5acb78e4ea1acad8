// Per-group evaluation (SPEC.md "Groups"): many independent lists in one call.
//
// The work per group is small (10 to 1000 items is the common case), so the layout is built
// once for the whole input and groups are then evaluated from flat arrays with per-thread
// scratch: no allocation, thread start or virtual call per group.
//   1. keys -> dense ids in order of first appearance (an open-addressing hash table over the
//      keys' 64-bit patterns: memory grows with the number of groups, never with key values;
//      a run of equal keys costs one compare, no hashing);
//   2. if every group's rows are contiguous, the runs are the groups (no reordering); otherwise
//      the labels and scores are scattered into group order in one pass over the input (a
//      stable counting sort: input order kept inside each group, which `stable` ties and ranked
//      lists need). Reads stay sequential and each group's writes advance through its own
//      region; gathering through a permutation instead read every item from a random place
//      (measured: 3.2x the contiguous time at 100000 groups x 100);
//   3. each group: records (order key, position, label) sorted by score, then SPEC's closed
//      form over the first min(K, g) ranks (evaluation/cutoff.hpp); ranked groups skip the sort.
// Threads take contiguous ranges of groups; each group's value is computed by one thread alone
// and the mean is summed in group order afterwards, so the bits never depend on thread count.
#include "api/exact_scores.hpp"
#include "api/input.hpp"
#include "evaluation/cutoff.hpp"
#include "evaluation/group_layout.hpp"
#include "evaluation/groups.hpp"
#include "rank_sum/rank_count.hpp"
#include "rank_sum/vqsort.hpp"
#include "runtime/phase_timer.hpp"
#include "runtime/scratch.hpp"
#include "runtime/testing_hooks.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"
#include "simd/entries.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif


namespace aucrecall {
namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using groups::Layout;
using groups::max_grouped_items;

// One group's records: the score's order key and (position in group << 1 | label). Sorting by
// key descending, then position, gives the `stable` ranking (and a valid one for `average`).
struct Record {
    u64 key;
    u64 position_label;
};
inline bool ranks_before(const Record& a, const Record& b) noexcept {
    return a.key > b.key || (a.key == b.key && a.position_label < b.position_label);
}

// Evaluates groups with scratch kept across them (one per thread).
template <class Label, class Score>
class GroupEvaluator {
public:
    GroupEvaluator(std::span<const Label> labels, const Score* scores, Ties ties, u64 k)
        : labels_(labels), scores_(scores), ties_(ties), k_(k) {}

    // The group of `size` items from input index `begin` on (the layout made every group contiguous).
    double evaluate(std::size_t begin, std::size_t size, u64* positives_out) {
        const auto item = [begin](std::size_t r) { return begin + r; };
        const u64 m = k_ == 0 ? size : std::min<u64>(k_, size);
        if (scores_ == nullptr) {  // ranked: input order is rank order
            u64 positives = 0;
            for (std::size_t r = 0; r < size; ++r) {
                const auto label = labels_[item(r)];
                flags_.label(label);
                positives += label != 0;
            }
            *positives_out = positives;
            return cutoff::metric_of_ranked(
                size, positives, m, Ties::stable, [&](u64 r) { return labels_[item(r)] != 0; },
                [](u64, u64) { return false; });
        }
        if (ties_ == Ties::average && m == size) return full_average(begin, size, positives_out);
        if (records_.size() < size) records_.resize(size);
        Record* rec = records_.data();
        u64 positives = 0;
        for (std::size_t r = 0; r < size; ++r) {
            const std::size_t i = item(r);
            const bool y = labels_[i] != 0;
            flags_.label(labels_[i]);
            flags_.score(scores_[i]);
            positives += y;
            rec[r] = {static_cast<u64>(detail::order_key(scores_[i])), (static_cast<u64>(r) << 1) | y};
        }
        *positives_out = positives;
        if (positives == 0 || m < 2) return detail::undefined();
        if (size <= tuning::group_insertion_sort_max) {
            for (std::size_t r = 1; r < size; ++r) {
                const Record x = rec[r];
                std::size_t j = r;
                for (; j > 0 && ranks_before(x, rec[j - 1]); --j) rec[j] = rec[j - 1];
                rec[j] = x;
            }
        } else {
            std::sort(rec, rec + size, ranks_before);
        }
        return cutoff::metric_of_ranked(
            size, positives, m, ties_, [rec](u64 r) { return (rec[r].position_label & 1) != 0; },
            [rec](u64 a, u64 b) { return rec[a].key == rec[b].key; });
    }

private:
    // The full metric under `average` needs no ranking, only the pair counts of the rank-sum
    // identity (rank_count.hpp): scores split by label, then all p*q compares in SIMD for small
    // groups (simd/ops/pair_count.hpp, per instruction set) or two sorts and a merge for larger ones.
    // Scores compare as themselves here (NaN is excluded; -0.0 == 0.0), no keys needed.
    static constexpr std::size_t pair_pad = pair_count_detail::pair_pad;
    static std::size_t round_up(std::size_t length) { return (length + pair_pad - 1) / pair_pad * pair_pad; }

    double full_average(std::size_t begin, std::size_t size, u64* positives_out) {
        // Room for the NaN padding the pair counter reads past each list (entry_types.hpp) and
        // for the split's whole-vector stores.
        constexpr std::size_t room = std::max(pair_pad, label_split_detail::split_scores_slack);
        if (pos_.size() < size + room) pos_.resize(size + room), neg_.resize(size + room);
        Score* pos = pos_.data();
        Score* neg = neg_.data();
        const label_split_detail::ScoreSplit split =
            split_scores_(reinterpret_cast<const Word*>(labels_.data() + begin), scores_ + begin, size, pos, neg);
        flags_.label_bits(split.label_bits);
        flags_.nan |= split.nan;
        const std::size_t p = split.positives, q = size - p;
        *positives_out = p;
        if (p == 0 || size < 2) return detail::undefined();
        rank_count::PairCounts pairs;
        u64 top_positives = 0, top_negatives = 0;
        if (p * q <= tuning::group_pairwise_max_pairs) {
            constexpr Score padding = std::numeric_limits<Score>::quiet_NaN();
            std::fill(pos + p, pos + round_up(p), padding);
            std::fill(neg + q, neg + round_up(q), padding);
            const auto totals = pair_count_(pos, p, neg, q);
            pairs.discordant = totals.higher;
            pairs.tied = totals.equal;
            top_positives = totals.top_positives;
            top_negatives = totals.top_negatives;
        } else {
            // Larger groups: order keys in place of the scores (same size), sorted by Highway's
            // vqsort, one merge counts.
            using Key = detail::score_key_t<Score>;
            static_assert(sizeof(Key) == sizeof(Score));
            Key* pos_keys = reinterpret_cast<Key*>(pos);
            Key* neg_keys = reinterpret_cast<Key*>(neg);
            for (std::size_t j = 0; j < p; ++j) pos_keys[j] = detail::order_key(pos[j]);
            for (std::size_t j = 0; j < q; ++j) neg_keys[j] = detail::order_key(neg[j]);
            detail::sort_keys_vectorized(pos_keys, p);
            detail::sort_keys_vectorized(neg_keys, q);
            pairs = rank_count::count_sorted(pos_keys, p, neg_keys, q, static_cast<std::vector<Key>*>(nullptr));
            const Key top_key = q == 0 ? pos_keys[p - 1] : std::max(pos_keys[p - 1], neg_keys[q - 1]);
            while (top_positives < p && pos_keys[p - 1 - top_positives] == top_key) ++top_positives;
            while (top_negatives < q && neg_keys[q - 1 - top_negatives] == top_key) ++top_negatives;
        }
        return rank_count::finish(size, p, pairs, 0, Ties::average, {top_positives, top_positives + top_negatives})
            .metric();
    }

    std::span<const Label> labels_;
    const Score* scores_;
    Ties ties_;
    u64 k_;
    std::vector<Record> records_;
    std::vector<Score> pos_, neg_;  // scores split by label (full_average)
    // The input checks, done while the items are read anyway (on each thread's share); any hit
    // makes the caller run validate() for the exact first error.
    detail::InputFlags flags_;

public:
    bool saw_invalid_input() const noexcept { return !flags_.ok(); }

private:
    // The pair counter of the instruction set in force (simd/entries.hpp), like simd_scan's curves.
    detail::CountPairsFn<Score> pair_count_ =
        std::get<detail::CountPairsFn<Score>>(detail::use_active_entries().count_pairs);
    using Word = detail::label_word_t<Label>;
    detail::SplitScoresFn<Word, Score> split_scores_ =
        std::get<detail::SplitScoresFn<Word, Score>>(detail::use_active_entries().split_scores);
};

unsigned grouped_thread_count(const GroupOptions& options, std::size_t n) {
    if (options.threads != 0) return options.threads;
    return detail::thread_count_for(n, tuning::grouped_items_per_thread);
}

// Groups [first, last) into `out` (sized for every group), group g's items from offsets[g] - base
// on in the evaluator's arrays.
template <class Evaluator>
void evaluate_groups(Evaluator& evaluator, const std::vector<u64>& offsets, std::size_t first, std::size_t last,
                     u64 base, GroupSummary& out) {
    for (std::size_t g = first; g < last; ++g) {
        const u64 size = offsets[g + 1] - offsets[g];
        u64 positives = 0;
        out.values[g] = evaluator.evaluate(offsets[g] - base, size, &positives);
        out.n[g] = size;
        out.positives[g] = positives;
    }
}

void size_summary(GroupSummary& out, std::size_t groups) {
    out.values.resize(groups);
    out.n.resize(groups);
    out.positives.resize(groups);
}

// run_range(first, last) -> bool over `units` (groups, or partitions of groups) in contiguous
// ranges holding about n / threads items each, one task of the process's thread pool
// (runtime/thread_pool.hpp) per range; items_before(u) is the number of items in the units before
// u, for u = 0 .. units. False when some range returned false (an item failed the input checks).
template <class ItemsBefore, class RunRange>
bool run_balanced(std::size_t units, std::size_t n, unsigned threads, ItemsBefore&& items_before,
                  RunRange&& run_range) {
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(units, 1)));
    if (threads <= 1) return run_range(std::size_t{0}, units);
    std::vector<std::size_t> bounds{0};
    for (unsigned t = 1; t < threads; ++t) {
        const u64 target = n * t / threads;
        std::size_t lo = bounds.back(), hi = units;  // the first unit from which `target` items are before it
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (items_before(mid) < target) lo = mid + 1;
            else hi = mid;
        }
        bounds.push_back(lo);
    }
    bounds.push_back(units);
    std::vector<char> valid(threads, 1);
    detail::parallel_for(threads, [&](unsigned t) { valid[t] = run_range(bounds[t], bounds[t + 1]); });
    return std::all_of(valid.begin(), valid.end(), [](char v) { return v != 0; });
}

// Returns false when some item failed the input checks (the values are then meaningless).
template <class Label, class Score>
bool evaluate_all(std::span<const Label> labels, const Score* scores, const Layout& layout,
                  const GroupOptions& options, GroupSummary& out) {
    const std::size_t groups = layout.offsets.size() - 1, n = labels.size();
    size_summary(out, groups);
    const bool valid = run_balanced(
        groups, n, grouped_thread_count(options, n), [&](std::size_t g) { return layout.offsets[g]; },
        [&](std::size_t first_group, std::size_t last_group) {
            GroupEvaluator<Label, Score> evaluator(labels, scores, options.ties, options.k);
            evaluate_groups(evaluator, layout.offsets, first_group, last_group, 0, out);
            return !evaluator.saw_invalid_input();
        });
    detail::phase_end("evaluate");
    return valid;
}

// Applies the undefined policy and the mean, in group order.
template <class KeyText>
void summarise(GroupSummary& s, const GroupOptions& options, KeyText&& key_text) {
    long double total = 0;
    for (std::size_t g = 0; g < s.values.size(); ++g) {
        if (!std::isnan(s.values[g])) {
            total += s.values[g];
            ++s.counted;
            continue;
        }
        switch (options.undefined) {
            case Undefined::skip: ++s.skipped; break;
            case Undefined::zero: s.values[g] = 0.0; ++s.counted; break;
            case Undefined::error: {
                const std::string reason =
                    s.positives[g] == 0 ? "no positive item"
                                        : "fewer than 2 ranks: " + std::to_string(s.n[g]) + " item" +
                                              (s.n[g] == 1 ? "" : "s") +
                                              (options.k != 0 ? ", cutoff K = " + std::to_string(options.k) : "");
                throw UndefinedGroup("group " + key_text(g) + " is undefined (" + reason + ")",
                                     s.first_item[g], g);
            }
        }
    }
    s.mean = s.counted == 0 ? std::numeric_limits<double>::quiet_NaN()
                            : static_cast<double>(total / static_cast<long double>(s.counted));
}

// What can be checked without reading the items: size and pointers.
void check_shape(const Input& items) {
    detail::check_size(items.n);
    if (items.n > max_grouped_items)
        throw std::length_error("grouped evaluation takes at most " + std::to_string(max_grouped_items) +
                                " items; got " + std::to_string(items.n));
    if (items.n > 0 && items.labels == nullptr)
        throw std::invalid_argument("null data pointer with n = " + std::to_string(items.n));
}

// The full checks, serially, for the exact first error (run when a fused check found one).
void validate_items(const Input& items) {
    check_shape(items);
    if (items.scores == nullptr)
        detail::visit_labels(items.labels, items.n, items.label_type,
                             [](auto labels) { detail::check_labels(labels); });
    else
        validate(items);
}

// Interleaved groups are put in group order (a stable counting sort by group id: input order kept
// inside each group) before they are evaluated.
//
// With few groups each item is copied directly where its group's region stands now (those
// regions' current lines stay in cache), then the groups are evaluated on the copies. With many
// (10^5 groups: two lines each, 12 MB) every such write would go to a cold line, so the items go
// first into partitions: consecutive ranges of 2^shift group ids, at most
// tuning::scatter_max_partitions of them, so that the partitions' write cursors stay in L1/L2.
// One stable pass writes each item at its place in its partition's block, as a "code" (its group
// within the partition << 1 | its label: a byte when partitions hold at most 128 groups, else 2
// or 4) with its score; then each partition, on one thread, is put in group order inside a
// scratch window that fits in L2 and its groups evaluated there.
struct ScatterPlan {
    int shift = -1;  // log2 of the groups per partition; -1: scatter directly
    std::size_t max_partition_items = 0;
    std::size_t partitions(std::size_t groups) const noexcept { return groups == 0 ? 0 : ((groups - 1) >> shift) + 1; }
};

// The thresholds, which tests lower so that small inputs take every path (runtime/testing_hooks.hpp),
// and the paths taken.
struct ScatterSettings {
    std::atomic<std::size_t> from_groups{tuning::scatter_partitioned_from_groups};
    std::atomic<std::size_t> max_partitions{tuning::scatter_max_partitions};
    std::atomic<std::size_t> max_partition_share{tuning::scatter_max_partition_share};
    std::atomic<std::size_t> paths[4] = {};  // direct, then codes of 1, 2, 4 bytes
    std::atomic<std::size_t> gathered{0};     // partitioned calls that gathered (low_memory)
};
ScatterSettings& scatter_settings() {
    static ScatterSettings settings;
    return settings;
}

ScatterPlan plan_scatter(const std::vector<u64>& offsets) {
    ScatterPlan plan;
    const ScatterSettings& settings = scatter_settings();
    const std::size_t groups = offsets.size() - 1, n = offsets.back();
    if (groups < std::max<std::size_t>(settings.from_groups.load(std::memory_order_relaxed), 1)) return plan;
    const std::size_t max_partitions = std::max<std::size_t>(settings.max_partitions.load(std::memory_order_relaxed), 1);
    // The fewest groups per partition (a power of two) that keep the partitions within the maximum.
    const int shift = std::bit_width((groups - 1) / max_partitions);
    if (shift > 31) return plan;  // a code holds the local id and the label in 32 bits
    const std::size_t per_partition = std::size_t{1} << shift;
    std::size_t largest = 0;
    for (std::size_t first = 0; first < groups; first += per_partition) {
        const std::size_t last = std::min(groups, first + per_partition);
        largest = std::max<std::size_t>(largest, offsets[last] - offsets[first]);
    }
    // One partition holding most items (a huge group among small ones) would need a scratch copy
    // of about the whole input: such inputs are scattered directly.
    if (largest > n / std::max<std::size_t>(settings.max_partition_share.load(std::memory_order_relaxed), 1))
        return plan;
    plan.shift = shift;
    plan.max_partition_items = largest;
    return plan;
}

// Hands back to the system the whole pages of [from, to) (they read as zeros afterwards).
void release_pages(const void* from, const void* to) noexcept {
    const auto page = static_cast<std::uintptr_t>(detail::base_page_bytes);
    const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(from) + page - 1) / page * page;
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(to) / page * page;
#ifdef MADV_DONTNEED
    if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
#endif
}

// Hands back the whole pages of items [from, to) of the caller's arrays (Layout::release_input).
template <class Label, class Score>
void release_items(std::span<const Label> labels, const Score* scores, const u32* ids, std::size_t from,
                   std::size_t to) noexcept {
    release_pages(labels.data() + from, labels.data() + to);
    release_pages(ids + from, ids + to);
    if (scores != nullptr) release_pages(scores + from, scores + to);
}

template <class Label, class Score>
detail::InputFlags scatter_directly(std::span<const Label> labels, const Score* scores, const u32* ids,
                                    const std::vector<u64>& offsets, std::uint8_t* out_labels, Score* out_scores,
                                    bool release) {
    const std::size_t n = labels.size();
    std::vector<u64> next(offsets.begin(), offsets.end() - 1);
    detail::InputFlags flags;
    constexpr std::size_t ahead = tuning::key_prefetch_distance;
    for (std::size_t block = 0; block < n;) {
        const std::size_t block_end = std::min(n, block + tuning::handover_block_items);
        for (std::size_t i = block; i < block_end; ++i) {
            // Where the item `ahead` will write is known already (its group's cursor moves little
            // meanwhile), so its lines load while this one is stored.
            if (i + ahead < n) {
                const u64 later = next[ids[i + ahead]];
                __builtin_prefetch(out_labels + later, 1);
                if (scores != nullptr) __builtin_prefetch(out_scores + later, 1);
            }
            const u64 at = next[ids[i]]++;
            flags.label(labels[i]);
            out_labels[at] = labels[i] != 0;
            if (scores != nullptr) {
                flags.score(scores[i]);
                out_scores[at] = scores[i];
            }
        }
        if (release) release_items(labels, scores, ids, block, block_end);
        block = block_end;
    }
    if (release) release_items(labels, scores, ids, 0, n);  // the pages that straddle two blocks
    return flags;
}

// The one stable pass into partitions of 2^shift group ids: each item's code (its group within
// the partition, then its label) written at its place `at` in group order's partition block, and
// place(i, at, flags) called for what else goes there (the score copied, or the item's index),
// and passed(from, to) after each block [from, to) of handover_block_items items of a share.
// Returns the labels' flags and whatever place() noted. On several threads each takes an equal
// share of the items in input order, counts them per partition first, and writes its items of a
// partition after those of the shares before it: the order inside a partition is still the
// input order. (10M items in 100,000 groups on two threads: on one, this pass took about 45 of
// the 112 ms the low-memory path spent beyond grouped input; on both, 30 ms and 5 for the counts.)
template <class Code, class Label, class Place, class Passed>
detail::InputFlags partition_items(std::span<const Label> labels, const u32* ids, const std::vector<u64>& offsets,
                                   int shift, std::size_t partitions, Code* codes, unsigned threads, Place&& place,
                                   Passed&& passed) {
    const std::size_t n = labels.size();
    const u32 local_mask = (u32{1} << shift) - 1;
    threads = static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, n)));
    const auto share = [&](unsigned t) { return std::pair{n * t / threads, n * (t + 1) / threads}; };
    // next[t][p]: where share t writes its next item of partition p.
    std::vector<std::vector<u64>> next(threads, std::vector<u64>(partitions));
    if (threads > 1) {
        detail::parallel_for(threads, [&](unsigned t) {
            const auto [begin, end] = share(t);
            for (std::size_t i = begin; i < end; ++i) ++next[t][ids[i] >> shift];
        });
    }
    for (std::size_t p = 0; p < partitions; ++p) {
        u64 at = offsets[p << shift];
        for (unsigned t = 0; t < threads; ++t) {
            const u64 count = next[t][p];
            next[t][p] = at;
            at += count;
        }
    }
    std::vector<detail::InputFlags> flags(threads);
    detail::parallel_for(threads, [&](unsigned t) {
        const auto [begin, end] = share(t);
        u64* const cursor = next[t].data();
        // Noted in a local: through a reference each byte-wide code store could alias it, and the
        // threads' flags share a cache line.
        detail::InputFlags noted;
        for (std::size_t block = begin; block < end;) {
            const std::size_t block_end = std::min(end, block + tuning::handover_block_items);
            for (std::size_t i = block; i < block_end; ++i) {
                const u32 g = ids[i];
                const u64 at = cursor[g >> shift]++;
                noted.label(labels[i]);
                codes[at] = static_cast<Code>((g & local_mask) << 1 | static_cast<u32>(labels[i] != 0));
                place(i, at, noted);
            }
            passed(block, block_end);
            block = block_end;
        }
        flags[t] = noted;
    });
    for (unsigned t = 1; t < threads; ++t) flags[0].merge(flags[t]);
    return flags[0];
}

// Many groups: the pass into partitions (partition_items), then each partition on one thread: its
// items in group order in the thread's scratch window, and its groups evaluated there. Beside its
// code the pass keeps each item's score, or with GroupOptions::low_memory (Gather) its index in the
// input, from which the second step reads the score back: 4 + sizeof(Code) bytes per item beside
// the caller's arrays instead of 8 + sizeof(Code), but each score is then a read from a random
// place of the input (10M items in 100,000 groups, the CLI's one-off call on two threads: the
// metric took 177-195 ms gathering against 116-152 ms copying, 4 alternating runs).
template <bool Gather, class Code, class Label, class Score>
bool partition_then_evaluate(std::span<const Label> labels, const Score* scores, const Layout& layout,
                             const ScatterPlan& plan, const GroupOptions& options, GroupSummary& out) {
    const std::size_t n = labels.size(), groups = layout.offsets.size() - 1;
    const std::vector<u64>& offsets = layout.offsets;
    const u32* ids = layout.item_ids();
    const int shift = plan.shift;
    const std::size_t partitions = plan.partitions(groups);
    const unsigned threads = grouped_thread_count(options, n);
    const bool scored = scores != nullptr;
    detail::Buffer<Code> codes(n);
    detail::Buffer<u32> order(Gather && scored ? n : 0);
    detail::Buffer<Score> partitioned_scores(!Gather && scored ? n : 0);
    // Handing the input back as the pass reads it, the copies' pages are faulted in by the pass
    // instead of before it: so the input and the copies are not both whole at any moment.
    const bool release = layout.release_input && !Gather;
    if (!release) {
        detail::fault_in_on_threads(codes, threads);
        detail::fault_in_on_threads(order, threads);
        detail::fault_in_on_threads(partitioned_scores, threads);
    }
    const detail::InputFlags pass_flags = partition_items(
        labels, ids, offsets, shift, partitions, codes.data(), threads,
        [&](std::size_t i, u64 at, detail::InputFlags& noted) {
            if (!scored) return;
            if constexpr (Gather) {
                order[at] = static_cast<u32>(i);
            } else {
                noted.score(scores[i]);
                partitioned_scores[at] = scores[i];
            }
        },
        [&](std::size_t from, std::size_t to) {
            if (release) release_items(labels, scores, ids, from, to);
        });
    if (release) release_items(labels, scores, ids, 0, n);  // the pages that straddle two blocks
    detail::phase_end("partition");

    size_summary(out, groups);
    const auto run_partitions = [&](std::size_t first_partition, std::size_t last_partition) {
        // Scratch of this call and thread: a partition's items in group order (the evaluator reads
        // a group's items and no further, as it does in the caller's arrays).
        std::vector<std::uint8_t> local_labels(plan.max_partition_items);
        std::vector<Score> local_scores(scored ? plan.max_partition_items : 0);
        std::vector<u64> cursor(std::size_t{1} << shift);
        GroupEvaluator<std::uint8_t, Score> evaluator(std::span<const std::uint8_t>(local_labels),
                                                      scored ? local_scores.data() : nullptr, options.ties, options.k);
        detail::InputFlags flags;
        constexpr std::size_t ahead = tuning::key_prefetch_distance;
        for (std::size_t p = first_partition; p < last_partition; ++p) {
            const std::size_t first = p << shift, last = std::min(groups, first + (std::size_t{1} << shift));
            const u64 begin = offsets[first], end = offsets[last];
            for (std::size_t g = first; g < last; ++g) cursor[g - first] = offsets[g] - begin;
            for (u64 j = begin; j < end; ++j) {
                const Code code = codes[j];
                const u64 at = cursor[code >> 1]++;
                local_labels[at] = code & 1;
                if (!scored) continue;
                if constexpr (Gather) {
                    // Each score is read from a random place of the input: the one `ahead` is
                    // fetched meanwhile.
                    if (j + ahead < end) __builtin_prefetch(scores + order[j + ahead]);
                    const Score x = scores[order[j]];
                    flags.score(x);
                    local_scores[at] = x;
                } else {
                    local_scores[at] = partitioned_scores[j];  // checked in the pass
                }
            }
            evaluate_groups(evaluator, offsets, first, last, begin, out);
        }
        return flags.ok() && !evaluator.saw_invalid_input();
    };
    const bool valid = run_balanced(
        partitions, n, threads, [&](std::size_t p) { return offsets[std::min(groups, p << shift)]; }, run_partitions);
    detail::phase_end("evaluate");
    return valid && pass_flags.ok();
}

// The narrowest code for the plan's groups per partition.
template <bool Gather, class Label, class Score>
bool partition_by_code_then_evaluate(std::span<const Label> labels, const Score* scores, const Layout& layout,
                                     const ScatterPlan& plan, const GroupOptions& options, GroupSummary& out) {
    if (plan.shift < 8) return partition_then_evaluate<Gather, std::uint8_t>(labels, scores, layout, plan, options, out);
    if (plan.shift < 16) return partition_then_evaluate<Gather, std::uint16_t>(labels, scores, layout, plan, options, out);
    return partition_then_evaluate<Gather, u32>(labels, scores, layout, plan, options, out);
}

template <class Label, class Score>
bool scatter_then_evaluate(std::span<const Label> labels, const Score* scores, const Layout& layout,
                           const GroupOptions& options, GroupSummary& out) {
    const std::size_t n = labels.size();
    const ScatterPlan plan = plan_scatter(layout.offsets);
    ScatterSettings& settings = scatter_settings();
    settings.paths[plan.shift < 0 ? 0 : plan.shift < 8 ? 1 : plan.shift < 16 ? 2 : 3].fetch_add(1, std::memory_order_relaxed);
    if (plan.shift >= 0) {
        if (!options.low_memory) return partition_by_code_then_evaluate<false>(labels, scores, layout, plan, options, out);
        settings.gathered.fetch_add(1, std::memory_order_relaxed);
        return partition_by_code_then_evaluate<true>(labels, scores, layout, plan, options, out);
    }
    detail::Buffer<std::uint8_t> grouped_labels(n);
    detail::Buffer<Score> grouped_scores(scores != nullptr ? n : 0);
    const unsigned threads = grouped_thread_count(options, n);
    if (!layout.release_input) {  // else faulted in by the pass, as the input is handed back
        detail::fault_in_on_threads(grouped_labels, threads);
        detail::fault_in_on_threads(grouped_scores, threads);
    }
    const detail::InputFlags flags = scatter_directly(labels, scores, layout.item_ids(), layout.offsets,
                                                      grouped_labels.data(), grouped_scores.data(), layout.release_input);
    detail::phase_end("scatter");
    return evaluate_all(std::span<const std::uint8_t>(grouped_labels.data(), n),
                        scores != nullptr ? grouped_scores.data() : nullptr, layout, options, out) &&
           flags.ok();
}

template <class Label, class Score>
bool evaluate_typed(std::span<const Label> labels, const Score* scores, const Layout& layout,
                    const GroupOptions& options, GroupSummary& out) {
    if (layout.contiguous()) return evaluate_all(labels, scores, layout, options, out);
    return scatter_then_evaluate(labels, scores, layout, options, out);
}

// Evaluates every group, checking the items as it reads them; a bad item makes the serial
// validation run and throw its exact error (index), so the result never depends on threads.
void evaluate(const Input& items, const Layout& layout, const GroupOptions& options, GroupSummary& out) {
    const bool valid = detail::visit_labels(items.labels, items.n, items.label_type, [&](auto labels) {
        if (items.scores == nullptr)
            return evaluate_typed(labels, static_cast<const double*>(nullptr), layout, options, out);
        if (items.score_type == ScoreType::f32)
            return evaluate_typed(labels, static_cast<const float*>(items.scores), layout, options, out);
        return evaluate_typed(labels, static_cast<const double*>(items.scores), layout, options, out);
    });
    if (valid) return;
    validate_items(items);
    throw std::logic_error("grouped evaluation: an item failed a check that validation accepts");
}

}  // namespace

namespace testing {
ScatterTuning set_scatter_tuning(ScatterTuning tuning) noexcept {
    ScatterSettings& settings = scatter_settings();
    return {settings.from_groups.exchange(tuning.from_groups), settings.max_partitions.exchange(tuning.max_partitions),
            settings.max_partition_share.exchange(tuning.max_partition_share)};
}
ScatterPaths scatter_paths() noexcept {
    const ScatterSettings& settings = scatter_settings();
    return {settings.paths[0].load(), settings.paths[1].load(), settings.paths[2].load(), settings.paths[3].load(),
            settings.gathered.load()};
}
}  // namespace testing

GroupSummary compute_grouped(const GroupedInput& input, const GroupOptions& options) {
    check_shape(input.items);
    if (input.items.scores != nullptr && detail::integer_scores(input.items.score_type)) {
        const detail::ExactScores exact(input.items, detail::WideIntegers::rank, "compute_grouped");
        GroupedInput converted = input;
        converted.items = exact.input();
        return compute_grouped(converted, options);
    }
    if (input.items.n > 0 && input.keys == nullptr)
        throw std::invalid_argument("null group keys with n = " + std::to_string(input.items.n));
    detail::phase_start();
    Layout layout = groups::layout_from(input, grouped_thread_count(options, input.items.n));
    detail::phase_end("layout");
    GroupSummary out;
    evaluate(input.items, layout, options, out);
    out.first_item = std::move(layout.first_item);
    summarise(out, options, [&](std::size_t g) { return groups::key_text(input, out.first_item[g]); });
    detail::phase_end("mean");
    return out;
}

GroupSummary compute_grouped_offsets(const Input& items, std::span<const std::uint64_t> offsets,
                                     const GroupOptions& options) {
    check_shape(items);
    if (items.scores != nullptr && detail::integer_scores(items.score_type)) {
        const detail::ExactScores exact(items, detail::WideIntegers::rank, "compute_grouped_offsets");
        return compute_grouped_offsets(exact.input(), offsets, options);
    }
    if (offsets.empty() || offsets.front() != 0)
        throw std::invalid_argument("group offsets must start with 0");
    for (std::size_t g = 1; g < offsets.size(); ++g)
        if (offsets[g] < offsets[g - 1])
            throw InvalidInput("group offsets decrease at index " + std::to_string(g) + " (" +
                                   std::to_string(offsets[g - 1]) + " then " + std::to_string(offsets[g]) + ")",
                               g);
    if (offsets.back() != items.n)
        throw std::invalid_argument("group offsets end at " + std::to_string(offsets.back()) +
                                    ", not at the item count " + std::to_string(items.n));
    detail::phase_start();
    Layout layout;
    layout.offsets.assign(offsets.begin(), offsets.end());
    GroupSummary out;
    evaluate(items, layout, options, out);
    out.first_item.assign(offsets.begin(), offsets.end() - 1);
    summarise(out, options, [](std::size_t g) { return std::to_string(g); });
    detail::phase_end("mean");
    return out;
}

namespace {
GroupSummary grouped_by_ids(const Input& items, std::span<const std::uint32_t> ids, const GroupOptions& options,
                            bool release_input) {
    check_shape(items);
    if (items.scores != nullptr && detail::integer_scores(items.score_type)) {
        const detail::ExactScores exact(items, detail::WideIntegers::rank, "compute_grouped_ids");
        return compute_grouped_ids(exact.input(), ids, options);
    }
    if (ids.size() != items.n)
        throw std::invalid_argument("group ids: " + std::to_string(ids.size()) + " ids for " +
                                    std::to_string(items.n) + " items");
    detail::phase_start();
    // One pass: sizes, first items, and whether every group is one run. The ids must already be
    // numbered in order of first appearance (each new group takes the next number), which is
    // what makes them this layout's ids as they are.
    Layout layout;
    std::vector<u64> sizes;
    bool contiguous = true;
    for (std::size_t i = 0; i < ids.size();) {
        const u32 id = ids[i];
        std::size_t end = i + 1;  // the run of this id (one group's rows, in grouped inputs)
        while (end < ids.size() && ids[end] == id) ++end;
        const u64 run = end - i;
        if (id == sizes.size()) {
            if (id == std::numeric_limits<u32>::max())
                throw InvalidInput("group id at index " + std::to_string(i) + " is 4294967295 (at most 4294967294)", i);
            sizes.push_back(run);
            layout.first_item.push_back(i);
        } else if (id < sizes.size()) {
            sizes[id] += run;
            contiguous = false;
        } else {
            throw InvalidInput("group id at index " + std::to_string(i) + " is " + std::to_string(id) + " but " +
                                   (sizes.empty() ? std::string("the first group must be 0")
                                                  : "the groups so far are 0.." + std::to_string(sizes.size() - 1)) +
                                   ": ids are numbered in order of first appearance",
                               i);
        }
        i = end;
    }
    layout.offsets.assign(sizes.size() + 1, 0);
    for (std::size_t g = 0; g < sizes.size(); ++g) layout.offsets[g + 1] = layout.offsets[g] + sizes[g];
    if (!contiguous) layout.caller_ids = ids.data();
    layout.release_input = release_input;
    detail::phase_end("layout");
    GroupSummary out;
    evaluate(items, layout, options, out);
    out.first_item = std::move(layout.first_item);
    summarise(out, options, [](std::size_t g) { return std::to_string(g); });
    detail::phase_end("mean");
    return out;
}
}  // namespace

GroupSummary compute_grouped_ids(const Input& items, std::span<const std::uint32_t> ids, const GroupOptions& options) {
    return grouped_by_ids(items, ids, options, false);
}

GroupSummary detail::compute_grouped_ids_releasing_input(const Input& items, std::span<const std::uint32_t> ids,
                                                         const GroupOptions& options) {
    return grouped_by_ids(items, ids, options, true);
}

}  // namespace aucrecall
