// The bucket method behind radix_rank (one thread) and radix_rank_mt (several): the items are
// never ranked by their exact scores.
//
//  1. stats:  P, the lowest and highest finite score.
//  2. build:  one 64-bit record per item, (bucket << 32) | (index << 1) | label, where bucket is
//             a monotone function of the score (a < b implies bucket(a) <= bucket(b)) with about
//             32 buckets per item; -inf and +inf get the two end buckets.
//  3. sort:   stable LSD radix passes on the bucket bits only (2 passes of 11 bits at n = 10^5).
//  4. scan:   pairs in different buckets are ordered by their buckets alone, so one pass over the
//             sorted records (positives and the sum of their positions) gives D for them; the
//             few buckets shared by several items (~1 in 32) are resolved from the exact scores
//             (all pairs when small, sort + merge when large), and the stable LSD order keeps
//             them in input order, which is what the `stable` tie count needs. Runs of records
//             alone in their buckets are summed per instruction set (simd/ops/record_scan.hpp), as
//             are steps 1 and 2 (simd/ops/input_stats.hpp, simd/ops/bucket_records.hpp); the sort is
//             scalar.
//
// The bucket function is linear in the score between the finite extremes (the study's uniform
// scores spread perfectly); where 1/range overflows (subnormal ranges) it is linear in the order
// key (key bits: exponent and mantissa). Data that lands mostly in a few buckets (heavy ties, a
// handful of distinct values, values spread over many binades that collapse linear buckets) is
// found from a strided sample after step 1, or else after step 2 from the top digit's histogram
// of every item, and counted with keysort's method instead
// (split by label, sort the keys, merge: O(n log n), measured 2-3x faster there). With that
// switch off (tests), a big shared bucket is sorted in O(m log m) at worst, so the total never
// exceeds O(n log n) either way.
//
// With several threads (tasks of the process's thread pool, runtime/thread_pool.hpp), every pass over
// items splits them into contiguous chunks (per-chunk histograms; chunk t writes its records of
// digit d after those of chunks < t, which keeps the sort stable) and the scan splits the sorted
// records at bucket boundaries. Only integer counts cross threads, so any thread count gives
// exactly the single-threaded result.
#pragma once

#include "rank_sum/rank_count.hpp"
#include "rank_sum/vqsort.hpp"
#include "runtime/testing_hooks.hpp"
#include "runtime/tuning.hpp"
#include "simd/entries.hpp"
#include "runtime/thread_pool.hpp"

#include <atomic>
#include <cmath>
#include <limits>

