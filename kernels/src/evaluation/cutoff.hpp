// Metric@K (SPEC.md "Cutoff K") from the items that can reach rank K. Internal, not installed.
//
// With m = min(K, n) and t the score at rank m-1, only the tie group G of t straddles the cutoff.
// Let A be the items scoring strictly above t (a of them, ranks 0..a-1) and j = m - a the ranks
// of G inside the cutoff. SPEC's closed form needs, besides P (every positive):
//   sum_{i<m} c_i = sum_{r<m} (m - r) q_r = m P_A - S_A + (G's part)
// where S_A is the rank sum of A's positives *within A*: exactly the S of the rank-sum identity
// for the input A alone, which the rank-sum kernels already count. So the cutoff path is
// "select A, count A as a whole input, add G in closed form":
//   `average`: G's ranks each hold p_G / g positives: G adds p_G j (j+1) / (2g) to the sum and
//              j p_G / g to c_{m-1}; together 2 sum c - c_{m-1} = 2mP_A - 2S_A - P_A + p_G j^2 / g.
//   `stable`:  the first j items of G in input order are ranks a..m-1, so they simply join A
//              (then the selected set is exactly the top m ranks and G adds nothing).
// c_0 is A's y0 when A is not empty, else G's share (average). Every quantity is a rational
// with denominator g (and y0's), so the result is exact up to one final division.
#pragma once

#include "api/input.hpp"
#include "rank_sum/identity.hpp"
#include "runtime/scratch.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace aucrecall::cutoff {

using u64 = std::uint64_t;
using u128 = unsigned __int128;
using i128 = __int128;

// The tie group holding rank m-1 when it is not wholly inside the selected items (`average` only).
struct Boundary {
    u64 size = 0;       // g; 0 when the selected items are exactly the top m ranks
    u64 positives = 0;  // p_G
};

// metric@K with m = min(K, n) ranks, P positives in all, `top` the rank-sum parts of the selected
// items (A, or the whole top m), `g` the straddling tie group.
inline double metric_at(u64 m, u64 positives, const detail::RankSumParts& top, Boundary g) noexcept {
    if (positives == 0 || m < 2) return detail::undefined();
    const u64 j = m - top.n;  // ranks of G inside the cutoff
    const u64 gs = g.size == 0 ? 1 : g.size;
    // c_0 = y0 of the selected items, or G's share when nothing scores above G.
    const u64 c0_num = top.n > 0 ? top.y0_num : g.positives;
    const u64 c0_den = top.n > 0 ? top.y0_den : gs;
    const u64 ideal_ones = std::min(positives, m);
    // 2I - 1 - min(P, m), I = the area's ideal sum (SPEC.md)
    const u128 twice_ideal = m <= positives
                                 ? static_cast<u128>(m) * (m + 1)
                                 : static_cast<u128>(positives) * (positives + 1) +
                                       2 * static_cast<u128>(m - positives) * positives;
    const u128 area_den = twice_ideal - 1 - ideal_ones;
    // x = gs (2 sum c - c_{m-1}) and x c0_den - c0_num gs over gs c0_den area_den, in 128 bits;
    // bounded by about 2 n^4, so exact for n < 2^30 and checked beyond.
    i128 base = 0, x = 0, num = 0, den = 0;
    const i128 p_top = static_cast<i128>(top.positives);
    bool overflow = __builtin_mul_overflow(static_cast<i128>(2 * static_cast<u128>(m)), p_top, &base);
    base = base - static_cast<i128>(top.twice_s) - p_top;
    i128 g_term = 0;
    if (g.size != 0)
        overflow |= __builtin_mul_overflow(static_cast<i128>(g.positives) * static_cast<i128>(j),
                                           static_cast<i128>(j), &g_term);
    overflow |= __builtin_mul_overflow(base, static_cast<i128>(gs), &x);
    overflow |= __builtin_add_overflow(x, g_term, &x);
    i128 x_scaled = 0, c0_scaled = 0, den_part = 0;
    overflow |= __builtin_mul_overflow(x, static_cast<i128>(c0_den), &x_scaled);
    overflow |= __builtin_mul_overflow(static_cast<i128>(c0_num), static_cast<i128>(gs), &c0_scaled);
    overflow |= __builtin_mul_overflow(static_cast<i128>(gs), static_cast<i128>(c0_den), &den_part);
    overflow |= area_den >> 126 != 0;
    overflow |= __builtin_mul_overflow(den_part, static_cast<i128>(area_den), &den);
    if (!overflow) {
        num = x_scaled - c0_scaled;
        constexpr i128 exact_limit = i128{1} << 53;
        if (num >= 0 && num < exact_limit && den < exact_limit)
            return static_cast<double>(num) / static_cast<double>(den);  // correctly rounded
        return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
    }
    // Beyond 128 bits (n of order 2^30 and more): the same terms in long double, relative error
    // of a few 2^-64, far inside SPEC's accuracy.
    using ld = long double;
    const ld xs = (2 * static_cast<ld>(m) * static_cast<ld>(top.positives) - static_cast<ld>(top.twice_s) -
                   static_cast<ld>(top.positives)) +
                  (g.size != 0 ? static_cast<ld>(g.positives) * static_cast<ld>(j) * static_cast<ld>(j) /
                                     static_cast<ld>(g.size)
                               : 0.0L);
    return static_cast<double>((xs - static_cast<ld>(c0_num) / static_cast<ld>(c0_den)) /
                               static_cast<ld>(area_den));
}

