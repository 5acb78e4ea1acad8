// The plain types that cross the SIMD entry table (entries.hpp): what each per-instruction-set
// entry point takes and returns. No xsimd here: generic code (the kernels, the evaluation paths)
// includes this through entries.hpp and never sees a vector type; the xsimd templates that
// produce these values live in ops/ and are compiled only in the table units (isa_unit.cpp.in,
// scalar_entries.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace aucrecall::input_stats_detail {
// radix_rank's first pass (ops/input_stats.hpp): P, the OR of every label's bits (anything but
// bit 0 set is a label other than 0/1), the lowest and highest finite score, whether a score is
// NaN. Extremes are doubles for both score types (every float converts exactly); with no finite
// score low = +inf and high = -inf. Trivial (no member initialisers), so no constructor is
// emitted in a wide translation unit: start from no_items.
struct InputStats {
    std::uint64_t positives;
    std::uint64_t label_bits;
    double low;
    double high;
    bool nan;
};
inline constexpr InputStats no_items = {0, 0, std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(), false};
}  // namespace aucrecall::input_stats_detail

namespace aucrecall::bucket_detail {
// radix_rank's buckets linear in the score (ops/bucket_records.hpp): buckets = B, the last
// finite bucket; low_half = low / 2 (halving keeps max - min finite for any finite pair).
struct LinearMap {
    double low_half;
    double scale;
    double buckets;
};
// Items per call of the record-building entry: the caller's block (records stay in L1 for its
// digit counts).
inline constexpr std::size_t block_items = 1024;
}  // namespace aucrecall::bucket_detail

namespace aucrecall::pair_count_detail {
// One small group's counts under `average` ties (ops/pair_count.hpp): (negative, positive) pairs
// with the negative strictly higher and equal, and the top score group (the items equal to the
// highest score) by label. -0.0 == 0.0 as everywhere in the library.
struct PairTotals {
    std::uint64_t higher = 0;
    std::uint64_t equal = 0;
    std::uint64_t top_positives = 0;
    std::uint64_t top_negatives = 0;
};
// The entry reads each list up to its length rounded up to a multiple of this; the caller fills
// those slots with NaN (compares false with everything, so they count nothing). 16 lanes: the
// widest vector (AVX-512, float).
inline constexpr std::size_t pair_pad = 16;
}  // namespace aucrecall::pair_count_detail

namespace aucrecall::ranked_detail {
// One block of a ranked list (ops/ranked_scan.hpp): positives, the sum of their ranks counted
// from the block's first rank, and the OR of all labels (the caller checks bits but bit 0).
struct BlockSums {
    std::uint64_t positives = 0;
    std::uint64_t rank_sum = 0;
    std::uint64_t label_bits = 0;
};
// Ranks per block: a block's rank sum stays below 2^31 (fits the 32-bit lanes) and the running
// sum of sums below 2^32.
inline constexpr std::uint32_t block_ranks = std::uint32_t{1} << 16;
}  // namespace aucrecall::ranked_detail

namespace aucrecall::record_scan_detail {
// radix_rank's scan (ops/record_scan.hpp) over records [from, stop): stop is the first position
// i >= from whose bucket equals that of i + 1, or the end; positives and the sum of their
// positions in that run.
struct RunSums {
    std::uint64_t stop;
    std::uint64_t positives;
    std::uint64_t position_sum;
};
}  // namespace aucrecall::record_scan_detail

namespace aucrecall::label_split_detail {
// keysort's split (ops/label_split.hpp) writes whole vectors: each list needs this many keys of
// room past its last key.
inline constexpr std::size_t split_slack = 8;
// The order key of a score: 32 bits for float, 64 for double.
template <class Score>
using key_t = std::conditional_t<sizeof(Score) == 4, std::uint32_t, std::uint64_t>;
// Grouped evaluation's split of one group's scores as they are (ops/label_split.hpp,
// split_scores): positives written, and the input checks done on the way (the OR of every
// label's bits, whether a score is NaN). Its lists need split_scores_slack scores of room past
// their counts (the widest vector's whole stores: AVX-512, float).
struct ScoreSplit {
    std::uint64_t positives;
    std::uint64_t label_bits;
    bool nan;
};
inline constexpr std::size_t split_scores_slack = 16;
}  // namespace aucrecall::label_split_detail
