// Every SIMD entry point of the library, gathered per instruction set in one table (the model is
// simdjson's per-architecture `implementation`): isa_unit.cpp.in fills one SimdEntries per line
// of the dispatch table (isa_table.def) with the xsimd templates of ops/ compiled for that line,
// and scalar_entries.cpp fills the `scalar` one, compiled without auto-vectorisation so that it
// is the yardstick the vector versions are measured against. A kernel picks the table once per
// call (use_active_entries) and calls through it. This header holds types and function pointers
// only (entry_types.hpp): generic code that includes it compiles no xsimd. Adding an entry point
// means one member here and one designated initialiser in each of those two files.
#pragma once

#include "simd/dispatch.hpp"
#include "simd/entry_types.hpp"

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
template <class Word, class Score>
using SplitScoresFn = label_split_detail::ScoreSplit (*)(const Word*, const Score*, std::size_t, Score*, Score*);
template <class Score>
using CountPairsFn = pair_count_detail::PairTotals (*)(const Score*, std::size_t, const Score*, std::size_t);

struct SimdEntries {
    // simd_scan: prefix sum, recall and ideal curves, area ratio (simd/ops/simd_scan.hpp).
    double (*curves)(double* ranked, std::size_t n, double positives);
    // Grouped evaluation: (negative, positive) pair counts of a small group (simd/ops/pair_count.hpp).
    std::tuple<CountPairsFn<float>, CountPairsFn<double>> count_pairs;
    // Ranked input: P, rank sum and label bits of one block (simd/ops/ranked_scan.hpp).
    std::tuple<RankedBlockFn<std::uint8_t>, RankedBlockFn<std::uint32_t>, RankedBlockFn<std::uint64_t>>
        ranked_block;
    // radix_rank's first pass with the input checks (simd/ops/input_stats.hpp) ...
    std::tuple<InputStatsFn<std::uint8_t, float>, InputStatsFn<std::uint8_t, double>,
               InputStatsFn<std::uint32_t, float>, InputStatsFn<std::uint32_t, double>,
               InputStatsFn<std::uint64_t, float>, InputStatsFn<std::uint64_t, double>>
        input_stats;
    // ... and its records with buckets linear in the score (simd/ops/bucket_records.hpp).
    std::tuple<LinearRecordsFn<float>, LinearRecordsFn<double>> linear_records;
    // ... and its scan: the next run of records alone in their buckets (simd/ops/record_scan.hpp).
    record_scan_detail::RunSums (*singleton_run)(const std::uint64_t* records, std::size_t from, std::size_t end);
    // keysort's split of the order keys by label (simd/ops/label_split.hpp).
    std::tuple<SplitByLabelFn<std::uint8_t, float>, SplitByLabelFn<std::uint8_t, double>,
               SplitByLabelFn<std::uint32_t, float>, SplitByLabelFn<std::uint32_t, double>,
               SplitByLabelFn<std::uint64_t, float>, SplitByLabelFn<std::uint64_t, double>>
        split_by_label;
    // Grouped evaluation's split of the scores themselves, with the input checks (same file).
    std::tuple<SplitScoresFn<std::uint8_t, float>, SplitScoresFn<std::uint8_t, double>,
               SplitScoresFn<std::uint32_t, float>, SplitScoresFn<std::uint32_t, double>,
               SplitScoresFn<std::uint64_t, float>, SplitScoresFn<std::uint64_t, double>>
        split_scores;
};

extern const SimdEntries simd_entries_scalar;
#define AUCRECALL_ISA(name, arch, flags, features, highway) extern const SimdEntries simd_entries_##name;
#include "simd/isa_table.def"
#undef AUCRECALL_ISA

// The table of `isa` (simd/dispatch.cpp).
const SimdEntries& simd_entries(Isa isa) noexcept;

// The table of the instruction set in force (active_isa()), recorded as the one used: what a
// kernel calls once per call before running SIMD code.
const SimdEntries& use_active_entries();

}  // namespace aucrecall::detail
