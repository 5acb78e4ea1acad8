// Machinery shared by the kernels that get the rank-sum identity's integers (SPEC.md) without
// ranking the items: kernels/keysort.cpp, kernels/radix_rank.cpp, evaluation/groups.cpp. Internal, not installed.
//
// What they all count, for labels y and scores s (N negatives, P positives):
//   D  = #(neg, pos) pairs with s[neg] >  s[pos]
//   T  = #(neg, pos) pairs with s[neg] == s[pos]
//   Ts = #(neg, pos) pairs with s[neg] == s[pos] and index(neg) < index(pos)
// and then  2S = P(P-1) + 2D + T   under `average` (an expectation, still an integer)
//           2S = P(P-1) + 2D + 2Ts under `stable`.
// Every count is an integer, so kernels that split the work (by bucket, by thread) get exactly
// the same result in any order of summation.
//
// Scores are compared through detail::order_key(): an unsigned integer per score with the same
// order (and -0.0 == 0.0), so sorting and comparing keys needs no floating-point compares and
// no payload: which item a key came from never matters, only which list (positive, negative).
#pragma once

#include "api/input.hpp"
#include "rank_sum/identity.hpp"
#include "runtime/phase_timer.hpp"
#include "runtime/scratch.hpp"
#include "runtime/tuning.hpp"
#include "simd/entries.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