// metric@K of a list already in rank order (label(r) for rank r, `average` tie groups given by
// same_score(r - 1, r)). One pass over the first m ranks plus the tie group at the cutoff.
template <class LabelAt, class SameScore>
double metric_of_ranked(u64 n, u64 positives, u64 m, Ties ties, LabelAt&& label, SameScore&& same_score) {
    m = std::min(m, n);
    if (positives == 0 || m < 2) return detail::undefined();
    detail::RankSumParts top;
    Boundary boundary;
    if (ties == Ties::stable) {
        u128 twice_s = 0;
        u64 p = 0;
        for (u64 r = 0; r < m; ++r) {
            const u64 y = label(r) ? 1 : 0;
            p += y;
            twice_s += 2 * static_cast<u128>(r) * y;
        }
        top = {m, p, twice_s, label(0) ? 1u : 0u, 1};
        return metric_at(m, positives, top, boundary);
    }
    u128 twice_s = 0;
    u64 p = 0;
    detail::for_each_tie_group(n, label, same_score, [&](u64 a, u64 b, u64 group_positives) {
        if (a == 0) top.y0_num = group_positives, top.y0_den = b;
        if (b >= m) {  // this group holds rank m-1
            top.n = a;
            boundary = {b - a, group_positives};
            return false;
        }
        // each positive's expected rank inside [a, b) is (a + b - 1) / 2
        twice_s += static_cast<u128>(group_positives) * (a + b - 1);
        p += group_positives;
        return true;
    });
    top.positives = p;
    top.twice_s = twice_s;
    return metric_at(m, positives, top, boundary);
}

// ---- selecting the items that can reach rank K ------------------------------------------------
// Small cutoffs keep a min-heap of the m highest keys (one read of the input, O(m) memory;
// after the first few thousand items almost every key fails the first compare). Larger ones
// copy the keys and use nth_element (O(n)). Measured in bench rows cutoff/<kernel>@<K>/<n>.
inline constexpr u64 heap_select_max_share = 64;  // heap when m * this <= n