namespace aucrecall::rank_count {

using detail::parallel_for;

inline std::size_t part_begin(std::size_t total, unsigned parts, unsigned part) noexcept {
    return static_cast<std::size_t>(static_cast<u128>(total) * part / parts);
}

// Bucket 0 holds -inf, B+1 holds +inf, 1..B the finite scores. x is clamped to [-1, B] in
// floating point first: the infinities land on the ends, and the integer conversion is always
// in range (never UB).
inline std::uint32_t bucket_of(double x, double buckets) noexcept {
    x = std::min(std::max(x, -1.0), buckets);
    return static_cast<std::uint32_t>(static_cast<std::int64_t>(x) + 1);
}

// Buckets linear in the score, the common case, are computed per instruction set
// (simd/ops/bucket_records.hpp: bucket_detail::LinearMap). Halving both operands keeps max - min
// finite for any finite pair; every operation is monotone under round-to-nearest, so the
// composition is too.

// float32 fast path: the 32-bit order key itself is the bucket. Items sharing a bucket then tie
// exactly, so no shared bucket ever needs its scores looked up (random reads dominated at 10^7,
// where 24-bit scores repeat; tuning::exact_float_keys_from_log2_n has the measurement).
struct ExactFloatBuckets {
    std::uint32_t operator()(float s) const noexcept { return detail::order_key(s); }
};

// Linear in the order key: even spread for exponentially distributed values.
template <class Score>
struct KeyBuckets {
    using Key = score_key_t<Score>;
    Key low = 0, high = 0;
    double scale = 0, buckets = 1;
    std::uint32_t operator()(Score s) const noexcept {
        const Key k = detail::order_key(s);
        const double x = k < low ? -1.0 : k > high ? buckets : static_cast<double>(k - low) * scale;
        return bucket_of(x, buckets);
    }
};

// A group of records with the same coarse bucket: its (neg, pos) pair counts.
struct GroupCounts {
    u64 positives = 0, negatives = 0;
    PairCounts pairs;
    u128 stable_tied = 0;
};

// Records are (bucket << 32) | (index << 1) | label: sorting them by the bucket alone is enough
// to count every pair across buckets, and the index (kept in input order by the stable LSD
// passes) both finds the exact score of the few items that share a bucket and orders ties for
// the `stable` policy.
inline constexpr std::size_t record_max_n = (std::size_t{1} << 31) - 1;
// Beyond record_max_n items the index does not fit: radix_rank counts with keysort's method
// instead (same integers, same result). 2^31 items do not fit a test machine, so the switch
// reads this limit, which tests lower (runtime/testing_hooks.hpp); it counts the switches it made.
inline std::atomic<std::size_t>& record_limit() {
    static std::atomic<std::size_t> limit{record_max_n};
    return limit;
}
inline std::atomic<std::size_t>& record_limit_fallbacks() {
    static std::atomic<std::size_t> count{0};
    return count;
}
// tuning::radix_concentration_limit, which tests set to 0 (never fall back) so that the bucket
// path stays tested on tied data too (runtime/testing_hooks.hpp) ...
inline std::atomic<unsigned>& concentration_limit() {
    static std::atomic<unsigned> limit{tuning::radix_concentration_limit};
    return limit;
}
// ... and how many calls found their data concentrated in a few buckets and counted with keysort's
// method instead (tests read it through runtime/testing_hooks.hpp).
inline std::atomic<std::size_t>& concentrated_fallbacks() {
    static std::atomic<std::size_t> count{0};
    return count;
}
// The keysort kernel itself (vqsort of the keys; rank_count's own LSD sort of 64-bit keys took
// 8.5 ms where vqsort took 2.5 on 1e5 exponential scores).
template <class Label, class Score>
detail::RankSumParts keysort_method(std::span<const Label> labels, std::span<const Score> scores, Ties ties) {
    return detail::keysort_parts(labels, scores, ties);
}

inline std::uint32_t bucket_of_record(u64 r) noexcept { return static_cast<std::uint32_t>(r >> 32); }
inline std::size_t index_of_record(u64 r) noexcept { return static_cast<std::uint32_t>(r) >> 1; }
inline bool label_of_record(u64 r) noexcept { return (r & 1) != 0; }

template <class Label, class Score>
class RadixRanker {
public:
    using Key = score_key_t<Score>;

    RadixRanker(std::span<const Label> labels, std::span<const Score> scores, Ties ties,
                unsigned threads)
        : labels_(labels), scores_(scores), ties_(ties), n_(scores.size()), threads_(threads) {}

    detail::RankSumParts run() {
        detail::phase_start();
        simd_ = &detail::use_active_entries();  // both per-ISA passes run the same instruction set
        collect_stats();
        if (positives_ == 0) return {n_, 0, 0, 0, 1};
        negatives_ = n_ - positives_;
        plan_digits();
        // Most items in a few buckets (heavy ties, a handful of distinct scores): the shared
        // buckets would each be sorted on their own; keysort's method counts the same pairs.
        // A sample decides before the records are built; the build's own histogram of every
        // item checks again (a sample can miss a concentration).
        const bool sampled_concentrated = sample_concentrated();
        detail::phase_end("stats");
        if (sampled_concentrated) return keysort_instead();
        records_ = Buffer<u64>(n_);
        scratch_ = Buffer<u64>(n_);
        build_records();
        detail::phase_end("build");
        if (concentrated()) return keysort_instead();
        sort_records();
        detail::phase_end("sort");
        const PairCounts pairs = scan();
        const detail::RankSumParts parts = finish(n_, positives_, pairs, stable_tied_, ties_, top_label());
        detail::phase_end("scan");
        return parts;
    }

private:
    // Histograms are one flat array, [thread][pass][digit], sized to this input's digit width:
    // small inputs use narrow digits, and fixed 2048-bin arrays would dominate their time.
    std::size_t radix() const noexcept { return std::size_t{1} << digit_bits_; }
    std::uint32_t* histogram(unsigned thread, int pass) noexcept {
        return histograms_.data() + (static_cast<std::size_t>(thread) * passes_ + pass) * radix();
    }

