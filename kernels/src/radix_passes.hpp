// radix_rank's passes with per-instruction-set code: the first pass with the input checks
// (input_stats_impl.hpp) and the linear bucket records (bucket_records_impl.hpp). The entries of
// every line of the dispatch table plus `scalar`, and the one to call for an instruction set.
#pragma once

#include "bucket_records_impl.hpp"
#include "input_stats_impl.hpp"
#include "simd_dispatch.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace aucrecall::input_stats_detail {

#define AUCRECALL_STATS_ENTRIES(name)                                                         \
    InputStats input_stats_##name(const std::uint8_t* labels, const float* scores, std::size_t n);  \
    InputStats input_stats_##name(const std::uint8_t* labels, const double* scores, std::size_t n); \
    InputStats input_stats_##name(const std::uint32_t* labels, const float* scores, std::size_t n); \
    InputStats input_stats_##name(const std::uint32_t* labels, const double* scores, std::size_t n);\
    InputStats input_stats_##name(const std::uint64_t* labels, const float* scores, std::size_t n); \
    InputStats input_stats_##name(const std::uint64_t* labels, const double* scores, std::size_t n);
AUCRECALL_STATS_ENTRIES(scalar)
#define AUCRECALL_ISA(name, arch, flags, features) AUCRECALL_STATS_ENTRIES(name)
#include "isa_table.def"
#undef AUCRECALL_ISA
#undef AUCRECALL_STATS_ENTRIES

template <class Word, class Score>
using StatsFn = InputStats (*)(const Word*, const Score*, std::size_t);

template <class Word, class Score>
StatsFn<Word, Score> stats_function(detail::Isa isa) {
    constexpr std::array<StatsFn<Word, Score>, detail::isa_count> by_isa = {
        input_stats_scalar,
#define AUCRECALL_ISA(name, arch, flags, features) input_stats_##name,
#include "isa_table.def"
#undef AUCRECALL_ISA
    };
    return by_isa[static_cast<std::size_t>(isa)];
}

}  // namespace aucrecall::input_stats_detail

namespace aucrecall::bucket_detail {

#define AUCRECALL_RECORD_ENTRIES(name)                                                                 \
    void linear_records_##name(const float* scores, std::size_t n, std::uint64_t first_index,         \
                               LinearMap map, std::uint64_t* out);                                  \
    void linear_records_##name(const double* scores, std::size_t n, std::uint64_t first_index,        \
                               LinearMap map, std::uint64_t* out);
AUCRECALL_RECORD_ENTRIES(scalar)
#define AUCRECALL_ISA(name, arch, flags, features) AUCRECALL_RECORD_ENTRIES(name)
#include "isa_table.def"
#undef AUCRECALL_ISA
#undef AUCRECALL_RECORD_ENTRIES

template <class Score>
using RecordsFn = void (*)(const Score*, std::size_t, std::uint64_t, LinearMap, std::uint64_t*);

template <class Score>
RecordsFn<Score> records_function(detail::Isa isa) {
    constexpr std::array<RecordsFn<Score>, detail::isa_count> by_isa = {
        linear_records_scalar,
#define AUCRECALL_ISA(name, arch, flags, features) linear_records_##name,
#include "isa_table.def"
#undef AUCRECALL_ISA
    };
    return by_isa[static_cast<std::size_t>(isa)];
}

}  // namespace aucrecall::bucket_detail