template <class Score>
detail::score_key_t<Score> key_at_rank(std::span<const Score> scores, u64 m, u64* above) {
    using Key = detail::score_key_t<Score>;
    const std::size_t n = scores.size();
    if (m * heap_select_max_share <= n) {
        std::vector<Key> heap;
        heap.reserve(m);
        for (std::size_t i = 0; i < m; ++i) heap.push_back(detail::order_key(scores[i]));
        std::make_heap(heap.begin(), heap.end(), std::greater<>());
        for (std::size_t i = m; i < n; ++i) {
            const Key k = detail::order_key(scores[i]);
            if (k <= heap.front()) continue;
            std::pop_heap(heap.begin(), heap.end(), std::greater<>());
            heap.back() = k;
            std::push_heap(heap.begin(), heap.end(), std::greater<>());
        }
        const Key t = heap.front();
        *above = static_cast<u64>(std::count_if(heap.begin(), heap.end(), [t](Key k) { return k > t; }));
        return t;
    }
    detail::Buffer<Key> keys(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = detail::order_key(scores[i]);
    Key* first = keys.data();
    std::nth_element(first, first + (m - 1), first + n, std::greater<>());
    const Key t = first[m - 1];  // ranks 0..m-2 hold keys >= t; every key > t is among them
    *above = static_cast<u64>(std::count_if(first, first + (m - 1), [t](Key k) { return k > t; }));
    return t;
}

// metric@K for 1 <= k < n: select, compact the selected items (labels as uint8, scores as they
// are, input order kept), count them with `parts(labels, scores, ties)` (a rank-sum kernel on
// that smaller input), add the straddling group. `positives_elsewhere`: positives of a larger
// data set that rank below every item here (they count in P only; compute_top). `tied_elsewhere`:
// items of the straddling group not given, after the given ones in input order (compute_top):
// part of g and p_G under `average`, nothing more under `stable`.
template <class Label, class Score, class PartsFn>
double select_then_count(std::span<const Label> labels, std::span<const Score> scores, Ties ties,
                         u64 k, PartsFn&& parts, u64 positives_elsewhere = 0, Boundary tied_elsewhere = {}) {
    using Key = detail::score_key_t<Score>;
    const std::size_t n = scores.size();
    const u64 m = std::min<u64>(k, n);
    if (m < 2) {
        const u64 positives = detail::count_positives(labels) + positives_elsewhere;
        return metric_at(m, positives, {}, {});
    }
    u64 above = 0;
    const Key t = key_at_rank(scores, m, &above);
    // `stable` keeps the first m - above items tied with t; `average` keeps none of them.
    const u64 tied_kept = ties == Ties::stable ? m - above : 0;
    const u64 selected = above + tied_kept;
    detail::Buffer<std::uint8_t> sub_labels(selected);
    detail::Buffer<Score> sub_scores(selected);
    u64 positives = 0, tied_seen = 0, tied_positives = 0, s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const bool y = labels[i] != 0;
        positives += y;
        const Key key = detail::order_key(scores[i]);
        if (key < t) continue;
        if (key == t) {
            ++tied_seen;
            tied_positives += y;
            if (tied_seen > tied_kept) continue;
        }
        sub_labels[s] = y;
        sub_scores[s] = scores[i];
        ++s;
    }
    const detail::RankSumParts top =
        selected == 0 ? detail::RankSumParts{}
                      : parts(std::span<const std::uint8_t>(sub_labels.data(), selected),
                              std::span<const Score>(sub_scores.data(), selected), ties);
    const Boundary boundary = ties == Ties::stable ? Boundary{}
                                                   : Boundary{tied_seen + tied_elsewhere.size,
                                                              tied_positives + tied_elsewhere.positives};
    return metric_at(m, positives + positives_elsewhere, top, boundary);
}