    std::size_t chunk_begin(unsigned t) const noexcept { return part_begin(n_, threads_, t); }

    // The first pass, with the input checks of SPEC.md fused into it (simd/ops/input_stats.hpp, per
    // instruction set): a bad label or a NaN score throws InvalidInput naming the first one.
    void collect_stats() {
        using Word = detail::label_word_t<Label>;
        const auto stats_of = std::get<detail::InputStatsFn<Word, Score>>(simd_->input_stats);
        const Word* const words = reinterpret_cast<const Word*>(labels_.data());
        std::vector<input_stats_detail::InputStats> parts(threads_);
        parallel_for(threads_, [&](unsigned t) {
            const std::size_t begin = chunk_begin(t);
            parts[t] = stats_of(words + begin, scores_.data() + begin, chunk_begin(t + 1) - begin);
        });
        input_stats_detail::InputStats all = input_stats_detail::no_items;
        for (const auto& s : parts) {
            all.positives += s.positives;
            all.label_bits |= s.label_bits;
            all.low = std::min(all.low, s.low);
            all.high = std::max(all.high, s.high);
            all.nan |= s.nan;
        }
        if ((all.label_bits & ~u64{1}) != 0 || all.nan) {  // a second pass names the first bad item
            detail::check(labels_, scores_);
            throw std::logic_error("radix_rank: the first pass saw a bad item the checks did not find");
        }
        if (all.low > all.high) all.low = all.high = 0;  // no finite score at all
        positives_ = all.positives;
        low_ = static_cast<Score>(all.low);
        high_ = static_cast<Score>(all.high);
    }

    // Buckets: about 2^5 per item, so few items share one (they cost a look at the exact
    // score); the bucket number's bits are split into 1 to 3 digits of at most 11 bits
    // (tuning::log2_buckets_per_item and max_digit_bits, with the measurements).
    void plan_digits() {
        int log2_n = 0;
        while ((std::size_t{1} << log2_n) < n_) ++log2_n;
        bucket_bits_ = std::clamp(log2_n + tuning::log2_buckets_per_item, 8, 32);
        // From 2^20 floats on, linear buckets need 3 digits anyway: take the exact keys.
        exact_keys_ = std::is_same_v<Score, float> && log2_n >= tuning::exact_float_keys_from_log2_n;
        if (exact_keys_) bucket_bits_ = 32;
        // Digits no wider than log2(n) bits: a 2048-bin histogram for 33 items cost 7 us.
        const int widest = std::clamp(log2_n, 4, tuning::max_digit_bits);
        passes_ = (bucket_bits_ + widest - 1) / widest;
        digit_bits_ = (bucket_bits_ + passes_ - 1) / passes_;
        const double b = static_cast<double>((u64{1} << bucket_bits_) - 2);  // + the two infinities
        const double low_half = static_cast<double>(low_) * 0.5;
        const double range_half = static_cast<double>(high_) * 0.5 - low_half;
        by_value_ = {low_half, range_half > 0 ? (b - 0.5) / range_half : 1.0, b};
        const Key key_low = detail::order_key(low_), key_high = detail::order_key(high_);
        by_key_ = {key_low, key_high,
                   key_high > key_low ? (b - 0.5) / static_cast<double>(key_high - key_low) : 1.0, b};
        use_keys_ = !std::isfinite(by_value_.scale);  // a subnormal range: 1/range overflows
    }

    // Digits are read through these locals: a member read inside the hot loops is reloaded
    // after every counter store (a u32 store may alias it), which cost a third of the time.
    struct DigitShape {
        int bits;
        unsigned mask;
        unsigned operator()(u64 record, int pass) const noexcept {
            return static_cast<unsigned>(record >> (32 + pass * bits)) & mask;
        }
    };
    DigitShape digit_shape() const noexcept { return {digit_bits_, (1u << digit_bits_) - 1}; }

    // Calls fn(count) with each bin's count of a digit, summed over all threads.
    template <class Fn>
    void for_each_bin_total(int pass, Fn&& fn) {
        for (std::size_t d = 0; d < radix(); ++d) {
            u64 total = 0;
            for (unsigned t = 0; t < threads_; ++t) total += histogram(t, pass)[d];
            fn(total);
        }
    }

