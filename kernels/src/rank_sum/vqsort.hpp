// keysort's sort of bare order keys: Highway's vqsort (SIMD quicksort) for long lists, capped at
// the entry of the dispatch table in force (AUCRECALL_ARCH, force_simd_isa), so keysort and
// everything that sorts keys through it compare across instruction sets like the kernels with
// their own per-ISA code. Typed: callers pass key arrays, never an Input. Internal, not installed.
#pragma once

#include "rank_sum/rank_count.hpp"
#include "runtime/tuning.hpp"

#include <cstddef>
#include <cstdint>

namespace aucrecall::detail {

// vqsort under the cap of the entry in force (vqsort.cpp); any length.
void capped_vqsort(std::uint64_t* keys, std::size_t n);
void capped_vqsort(std::uint32_t* keys, std::size_t n);

// Sorts keys ascending in place: std::sort up to tuning::vqsort_from_n keys, vqsort beyond.
void sort_keys_vectorized(std::uint64_t* keys, std::size_t n);
void sort_keys_vectorized(std::uint32_t* keys, std::size_t n);

// The sort of rank_count::keysort_parts: short lists by rank_count's own sort (insertion sort or
// std::sort; `scratch` holds n keys), long ones by capped vqsort.
struct VectorizedSort {
    template <class Key>
    void operator()(Key* keys, Key* scratch, std::size_t n) const {
        if (n <= tuning::vqsort_from_n) return rank_count::SortKeysInPlace{}(keys, scratch, n);
        capped_vqsort(keys, n);
    }
};

// keysort's counts for typed spans: split by label, vqsort, one merge (rank_count.hpp).
template <class Label, class Score>
RankSumParts keysort_parts(std::span<const Label> labels, std::span<const Score> scores, Ties ties) {
    return rank_count::keysort_parts(labels, scores, ties, VectorizedSort{});
}

}  // namespace aucrecall::detail
