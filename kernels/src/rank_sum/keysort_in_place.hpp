// keysort's counts on a score array the caller hands over to be overwritten: the scores become
// their order keys where they lie, positives first, so no key buffer is allocated (keysort
// allocates one of n keys: 80 MB at 10^7 float64 scores). For the command-line tool, whose
// parsed rows are its own and are not read again. `average` ties only: `stable` reads the scores
// in input order after the sort. The same counts as keysort_parts, hence the same bits.
// Each step runs on the pool's threads: the split by label in chunks, the two lists' sorts side by
// side, the merge count in ranges of positives. Internal, not installed.
#pragma once

#include "rank_sum/vqsort.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace aucrecall::detail {

namespace keysort_in_place_detail {

// Chunk [begin, end) of the scores becomes its keys, positives first; returns how many.
// Branch-free (labels are as good as random to the predictor): each key is written at the
// boundary and the key that stood there moves to the end of the negatives (when the boundary is
// i itself, the key is written last and stays). Item i is read before anything is written at or
// after i, and the labels are not moved.
inline std::size_t split_chunk(const std::uint8_t* labels, double* storage, std::size_t begin, std::size_t end) {
    std::size_t boundary = begin;
    for (std::size_t i = begin; i < end; ++i) {
        std::uint64_t key = order_key(storage[i]);
        std::uint64_t displaced;
        std::memcpy(&displaced, storage + boundary, sizeof displaced);
        std::memcpy(storage + i, &displaced, sizeof displaced);
        std::memcpy(storage + boundary, &key, sizeof key);
        boundary += labels[i] != 0;
    }
    return boundary - begin;
}

// Swaps [a, a + count) with [b, b + count) (disjoint) on up to `threads` threads.
inline void swap_ranges_parallel(std::uint64_t* a, std::uint64_t* b, std::size_t count, unsigned threads) {
    const unsigned tasks =
        static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(count / tuning::items_per_thread, 1)));
    parallel_for(tasks, [&](unsigned t) {
        const std::size_t from = count * t / tasks, to = count * (t + 1) / tasks;
        std::swap_ranges(a + from, a + to, b + from);
    });
}

}  // namespace keysort_in_place_detail

// `labels` (0 or 1) and `scores` (no NaN), both checked by the caller; the scores are left as
// keys in no useful order, the labels untouched.
inline RankSumParts keysort_parts_in_place(std::span<const std::uint8_t> labels, std::span<double> scores) {
    using namespace keysort_in_place_detail;
    if (labels.size() != scores.size())
        throw std::invalid_argument("keysort_parts_in_place: labels and scores differ in length");
    const std::size_t n = scores.size();
    if (n <= tuning::tiny_n) return keysort_parts(labels, std::span<const double>(scores), Ties::average);
    const unsigned threads = thread_count_for(n, tuning::items_per_thread);

    // Keys over the scores, each chunk split by label. Writing a key with memcpy ends the
    // double's lifetime there and begins a uint64_t's (implicit object creation), so the keys
    // are then read as what they are.
    double* const storage = scores.data();
    std::vector<std::size_t> chunk_positives(threads);
    const auto chunk_begin = [&](std::size_t c) { return n * c / threads; };
    parallel_for(threads, [&](unsigned c) {
        chunk_positives[c] = split_chunk(labels.data(), storage, chunk_begin(c), chunk_begin(c + 1));
    });
    std::uint64_t* const keys = std::launder(reinterpret_cast<std::uint64_t*>(storage));
    // Chunks joined from the left: [0, end) holds all positives so far, then their negatives;
    // the next chunk's positives swap places with as many of those negatives (order within a
    // label does not matter: each list is sorted next).
    std::size_t positives = chunk_positives[0];
    for (unsigned c = 1; c < threads; ++c) {
        const std::size_t end = chunk_begin(c), negatives_before = end - positives;
        const std::size_t moved = std::min(negatives_before, chunk_positives[c]);
        swap_ranges_parallel(keys + positives, keys + end + chunk_positives[c] - moved, moved, threads);
        positives += chunk_positives[c];
    }
    const std::size_t negatives = n - positives;
    if (positives == 0) return {n, 0, 0, 0, 1};
    std::uint64_t* const pos = keys;
    std::uint64_t* const neg = keys + positives;

    if (threads == 1) {
        sort_keys_vectorized(pos, positives);
        sort_keys_vectorized(neg, negatives);
    } else {
        parallel_for(2, [&](unsigned list) { list == 0 ? sort_keys_vectorized(pos, positives) : sort_keys_vectorized(neg, negatives); });
    }

    // The merge count in ranges of positives: the negatives strictly below a range's first key
    // are below all of its keys, and the count goes on from there.
    const unsigned ranges = static_cast<unsigned>(std::min<std::size_t>(threads, positives));
    std::vector<rank_count::PairCounts> counts(ranges);
    parallel_for(ranges, [&](unsigned r) {
        const std::size_t first = positives * r / ranges, last = positives * (r + 1) / ranges;
        const std::size_t below = r == 0 ? 0 : static_cast<std::size_t>(std::lower_bound(neg, neg + negatives, pos[first]) - neg);
        // (The negatives skipped are neither discordant nor tied with the range's positives.)
        counts[r] = rank_count::count_sorted(pos + first, last - first, neg + below, negatives - below,
                                             static_cast<std::vector<std::uint64_t>*>(nullptr));
    });
    rank_count::PairCounts c;
    for (const rank_count::PairCounts& part : counts) c += part;
    const rank_count::TopTies<std::uint64_t> t = rank_count::top_ties(pos, positives, neg, negatives);
    const rank_count::TopLabel y0 =
        rank_count::top_label(Ties::average, t.positives, t.positives + t.negatives, [] { return false; });
    return rank_count::finish(n, positives, c, 0, Ties::average, y0);
}

}  // namespace aucrecall::detail