    // The fullest bin of a digit over all threads.
    u64 fullest_bin(int pass) {
        u64 fullest = 0;
        for_each_bin_total(pass, [&](u64 total) { fullest = std::max(fullest, total); });
        return fullest;
    }

    // Every record, block by block: make_block(start, stop) writes (bucket << 32) | (index << 1)
    // for items [start, stop), then the labels are ORed in and the digits counted while the block
    // is in L1.
    template <class MakeBlock>
    void build_blocks(const MakeBlock& make_block) {
        histograms_.assign(static_cast<std::size_t>(threads_) * passes_ * radix(), 0);
        parallel_for(threads_, [&](unsigned t) {
            u64* const out = records_.data();
            const Label* const labels = labels_.data();
            const DigitShape digit = digit_shape();
            std::uint32_t* const h0 = histogram(t, 0);
            std::uint32_t* const h1 = passes_ > 1 ? histogram(t, 1) : nullptr;
            std::uint32_t* const h2 = passes_ > 2 ? histogram(t, 2) : nullptr;
            const std::size_t begin = chunk_begin(t), end = chunk_begin(t + 1);
            auto fill = [&](auto passes) {
                for (std::size_t start = begin; start < end; start += bucket_detail::block_items) {
                    const std::size_t stop = std::min(end, start + bucket_detail::block_items);
                    make_block(start, stop);
                    for (std::size_t i = start; i < stop; ++i) {
                        const u64 r = out[i] | static_cast<u64>(labels[i] != 0);
                        out[i] = r;
                        ++h0[digit(r, 0)];
                        if constexpr (passes() > 1) ++h1[digit(r, 1)];
                        if constexpr (passes() > 2) ++h2[digit(r, 2)];
                    }
                }
            };
            if (passes_ == 1) fill(std::integral_constant<int, 1>{});
            else if (passes_ == 2) fill(std::integral_constant<int, 2>{});
            else fill(std::integral_constant<int, 3>{});
        });
    }

    // Buckets from a scalar function of the score (order keys, exact float keys).
    template <class Buckets>
    void build_with(const Buckets& bucket) {
        build_blocks([&](std::size_t start, std::size_t stop) {
            for (std::size_t i = start; i < stop; ++i)
                records_.data()[i] = (u64{bucket(scores_[i])} << 32) | (u64{i} << 1);
        });
    }

    // Buckets linear in the score: per instruction set (simd/ops/bucket_records.hpp).
    void build_linear() {
        const auto make_records = std::get<detail::LinearRecordsFn<Score>>(simd_->linear_records);
        build_blocks([&](std::size_t start, std::size_t stop) {
            make_records(scores_.data() + start, stop - start, start, by_value_, records_.data() + start);
        });
    }

    void build_records() {
        if constexpr (std::is_same_v<Score, float>)
            if (exact_keys_) return build_with(ExactFloatBuckets{});
        if (use_keys_) return build_with(by_key_);
        // Linear buckets collapse when the values spread over many binades (most items land in
        // one top-level bin): run() then finds the records concentrated and hands them to
        // keysort's method, which measured 2x faster on such data than rebuilding the records
        // with buckets linear in the order key (exponential scores, 1e5 and 1e6 items).
        build_linear();
    }

    detail::RankSumParts keysort_instead() {
        records_ = {};
        scratch_ = {};
        concentrated_fallbacks().fetch_add(1, std::memory_order_relaxed);
        return keysort_method(labels_, scores_, ties_);
    }

    // The bucket of a few scores, the same function as the build's.
    void sample_buckets(const Score* scores, std::size_t m, u64* out) const {
        if (use_keys_) {
            for (std::size_t i = 0; i < m; ++i) out[i] = u64{by_key_(scores[i])} << 32;
            return;
        }
        std::get<detail::LinearRecordsFn<Score>>(simd_->linear_records)(scores, m, 0, by_value_, out);
    }

