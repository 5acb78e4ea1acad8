// Every SIMD entry point of the library, gathered per instruction set in one table (the model is
// simdjson's per-architecture `implementation`): simd_isa.cpp.in fills one SimdEntries per line
// of the dispatch table (isa_table.def) with the xsimd templates compiled for that line, and
// scalar_yardstick.cpp fills the `scalar` one, compiled without auto-vectorisation so that it is
// the yardstick the vector versions are measured against. A kernel picks the table once per call
// (use_active_entries) and calls through it; adding an entry point means one member here and one
// line in each of those two files.
#pragma once

#include "bucket_records_impl.hpp"
#include "input_stats_impl.hpp"
#include "label_split_impl.hpp"
#include "pair_count_impl.hpp"
#include "ranked_scan_impl.hpp"
#include "record_scan_impl.hpp"
#include "simd_dispatch.hpp"

#include <cstddef>
#include <cstdint>
#include <tuple>

namespace aucrecall::detail {

// Overloads by argument type are tuple members of distinct function-pointer types, read with
// std::get<Fn>: the caller names the signature, never an instruction set.
template <class Word, class Score>
using InputStatsFn = input_stats_detail::InputStats (*)(const Word*, const Score*, std::size_t);
template <class Score>
using LinearRecordsFn = void (*)(const Score*, std::size_t, std::uint64_t, bucket_detail::LinearMap,
                                 std::uint64_t*);
template <class Word>
using RankedBlockFn = ranked_detail::BlockSums (*)(const Word*, std::uint32_t);
template <class Word, class Score>
using SplitByLabelFn = std::size_t (*)(const Word*, const Score*, std::size_t, label_split_detail::key_t<Score>*,
                                       label_split_detail::key_t<Score>*);
template <class Score>
using CountPairsFn = pair_count_detail::PairTotals (*)(const Score*, std::size_t, const Score*, std::size_t);

struct SimdEntries {
    // simd_scan: prefix sum, recall and ideal curves, area ratio (simd_scan_impl.hpp).
    double (*curves)(double* ranked, std::size_t n, double positives);
    // Grouped evaluation: (negative, positive) pair counts of a small group (pair_count_impl.hpp).
    std::tuple<CountPairsFn<float>, CountPairsFn<double>> count_pairs;
    // Ranked input: P, rank sum and label bits of one block (ranked_scan_impl.hpp).
    std::tuple<RankedBlockFn<std::uint8_t>, RankedBlockFn<std::uint32_t>, RankedBlockFn<std::uint64_t>>
        ranked_block;
    // radix_rank's first pass with the input checks (input_stats_impl.hpp) ...
    std::tuple<InputStatsFn<std::uint8_t, float>, InputStatsFn<std::uint8_t, double>,
               InputStatsFn<std::uint32_t, float>, InputStatsFn<std::uint32_t, double>,
               InputStatsFn<std::uint64_t, float>, InputStatsFn<std::uint64_t, double>>
        input_stats;
    // ... and its records with buckets linear in the score (bucket_records_impl.hpp).
    std::tuple<LinearRecordsFn<float>, LinearRecordsFn<double>> linear_records;
    // ... and its scan: the next run of records alone in their buckets (record_scan_impl.hpp).
    record_scan_detail::RunSums (*singleton_run)(const std::uint64_t* records, std::size_t from, std::size_t end);
    // keysort's split of the order keys by label (label_split_impl.hpp).
    std::tuple<SplitByLabelFn<std::uint8_t, float>, SplitByLabelFn<std::uint8_t, double>,
               SplitByLabelFn<std::uint32_t, float>, SplitByLabelFn<std::uint32_t, double>,
               SplitByLabelFn<std::uint64_t, float>, SplitByLabelFn<std::uint64_t, double>>
        split_by_label;
};

extern const SimdEntries simd_entries_scalar;
#define AUCRECALL_ISA(name, arch, flags, features, highway) extern const SimdEntries simd_entries_##name;
#include "isa_table.def"
#undef AUCRECALL_ISA

// The table of `isa` (simd_dispatch.cpp).
const SimdEntries& simd_entries(Isa isa) noexcept;

// The table of the instruction set in force (active_isa()), recorded as the one used: what a
// kernel calls once per call before running SIMD code.
const SimdEntries& use_active_entries();

}  // namespace aucrecall::detail