// ---- the library's own path for small cutoffs: one fused pass ------------------------------------
// For m * heap_select_max_share <= n, one read of the input does everything: the checks of
// validate() (label bits, NaN) as OR-accumulated flags, P, and a heap of the m best-ranked items
// by (key, then input order), which under `stable` is exactly the top m. Under `average` the tie
// group at the cutoff also needs its size and positives over the whole input: the heap keeps
// the items tied with its lowest key that it rejected or evicted, counted and reset whenever
// that key rises. Blocks of items that cannot enter the heap (all keys below its lowest, no
// flags) take a branch-free path the compiler vectorises. Returns nullopt-like NaN via `ok`
// false when a check fails: the caller then runs validate() for the exact error.
template <class Label, class Score>
double fused_heap_cutoff(std::span<const Label> labels, std::span<const Score> scores, Ties ties, u64 m,
                         bool* input_ok) {
    using Key = detail::score_key_t<Score>;
    struct Entry {
        Key key;
        u64 index;  // input order; the label is looked up at the end
    };
    // As the heap's order, the lowest-ranked item (smallest key, then latest index) is on top.
    const auto ranks_before = [](const Entry& a, const Entry& b) {
        return a.key > b.key || (a.key == b.key && a.index < b.index);
    };
    const std::size_t n = scores.size();
    std::vector<Entry> heap;
    heap.reserve(m);
    u64 positives = 0;
    detail::InputFlags flags;
    std::size_t i = 0;
    for (; i < n && heap.size() < m; ++i) {
        const Score x = scores[i];
        flags.score(x);
        flags.label(labels[i]);
        positives += labels[i] != 0;
        heap.push_back({detail::order_key(x), i});
        std::push_heap(heap.begin(), heap.end(), ranks_before);
    }
    u64 tied_outside = 0, tied_outside_positives = 0;  // items not in the heap with its lowest key
    auto consider = [&](std::size_t idx, Key k, bool y) {
        const Key low = heap.front().key;
        if (k < low) return;
        if (k == low) {  // ranks after every heap item with that key (it came later)
            ++tied_outside;
            tied_outside_positives += y;
            return;
        }
        std::pop_heap(heap.begin(), heap.end(), ranks_before);
        const Entry evicted = heap.back();
        heap.back() = {k, idx};
        std::push_heap(heap.begin(), heap.end(), ranks_before);
        if (heap.front().key == evicted.key) {
            ++tied_outside;
            tied_outside_positives += labels[evicted.index] != 0;
        } else {
            tied_outside = tied_outside_positives = 0;
        }
    };
    constexpr std::size_t block = 16;
    for (; i + block <= n; i += block) {
        // Compared as scores, not keys: a floating-point max vectorises on every x86-64 level
        // (64-bit integer compares need SSE4.2), and -0.0 == 0.0 as for keys.
        const Score low = scores[heap.front().index];
        Score block_max = -std::numeric_limits<Score>::infinity();
        u64 block_positives = 0, block_stray = 0;
        bool block_nan = false;
        for (std::size_t j = 0; j < block; ++j) {
            const Score x = scores[i + j];
            block_nan |= x != x;
            block_max = x > block_max ? x : block_max;
            block_stray |= static_cast<u64>(labels[i + j]) & ~u64{1};
            block_positives += static_cast<u64>(labels[i + j]) & 1;
        }
        flags.nan |= block_nan;
        flags.label_bits(block_stray);
        positives += block_positives;
        if (block_max < low) continue;  // (a NaN makes the input invalid: reported after the pass)
        for (std::size_t j = 0; j < block; ++j)
            consider(i + j, detail::order_key(scores[i + j]), labels[i + j] != 0);
    }
    for (; i < n; ++i) {
        const Score x = scores[i];
        flags.score(x);
        flags.label(labels[i]);
        positives += labels[i] != 0;
        consider(i, detail::order_key(x), labels[i] != 0);
    }
    *input_ok = flags.ok();
    if (!*input_ok) return detail::undefined();
    // NaN keys would have made the heap meaningless; with the input valid, rank the heap.
    std::sort(heap.begin(), heap.end(), ranks_before);
    const Key t = heap.back().key;
    if (ties == Ties::stable)  // the heap is exactly the top m ranks
        return metric_of_ranked(
            m, positives, m, Ties::stable, [&](u64 r) { return labels[heap[r].index] != 0; },
            [](u64, u64) { return false; });
    // `average`: the heap's items above t, then G = heap items at t plus those outside it.
    std::size_t above = 0;
    while (above < heap.size() && heap[above].key > t) ++above;
    u64 g_positives = tied_outside_positives;
    for (std::size_t r = above; r < heap.size(); ++r) g_positives += labels[heap[r].index] != 0;
    const u64 g = (heap.size() - above) + tied_outside;
    detail::RankSumParts top{above, 0, 0, 0, 1};
    u128 twice_s = 0;
    detail::for_each_tie_group(
        above, [&](u64 r) { return labels[heap[r].index] != 0; },
        [&](u64 a, u64 b) { return heap[a].key == heap[b].key; },
        [&](u64 a, u64 b, u64 group_positives) {
            if (a == 0) top.y0_num = group_positives, top.y0_den = b;
            twice_s += static_cast<u128>(group_positives) * (a + b - 1);
            top.positives += group_positives;
            return true;
        });
    top.twice_s = twice_s;
    return metric_at(m, positives, top, Boundary{g, g_positives});
}

}  // namespace aucrecall::cutoff