namespace aucrecall::rank_count {

using detail::Buffer;

using u64 = std::uint64_t;
using u128 = unsigned __int128;

using detail::score_key_t;

// Sums over the (negative, positive) pairs, see the top of this file.
struct PairCounts {
    u128 discordant = 0;  // D
    u128 tied = 0;        // T
    PairCounts& operator+=(const PairCounts& o) noexcept {
        discordant += o.discordant;
        tied += o.tied;
        return *this;
    }
};

// y0 as a fraction (SPEC.md: the share of positives in the top tie group under `average`).
struct TopLabel {
    u64 num = 0;
    u64 den = 1;
};

inline detail::RankSumParts finish(u64 n, u64 positives, const PairCounts& c, u128 stable_tied,
                                   Ties ties, TopLabel y0) noexcept {
    if (positives == 0) return {n, 0, 0, 0, 1};
    const u128 twice_s = static_cast<u128>(positives) * (positives - 1) + 2 * c.discordant +
                         (ties == Ties::stable ? 2 * stable_tied : c.tied);
    return {n, positives, twice_s, y0.num, y0.den, c.discordant, c.tied};
}

// y0 from the highest score's tie group, p_top positives among m_top items. Under `stable` it is
// the label of that group's first item in input order, which first_is_positive() finds only
// when the group mixes labels (the kernels that do not rank every item scan for it there).
template <class FirstIsPositive>
TopLabel top_label(Ties ties, u64 p_top, u64 m_top, const FirstIsPositive& first_is_positive) {
    if (ties == Ties::average) return {p_top, m_top};
    if (p_top == 0 || p_top == m_top) return {p_top == 0 ? 0u : 1u, 1};
    return {first_is_positive() ? 1u : 0u, 1};
}

// D and T (D + Ts under `stable`, where the ranked order is the final one: every negative above
// a positive, tied or not, counts) and y0 of items held in rank order; positive(r) and
// same_score(r - 1, r) as for detail::for_each_tie_group.
struct RankedCounts {
    PairCounts pairs;
    TopLabel y0;
};
template <class PositiveAt, class SameScore>
RankedCounts count_ranked(u64 n, Ties ties, const PositiveAt& positive, const SameScore& same_score) {
    RankedCounts out;
    if (n == 0) return out;
    u64 negatives_above = 0;
    if (ties == Ties::stable) {
        for (u64 r = 0; r < n; ++r) {
            if (positive(r)) out.pairs.discordant += negatives_above;
            else ++negatives_above;
        }
        out.y0 = {positive(0) ? 1u : 0u, 1};
        return out;
    }
    detail::for_each_tie_group(n, positive, same_score, [&](u64 a, u64 b, u64 group_positives) {
        const u64 group_negatives = (b - a) - group_positives;
        out.pairs.discordant += static_cast<u128>(group_positives) * negatives_above;
        out.pairs.tied += static_cast<u128>(group_positives) * group_negatives;
        negatives_above += group_negatives;
        if (a == 0) out.y0 = {group_positives, b};
        return true;
    });
    return out;
}

// ---- tiny inputs -------------------------------------------------------------------------------
// Up to tuning::tiny_n items every kernel ranks on the stack: an insertion sort (stable, so ties
// stay in input order = the `stable` ranking) and one pass, no allocation.
using tuning::tiny_n;

template <class Label, class Score>
detail::RankSumParts tiny_parts(std::span<const Label> labels, std::span<const Score> scores,
                                Ties ties) noexcept {
    using Key = score_key_t<Score>;
    const std::size_t n = std::min(scores.size(), tiny_n);
    Key keys[tiny_n];
    bool positive[tiny_n];
    u64 positives = 0;
    for (std::size_t i = 0; i < n; ++i) {  // highest key first; equal keys keep input order
        const Key k = detail::order_key(scores[i]);
        const bool p = labels[i] != 0;
        positives += p;
        std::size_t j = i;
        for (; j > 0 && keys[j - 1] < k; --j) keys[j] = keys[j - 1], positive[j] = positive[j - 1];
        keys[j] = k;
        positive[j] = p;
    }
    if (positives == 0 || n == 0) return {n, positives, 0, 0, 1};
    const RankedCounts c = count_ranked(
        n, ties, [&](u64 r) { return positive[r]; }, [&](u64 a, u64 b) { return keys[a] == keys[b]; });
    return finish(n, positives, c.pairs, 0, ties, c.y0);
}

// ---- sorting keys ------------------------------------------------------------------------------
// LSD radix sort of unsigned keys, 11-bit digits (2048 counters fit in L1 next to the data
// stream): 6 passes for 64-bit keys, 3 for 32-bit. One counting pass histograms every digit;
// a digit whose histogram has a single non-empty bin (all keys share it) is skipped, which makes
// constant and few-valued inputs O(n) and saves the sign/exponent passes of narrow ranges.
// Sorts `keys` using `scratch` (same size); returns whichever of the two holds the result.
template <class Key>
Key* radix_sort(Key* keys, Key* scratch, std::size_t n) {
    constexpr int digit_bits = tuning::key_radix_digit_bits;
    constexpr int passes = (sizeof(Key) * 8 + digit_bits - 1) / digit_bits;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    if (n < 2) return keys;
    std::vector<std::array<std::uint32_t, radix>> counts(passes);  // zeroed
    for (std::size_t i = 0; i < n; ++i) {
        const Key k = keys[i];
        for (int p = 0; p < passes; ++p) ++counts[p][(k >> (p * digit_bits)) & (radix - 1)];
    }
    Key* from = keys;
    Key* to = scratch;
    for (int p = 0; p < passes; ++p) {
        auto& c = counts[p];
        const int shift = p * digit_bits;
        if (c[(from[0] >> shift) & (radix - 1)] == n) continue;  // every key has this digit
        std::uint32_t sum = 0;
        for (auto& v : c) {
            const std::uint32_t count = v;
            v = sum;
            sum += count;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const Key k = from[i];
            to[c[(k >> shift) & (radix - 1)]++] = k;
        }
        std::swap(from, to);
    }
    return from;
}

// Sorts small arrays in place without allocating; large ones by radix (needs scratch of n).
template <class Key>
Key* sort_keys(Key* keys, Key* scratch, std::size_t n) {
    if (n <= tuning::key_insertion_sort_max) {  // the buckets of radix_rank are mostly this small
        for (std::size_t i = 1; i < n; ++i) {
            const Key k = keys[i];
            std::size_t j = i;
            for (; j > 0 && keys[j - 1] > k; --j) keys[j] = keys[j - 1];
            keys[j] = k;
        }
        return keys;
    }
    if (n <= tuning::key_std_sort_max || n > 0xFFFFFFFFu) {  // radix's fixed cost dominates below
        std::sort(keys, keys + n);
        return keys;
    }
    return radix_sort(keys, scratch, n);
}

// ---- counting pairs between sorted lists -------------------------------------------------------
// For ascending `pos` and `neg`: the sums over positives of #(neg <= key) and of #(neg < key),
// in one branch-free merge. Every step consumes one element of one list, so the loop runs p + q
// times without the unpredictable inner `while` of a textbook merge. `run` counts the negatives
// equal to the last one taken: a positive with that key has them below-or-equal, not below.
struct NegativesBelow {
    u128 or_equal = 0;
    u128 strictly = 0;
};
template <class Key>
NegativesBelow count_negatives_below(const Key* pos, std::size_t p, const Key* neg, std::size_t q) noexcept {
    NegativesBelow total;
    u64 le = 0, lt = 0;  // u64 partial sums, flushed before they could overflow
    std::size_t i = 0, j = 0;
    Key last = 0;
    u64 run = 0;
    while (i < p && j < q) {
        // Masks instead of conditionals: the compiler must not turn any of them into a branch
        // (on these VMs a mispredicted branch costs more than the whole step).
        const Key key = pos[i], negative_key = neg[j];
        const u64 take_negative = negative_key <= key;
        const u64 positive_mask = take_negative - 1;  // all ones when the positive is taken
        const u64 equal_below = run & (u64{0} - static_cast<u64>(last == key));
        le += j & positive_mask;
        lt += (j - equal_below) & positive_mask;
        const u64 next_run = 1 + (run & (u64{0} - static_cast<u64>(negative_key == last)));
        run ^= (run ^ next_run) & ~positive_mask;
        last ^= (last ^ negative_key) & static_cast<Key>(~positive_mask);
        j += take_negative;
        i += 1 - take_negative;
        if ((i & 0xFFFFF) == 0) total.or_equal += le, total.strictly += lt, le = lt = 0;  // < 2^20 adds of < 2^44
    }
    total.or_equal += le;
    total.strictly += lt;
    // Positives above the last negative: every negative is below-or-equal; those equal to it
    // (a prefix of what is left) have `run` negatives that are not strictly below.
    const u128 left = p - i;
    total.or_equal += left * q;
    total.strictly += left * q;
    for (; i < p && run != 0 && pos[i] == last; ++i) total.strictly -= run;
    return total;
}

// Appends each key that occurs in both lists (ascending input); needed only under `stable`.
template <class Key>
void append_mixed_ties(const Key* pos, std::size_t p, const Key* neg, std::size_t q,
                       std::vector<Key>& out) {
    std::size_t i = 0, j = 0;
    while (i < p && j < q) {
        if (pos[i] < neg[j]) ++i;
        else if (neg[j] < pos[i]) ++j;
        else {
            const Key k = pos[i];
            out.push_back(k);
            while (i < p && pos[i] == k) ++i;
            while (j < q && neg[j] == k) ++j;
        }
    }
}

// D and T between two ascending lists; the tie keys go to `mixed_ties` when it is not null.
template <class Key>
PairCounts count_sorted(const Key* pos, std::size_t p, const Key* neg, std::size_t q,
                        std::vector<Key>* mixed_ties) {
    const NegativesBelow below = count_negatives_below(pos, p, neg, q);
    PairCounts c;
    c.discordant = static_cast<u128>(p) * q - below.or_equal;
    c.tied = below.or_equal - below.strictly;
    if (mixed_ties != nullptr && c.tied != 0) append_mixed_ties(pos, p, neg, q, *mixed_ties);
    return c;
}

// D and T between two unsorted small lists: all p*q compares, branch-free.
template <class Key>
PairCounts count_pairwise(const Key* pos, std::size_t p, const Key* neg, std::size_t q,
                          std::vector<Key>* mixed_ties) {
    u64 le = 0, lt = 0;
    for (std::size_t i = 0; i < p; ++i) {
        const Key k = pos[i];
        for (std::size_t j = 0; j < q; ++j) {
            le += neg[j] <= k;
            lt += neg[j] < k;
        }
    }
    PairCounts c;
    c.discordant = static_cast<u64>(p) * q - le;
    c.tied = le - lt;
    if (mixed_ties != nullptr && le != lt)
        for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < q; ++j)
                if (neg[j] == pos[i]) mixed_ties->push_back(pos[i]);
    return c;
}