    // concentrated() below from an evenly strided sample of tuning::concentration_sample_items
    // scores, before any record is built: c(d) sampled items in top-digit bin d estimate the
    // chance that two items share a bin without bias as (sum c(d)^2 - s) / (s (s - 1)).
    bool sample_concentrated() const {
        constexpr std::size_t s = tuning::concentration_sample_items;
        if (exact_keys_ || n_ < tuning::concentration_sample_from_n) return false;
        Score sample[s];
        u64 buckets[s];
        for (std::size_t k = 0; k < s; ++k) sample[k] = scores_[k * n_ / s];
        sample_buckets(sample, s, buckets);
        std::vector<std::uint32_t> bins(radix(), 0);
        const DigitShape digit = digit_shape();
        u64 same_bin_pairs = 0;  // ordered pairs: sum over bins of c (c - 1)
        for (std::size_t k = 0; k < s; ++k) same_bin_pairs += 2 * bins[digit(buckets[k], passes_ - 1)]++;
        return above_concentration_limit(same_bin_pairs, u64{s} * (s - 1));
    }

    // Same-bin pairs above 1 / tuning::radix_concentration_limit of all pairs (limit 0: never).
    static bool above_concentration_limit(u128 same_bin_pairs, u128 pairs) {
        const unsigned limit = concentration_limit().load(std::memory_order_relaxed);
        return limit != 0 && same_bin_pairs * limit > pairs;
    }

    // Whether two random items share a top-digit bin with probability above
    // 1 / tuning::radix_concentration_limit (sum of squared bin counts over n^2). Uniform scores
    // spread over 2^11 bins; three distinct values put a third of the pairs in one bin. Exact
    // float keys resolve a shared bucket in one pass, so they never fall back.
    bool concentrated() {
        if (exact_keys_) return false;
        u128 same_bin_pairs = 0;
        for_each_bin_total(passes_ - 1, [&](u64 total) { same_bin_pairs += static_cast<u128>(total) * total; });
        return above_concentration_limit(same_bin_pairs, static_cast<u128>(n_) * n_);
    }

    // Stable LSD passes over the bucket bits; a digit shared by every record is skipped.
    void sort_records() {
        for (int pass = 0; pass < passes_; ++pass) {
            if (pass > 0 && threads_ > 1) {  // chunk histograms of the permuted array
                parallel_for(threads_, [&](unsigned t) {
                    std::uint32_t* const h = histogram(t, pass);
                    std::fill(h, h + radix(), 0u);
                    const u64* const rec = records_.data();
                    const DigitShape digit = digit_shape();
                    for (std::size_t i = chunk_begin(t), end = chunk_begin(t + 1); i < end; ++i)
                        ++h[digit(rec[i], pass)];
                });
            }
            if (fullest_bin(pass) == n_) continue;
            // Thread t writes digit d after every record of smaller digits and after the
            // records of digit d from threads < t: the order of equal digits is kept.
            // The cursors overwrite the histogram of this pass (not needed any more).
            std::uint32_t sum = 0;
            for (std::size_t d = 0; d < radix(); ++d)
                for (unsigned t = 0; t < threads_; ++t) {
                    std::uint32_t& slot = histogram(t, pass)[d];
                    const std::uint32_t count = slot;
                    slot = sum;
                    sum += count;
                }
            const u64* const from = records_.data();
            u64* const to = scratch_.data();
            parallel_for(threads_, [&](unsigned t) {
                std::uint32_t* const c = histogram(t, pass);
                const DigitShape digit = digit_shape();
                for (std::size_t i = chunk_begin(t), end = chunk_begin(t + 1); i < end; ++i) {
                    const u64 r = from[i];
                    to[c[digit(r, pass)]++] = r;
                }
            });
            std::swap(records_, scratch_);
        }
    }

