// keysort's counts on arrays the caller hands over to be overwritten: the scores become their
// order keys where they lie, positives first, so no key buffer is allocated (keysort allocates
// one of n keys: 80 MB at 10^7 float64 scores). For the command-line tool, whose parsed rows are
// its own and are not read again. `average` ties only: `stable` reads the scores in input order
// after the sort. The same counts as keysort_parts, hence the same bits. Internal, not installed.
#pragma once

#include "rank_sum/vqsort.hpp"

#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>

namespace aucrecall::detail {

// `labels` (0 or 1) and `scores` (no NaN), both checked by the caller, are left permuted and the
// scores replaced by keys: neither is meaningful afterwards.
inline RankSumParts keysort_parts_in_place(std::span<std::uint8_t> labels, std::span<double> scores) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("keysort_parts_in_place: labels and scores differ in length");
    const std::size_t n = scores.size();
    if (n <= tuning::tiny_n)
        return keysort_parts(std::span<const std::uint8_t>(labels), std::span<const double>(scores), Ties::average);
    // Each score's key is copied over it: memcpy ends the double's lifetime there and begins a
    // uint64_t's (implicit object creation), so the keys are then read as what they are.
    double* const storage = scores.data();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t key = order_key(storage[i]);
        std::memcpy(storage + i, &key, sizeof key);
    }
    std::uint64_t* const keys = std::launder(reinterpret_cast<std::uint64_t*>(storage));
    // Positives to the front (order within a label does not matter: each list is sorted next).
    std::size_t front = 0, back = n;
    while (true) {
        while (front < back && labels[front] != 0) ++front;
        while (front < back && labels[back - 1] == 0) --back;
        if (front >= back) break;
        std::swap(keys[front], keys[back - 1]);
        std::swap(labels[front], labels[back - 1]);
    }
    const std::size_t positives = front, negatives = n - positives;
    if (positives == 0) return {n, 0, 0, 0, 1};
    std::uint64_t* const pos = keys;
    std::uint64_t* const neg = keys + positives;
    sort_keys_vectorized(pos, positives);
    sort_keys_vectorized(neg, negatives);
    const rank_count::PairCounts c = rank_count::count_sorted(pos, positives, neg, negatives,
                                                              static_cast<std::vector<std::uint64_t>*>(nullptr));
    const rank_count::TopTies<std::uint64_t> t = rank_count::top_ties(pos, positives, neg, negatives);
    const rank_count::TopLabel y0 =
        rank_count::top_label(Ties::average, t.positives, t.positives + t.negatives, [] { return false; });
    return rank_count::finish(n, positives, c, 0, Ties::average, y0);
}

}  // namespace aucrecall::detail