// D and T of one group of keys (a bucket), sorting it when that is cheaper than all pairs.
// `scratch` grows to the largest group that needs a radix sort.
template <class Key>
PairCounts count_group(Key* pos, std::size_t p, Key* neg, std::size_t q, Buffer<Key>& scratch,
                       std::vector<Key>* mixed_ties) {
    if (p * q <= tuning::bucket_pairwise_max_pairs) return count_pairwise(pos, p, neg, q, mixed_ties);
    scratch.reserve_at_least(std::max(p, q));
    Key* sorted_pos = sort_keys(pos, scratch.data(), p);
    if (sorted_pos != pos) std::copy(sorted_pos, sorted_pos + p, pos);
    Key* sorted_neg = sort_keys(neg, scratch.data(), q);
    if (sorted_neg != neg) std::copy(sorted_neg, sorted_neg + q, neg);
    return count_sorted(pos, p, neg, q, mixed_ties);
}

// ---- stable ties -------------------------------------------------------------------------------
// Ts: for tied (negative, positive) pairs, how many have the negative first in input order. One
// pass over the input in order, restricted to `keys` (sorted, unique: the scores that occur among
// both labels); per key, the negatives seen so far are exactly the ones that precede.
template <class Label, class Score>
u128 stable_tied_pairs(std::span<const Label> labels, std::span<const Score> scores,
                       const std::vector<score_key_t<Score>>& keys) {
    if (keys.empty()) return 0;
    std::vector<u64> negatives_seen(keys.size(), 0);
    const auto lowest = keys.front(), highest = keys.back();
    u128 total = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto k = detail::order_key(scores[i]);
        if (k < lowest || k > highest) continue;
        const auto at = std::lower_bound(keys.begin(), keys.end(), k);
        if (*at != k) continue;
        u64& seen = negatives_seen[static_cast<std::size_t>(at - keys.begin())];
        if (labels[i]) total += seen;
        else ++seen;
    }
    return total;
}