    // Pairs inside one bucket, from the exact scores. The records are in input order.
    GroupCounts resolve_group(const u64* group, std::size_t m, std::vector<Key>& pos,
                              std::vector<Key>& neg, Buffer<Key>& scratch,
                              std::vector<Key>& mixed) const {
        GroupCounts g;
        if (exact_keys_) {  // one score: every pair ties; `stable` counts negatives first
            u64 negatives_before = 0, stable_tied = 0;
            for (std::size_t a = 0; a < m; ++a) {
                const bool positive = label_of_record(group[a]);
                stable_tied += positive ? negatives_before : 0;
                negatives_before += !positive;
            }
            g.negatives = negatives_before;
            g.positives = m - negatives_before;
            g.pairs = {0, static_cast<u128>(g.positives) * g.negatives};
            g.stable_tied = stable_tied;
            return g;
        }
        constexpr std::size_t small = tuning::shared_bucket_pairwise_max;
        if (m <= small) {  // all pairs; a < b is input order
            Key keys[small];
            bool positive[small];
            for (std::size_t a = 0; a < m; ++a) {
                keys[a] = detail::order_key(scores_[index_of_record(group[a])]);
                positive[a] = label_of_record(group[a]);
                g.positives += positive[a];
            }
            u64 discordant = 0, tied = 0, stable_tied = 0;
            for (std::size_t b = 0; b < m; ++b) {
                if (!positive[b]) continue;
                for (std::size_t a = 0; a < m; ++a) {
                    const bool negative = !positive[a];
                    discordant += negative & (keys[a] > keys[b]);
                    const bool tie = negative & (keys[a] == keys[b]);
                    tied += tie;
                    stable_tied += tie & (a < b);
                }
            }
            g.negatives = m - g.positives;
            g.pairs = {discordant, tied};
            g.stable_tied = stable_tied;
            return g;
        }
        pos.clear();
        neg.clear();
        for (std::size_t a = 0; a < m; ++a) {
            const Key k = detail::order_key(scores_[index_of_record(group[a])]);
            (label_of_record(group[a]) ? pos : neg).push_back(k);
        }
        g.positives = pos.size();
        g.negatives = neg.size();
        const bool stable = ties_ == Ties::stable;
        mixed.clear();
        g.pairs = count_group(pos.data(), pos.size(), neg.data(), neg.size(), scratch,
                              stable ? &mixed : nullptr);
        if (stable && !mixed.empty()) {  // in input order, negatives seen so far per tied key
            sort_unique(mixed);
            std::vector<u64> seen(mixed.size(), 0);
            for (std::size_t a = 0; a < m; ++a) {
                const Key k = detail::order_key(scores_[index_of_record(group[a])]);
                const auto at = std::lower_bound(mixed.begin(), mixed.end(), k);
                if (at == mixed.end() || *at != k) continue;
                u64& count = seen[static_cast<std::size_t>(at - mixed.begin())];
                if (label_of_record(group[a])) g.stable_tied += count;
                else ++count;
            }
        }
        return g;
    }

    // One pass over the sorted records. Per chunk (cut at bucket boundaries): positives,
    // negatives, and for every positive the negatives before it in the chunk or in its own
    // bucket; D_cross then follows from the negatives of earlier chunks.
    struct ChunkSums {
        u64 positives = 0, negatives = 0, negatives_not_above = 0;
        PairCounts within;
        u128 stable_tied = 0;
    };

