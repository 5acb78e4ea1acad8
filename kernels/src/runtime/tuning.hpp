// Every tuned size threshold of the kernels, in one place. Each was chosen from medians measured
// on the project's machine (2 shared cores, AMD EPYC, GCC 12 -O3, uniform scores, int64 labels
// unless said otherwise); the measurements behind each, with dates and commands, are in
// results/tuning.md. Change a value here only with a new measurement there.
#pragma once

#include <cstddef>

namespace aucrecall::tuning {

// Up to this many items every identity kernel ranks on the stack (insertion sort, one pass, no
// allocation): n = 16 0.12 us vs fused 0.17; n = 32 0.40 us vs fused 0.35.
inline constexpr std::size_t tiny_n = 16;

// default_kernel(): keysort (bare keys split by label, sorted) below this size, radix_rank's
// bucket records from it on (n = 200: keysort 2.47 us, radix_rank 2.84; n = 300: 4.08 vs 2.70).
inline constexpr std::size_t radix_rank_from_n = 256;

// keysort sorts lists up to this size with its own insertion sort / std::sort, longer ones with
// Highway's vqsort (the same cutoff as its std::sort range; not measured separately).
inline constexpr std::size_t vqsort_from_n = 256;

// radix_rank_mt: one thread per this many items at least (the hardware's threads at most, capped
// at max_auto_threads). With the persistent pool (runtime/thread_pool.hpp), 2 threads beat 1 from about
// 2^14 items each (results/tuning.md: 16384 items 1.33-1.38x, 32768 items 1.42-1.46x).
inline constexpr std::size_t items_per_thread = std::size_t{1} << 14;
inline constexpr unsigned max_auto_threads = 16;
// default_kernel() takes radix_rank_mt where it would run at least two threads.
inline constexpr std::size_t threads_from_n = 2 * items_per_thread;

// compute_grouped(): one thread per this many items at least (bench rows grouped_mt/...).
inline constexpr std::size_t grouped_items_per_thread = std::size_t{1} << 16;

// Grouped layout: the hash slot of the key this many items ahead is prefetched (with runs of 10
// items, 16 ahead was too close), and for interleaved rows the scatter's destinations this many
// items ahead (results/tuning.md).
inline constexpr std::size_t key_prefetch_distance = 48;

// Interleaved group rows are scattered into group order through partitions of group ids (two
// passes) from this many groups on, directly (one pass) below; at most this many partitions, and
// not when one partition would hold more than 1/scatter_max_partition_share of the items
// (results/tuning.md).
inline constexpr std::size_t scatter_partitioned_from_groups = 4096;
inline constexpr std::size_t scatter_max_partitions = 1024;
inline constexpr std::size_t scatter_max_partition_share = 8;
// A caller that hands its arrays over (evaluation/groups.hpp) gets their pages back every this
// many items read by the pass that copies interleaved groups (2 MB of float64 scores): so the
// copies' pages and the input's are never both whole for long.
inline constexpr std::size_t handover_block_items = std::size_t{1} << 18;

// The CLI's CSV reader: a group key's hash slot is prefetched this many rows before its lookup
// (a power of two; results/tuning.md).
inline constexpr std::size_t csv_key_lookahead = 16;
// The grouped layout is hashed in chunks on the pool's threads when a sample of this many first
// keys shows runs of at least layout_chunk_min_run items on average, or keys that return (fewer
// distinct keys than half the runs); otherwise on one thread (the merge of many small groups
// costs what the threads save: results/tuning.md).
inline constexpr std::size_t layout_sample_items = 4096;
inline constexpr std::size_t layout_chunk_min_run = 32;

// The Python module keeps str group keys as runs (where each key's run starts) while runs are at
// least this long on average, and as an id per item below (results/tuning.md: with 4 the runs
// of 4-16 rows cost 1.1-1.5x more, in grouped and in interleaved rows).
inline constexpr std::size_t str_key_min_average_run = 32;

// Grouped evaluation, per group: up to this size records are ranked by insertion sort (beats
// std::sort's setup for the common 10-item query) ...
inline constexpr std::size_t group_insertion_sort_max = 16;
// ... and up to this many (positive, negative) pairs the full `average` metric compares all
// pairs in SIMD instead of sorting (grouped/contiguous_<size>@1 rows, AVX2, per item: size 100,
// 2500 pairs: 14.1 ns pairwise vs 16.2 sorted; size 1000: 22.6 ns sorted vs 27.2 pairwise).
inline constexpr std::size_t group_pairwise_max_pairs = 4096;

// rank_count's sort of order keys (keysort's short lists, radix_rank's large shared buckets):
// insertion sort up to key_insertion_sort_max keys (radix_rank's buckets are mostly this
// small), std::sort up to key_std_sort_max (an LSD radix sort's histograms dominate below),
// then an LSD radix sort with digits of key_radix_digit_bits bits (2048 counters fit in L1 next
// to the data stream).
inline constexpr std::size_t key_insertion_sort_max = 24;
inline constexpr std::size_t key_std_sort_max = 256;
inline constexpr int key_radix_digit_bits = 11;
// A shared bucket of p positives and q negatives compares all pairs up to this product, and
// sorts both lists beyond it.
inline constexpr std::size_t bucket_pairwise_max_pairs = 64;
// radix_rank resolves a shared bucket of up to this many records by all pairs of its exact
// scores on the stack (input order kept for `stable`), larger ones by splitting and sorting.
inline constexpr std::size_t shared_bucket_pairwise_max = 16;

// radix_rank: buckets per item 2^5 (few shared buckets), digits of at most 11 bits (n = 10^5:
// 11-bit digits 0.93 ms, 10-bit 1.4-1.6, 8-bit 1.3-1.6; 2^3 buckets per item 1.0-1.07 ms).
inline constexpr int log2_buckets_per_item = 5;
inline constexpr int max_digit_bits = 11;
// radix_rank counts with keysort's method when two random items share a top-level bucket bin
// with probability above 1/16 (heavy ties, a handful of distinct scores), measured after its
// records are built: heavy_ties (3 values) 1e5 keysort 1.28 ms vs radix_rank 3.72 ms, 1e6 12.6 vs
// 42.2 ms (results/tuning.md).
inline constexpr unsigned radix_concentration_limit = 16;
// The same test on a strided sample of this many scores decides before the records are built
// (from this many items on); the build's full histogram still decides where the sample did not
// find a concentration. heavy_ties, radix_rank / keysort in the same run: 1e5 1.38-1.45 before,
// 1.07-1.10 with the sample; 1e6 1.39-1.47 -> 1.19-1.26 (results/tuning.md).
inline constexpr std::size_t concentration_sample_items = 256;
inline constexpr std::size_t concentration_sample_from_n = 4096;
// From 2^20 float32 scores on, radix_rank's buckets are the exact 32-bit order keys (linear
// buckets need 3 digits there anyway, and shared buckets cost random reads of the scores:
// 549 ms at 10^7 with linear buckets).
inline constexpr int exact_float_keys_from_log2_n = 20;

// Scratch blocks kept per thread between calls (a fresh multi-megabyte block is page-faulted in
// on every call: ~40% of radix_rank's time at 10^5), blocks up to this size, this many at most.
// aucrecall::release_scratch() returns them.
inline constexpr std::size_t cache_max_bytes = std::size_t{256} << 20;
inline constexpr std::size_t cache_max_blocks = 3;

// The CLI computes with keysort (8 bytes of work memory per item instead of radix_rank_mt's 16)
// from this many rows without --k: 10^7 rows peak at 170 MB instead of 248 MB, same time.
inline constexpr std::size_t low_memory_from_rows = std::size_t{1} << 20;

// The Python module releases the GIL only for inputs of this many items or more: releasing and
// re-acquiring it measured ~330 ns (n = 5 call: 700 ns with the release, 370 without) while the
// whole metric of a few hundred items takes about a microsecond.
inline constexpr std::size_t gil_release_min_items = 1024;

}  // namespace aucrecall::tuning