template <class Key>
void sort_unique(std::vector<Key>& keys) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

// Whether the first item (input order) with key `top` is positive: y0 under `stable` for the
// kernels that do not rank every item.
template <class Label, class Score>
bool first_positive_with_key(std::span<const Label> labels, std::span<const Score> scores,
                             score_key_t<Score> top) noexcept {
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (detail::order_key(scores[i]) == top) return labels[i] != 0;
    return false;  // unreachable: `top` is some item's key
}

// The highest key of two sorted lists (positives non-empty) and how many of each list hold it:
// the top tie group, whose labels decide y0.
template <class Key>
struct TopTies {
    Key key;
    u64 positives, negatives;
};

template <class Key>
TopTies<Key> top_ties(const Key* pos, std::size_t p, const Key* neg, std::size_t q) noexcept {
    TopTies<Key> t{q == 0 ? pos[p - 1] : std::max(pos[p - 1], neg[q - 1]), 0, 0};
    while (t.positives < p && pos[p - 1 - t.positives] == t.key) ++t.positives;
    while (t.negatives < q && neg[q - 1 - t.negatives] == t.key) ++t.negatives;
    return t;
}

// ---- the key-sort method -----------------------------------------------------------------------
// Split the keys by label, sort each list, count in one merge. `sort(keys, scratch, n)` sorts
// in place (scratch: n more keys); the default is sort_keys (radix for large lists).
struct SortKeysInPlace {
    template <class Key>
    void operator()(Key* keys, Key* scratch, std::size_t n) const {
        Key* sorted = sort_keys(keys, scratch, n);
        if (sorted != keys) std::copy(sorted, sorted + n, keys);
    }
};

template <class Label, class Score, class Sort = SortKeysInPlace>
detail::RankSumParts keysort_parts(std::span<const Label> labels, std::span<const Score> scores,
                                   Ties ties, const Sort& sort = {}) {
    using Key = score_key_t<Score>;
    const std::size_t n = scores.size();
    if (n <= tiny_n) return tiny_parts(labels, scores, ties);
    detail::phase_start();
    const u64 positives = detail::count_positives(labels);
    if (positives == 0) return {n, 0, 0, 0, 1};
    const std::size_t negatives = n - positives;
    detail::phase_end("stats");

    // One buffer: the positives' keys, the negatives' keys, then the sort's scratch (n keys);
    // each list has split_slack keys of room after it for the split's whole-vector stores.
    constexpr std::size_t slack = label_split_detail::split_slack;
    Buffer<Key> keys(2 * n + 2 * slack);
    Key* const pos = keys.data();
    Key* const neg = pos + positives + slack;
    Key* const scratch = neg + negatives + slack;
    using Word = detail::label_word_t<Label>;
    const auto split = std::get<detail::SplitByLabelFn<Word, Score>>(detail::use_active_entries().split_by_label);
    if (split(reinterpret_cast<const Word*>(labels.data()), scores.data(), n, pos, neg) != positives)
        throw std::logic_error("keysort: the label split and the first pass count different positives");
    detail::phase_end("split");
    sort(pos, scratch, positives);
    sort(neg, scratch, negatives);
    detail::phase_end("sort");

    std::vector<Key> mixed;
    const PairCounts c =
        count_sorted(pos, positives, neg, negatives, ties == Ties::stable ? &mixed : nullptr);

    const TopTies<Key> t = top_ties(pos, positives, neg, negatives);
    const TopLabel y0 = top_label(ties, t.positives, t.positives + t.negatives,
                                  [&] { return first_positive_with_key(labels, scores, t.key); });
    // `mixed` is sorted and unique
    const u128 stable_tied = ties == Ties::stable ? stable_tied_pairs(labels, scores, mixed) : 0;
    const detail::RankSumParts parts = finish(n, positives, c, stable_tied, ties, y0);
    detail::phase_end("merge");
    return parts;
}

}  // namespace aucrecall::rank_count