    // Runs of records alone in their buckets go through the per-instruction-set entry
    // (simd/ops/record_scan.hpp: positives and their positions); a shared bucket is resolved here.
    // In position order, a positive at p has (p - begin) - (positives before it) negatives
    // before it in the chunk; summed over the chunk's P_c positives that is
    //   (sum of their positions) - P_c * begin - P_c (P_c - 1) / 2.
    // A positive in a shared bucket must count all of its bucket's negatives, not only those
    // before it in input order (the bucket's own pairs are in GroupCounts::pairs): the
    // negatives after it are added.
    PairCounts scan() {
        const u64* const records = records_.data();
        std::vector<std::size_t> starts(threads_ + 1, n_);
        for (unsigned t = 0; t < threads_; ++t) {
            std::size_t s = std::max(chunk_begin(t), t ? starts[t - 1] : 0);
            while (s > 0 && s < n_ && bucket_of_record(records[s]) == bucket_of_record(records[s - 1])) ++s;
            starts[t] = s;
        }
        const auto singleton_run = simd_->singleton_run;
        std::vector<ChunkSums> sums(threads_);
        parallel_for(threads_, [&](unsigned t) {
            const u64* const rec = records;
            const std::size_t begin = starts[t], end = starts[t + 1];
            ChunkSums c;
            std::vector<Key> pos, neg, mixed;
            Buffer<Key> scratch;
            u64 positives = 0, position_sum = 0, negatives_after_in_bucket = 0;
            for (std::size_t i = begin; i < end;) {
                const record_scan_detail::RunSums run = singleton_run(rec, i, end);
                positives += run.positives;
                position_sum += run.position_sum;
                i = run.stop;
                if (i == end) break;
                std::size_t j = i + 2;
                while (j < end && bucket_of_record(rec[j]) == bucket_of_record(rec[i])) ++j;
                const GroupCounts g = resolve_group(rec + i, j - i, pos, neg, scratch, mixed);
                c.within += g.pairs;
                c.stable_tied += g.stable_tied;
                u64 negatives_after = 0;
                for (std::size_t a = j; a-- > i;) {
                    const u64 positive = rec[a] & 1;
                    negatives_after_in_bucket += positive * negatives_after;
                    negatives_after += 1 - positive;
                    position_sum += a & (0 - positive);
                }
                positives += g.positives;
                i = j;
            }
            c.positives = positives;
            c.negatives = (end - begin) - positives;
            c.negatives_not_above = position_sum - positives * begin - positives * (positives - 1) / 2 +
                                    negatives_after_in_bucket;
            sums[t] = c;
        });
        PairCounts pairs;
        u64 negatives_before = 0;
        for (const ChunkSums& c : sums) {
            // positives * (negatives above the chunk) + (those above inside the chunk)
            pairs.discordant += static_cast<u128>(c.positives) * (negatives_ - negatives_before) -
                                c.negatives_not_above;
            pairs += c.within;
            stable_tied_ += c.stable_tied;
            negatives_before += c.negatives;
        }
        return pairs;
    }

    // y0 from the highest bucket (the last records); the first record with the highest key is
    // also the first in input order.
    TopLabel top_label() const {
        const u64* const rec = records_.data();
        std::size_t first = n_ - 1;
        while (first > 0 && bucket_of_record(rec[first - 1]) == bucket_of_record(rec[n_ - 1])) --first;
        Key top = 0;
        for (std::size_t a = first; a < n_; ++a)
            top = std::max(top, detail::order_key(scores_[index_of_record(rec[a])]));
        u64 p_top = 0, m_top = 0;
        std::size_t first_top = n_;
        for (std::size_t a = first; a < n_; ++a) {
            if (detail::order_key(scores_[index_of_record(rec[a])]) != top) continue;
            if (first_top == n_) first_top = a;
            p_top += label_of_record(rec[a]);
            ++m_top;
        }
        return rank_count::top_label(ties_, p_top, m_top,
                                     [&] { return label_of_record(rec[first_top]) != 0; });
    }

    std::span<const Label> labels_;
    std::span<const Score> scores_;
    Ties ties_;
    std::size_t n_;
    unsigned threads_;
    const detail::SimdEntries* simd_ = nullptr;
    u64 positives_ = 0, negatives_ = 0;
    Score low_ = 0, high_ = 0;
    int bucket_bits_ = 8, passes_ = 1, digit_bits_ = 8;
    bucket_detail::LinearMap by_value_{0, 1, 1};
    KeyBuckets<Score> by_key_;
    bool use_keys_ = false, exact_keys_ = false;
    std::vector<std::uint32_t> histograms_;
    Buffer<u64> records_, scratch_;
    u128 stable_tied_ = 0;
};

template <class Label, class Score>
detail::RankSumParts radix_rank_parts(std::span<const Label> labels, std::span<const Score> scores,
                                      Ties ties, unsigned threads) {
    const std::size_t n = scores.size();
    // radix_rank checks its input itself (Kernel::checks_input): in its first pass, or here
    // where that pass does not run.
    if (n <= tiny_n) {
        detail::check(labels, scores);
        return tiny_parts(labels, scores, ties);
    }
    if (n > record_limit().load(std::memory_order_relaxed)) {
        detail::check(labels, scores);
        record_limit_fallbacks().fetch_add(1, std::memory_order_relaxed);
        return keysort_method(labels, scores, ties);
    }
    threads = std::clamp<unsigned>(threads, 1, static_cast<unsigned>(std::min<std::size_t>(n / 2, detail::max_threads)));
    return RadixRanker<Label, Score>(labels, scores, ties, threads).run();
}

}  // namespace aucrecall::rank_count
