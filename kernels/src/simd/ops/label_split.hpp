// keysort's split (rank_count.hpp, keysort_parts): the order key of every score (detail::order_key)
// goes to the positives' list or to the negatives' list, each in input order. The scalar version
// (simd/scalar_entries.cpp, compiled without auto-vectorisation) stores each key to both lists and
// advances one cursor, so no branch depends on a label; it is also every vector version's tail
// and the whole split in the sse2 and sse4_2 units (SSE2 has no lane permute by a variable index;
// an SSSE3 byte-shuffle version was not written). With AVX2 (the avx2 and avx512 units) a vector
// of keys is left-packed by its label mask through one lane permute (vpermd, the index vector read
// from a table of every mask) and stored whole to each list; AVX-512's compress instructions are
// not used: no AVX-512 machine was at hand to test them on, and the AVX2 code runs there as is.
//
// Contract: pos and neg each have room for their count of keys plus split_slack more (the whole
// vector stores write past the last key).
//
// Same rule as simd/ops/simd_scan.hpp: internal linkage only, no std:: calls.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace aucrecall::label_split_detail {

namespace {

template <class Word, class Score, class Key>
std::size_t scalar_split(const Word* labels, const Score* scores, std::size_t from, std::size_t n,
                         Key* pos, Key* neg, std::size_t ip, std::size_t in) {
    for (std::size_t i = from; i < n; ++i) {
        Score x = scores[i] + Score(0);  // -0 + 0 == +0: both zeros get one key
        Key bits;
        __builtin_memcpy(&bits, &x, sizeof bits);
        constexpr int top = 8 * sizeof(Key) - 1;
        const Key key = (bits >> top) ? Key(~bits) : Key(bits | (Key(1) << top));
        pos[ip] = key;
        neg[in] = key;
        const bool positive = labels[i] != 0;
        ip += positive;
        in += !positive;
    }
    return ip;
}

#if defined(__AVX2__)
// For each mask of 8 lanes, the 32-bit lane indices that left-pack the set lanes, four bits
// each (lane 0 in the low nibble); the unset lanes follow (any order would do).
constexpr std::uint32_t pack_indices(unsigned mask, unsigned lanes_per_key) {
    std::uint32_t packed = 0;
    unsigned slot = 0;
    for (unsigned pass = 0; pass < 2; ++pass)
        for (unsigned key = 0; key < 8 / lanes_per_key; ++key)
            if (((mask >> key) & 1u) == (pass == 0 ? 1u : 0u))
                for (unsigned half = 0; half < lanes_per_key; ++half)
                    packed |= (key * lanes_per_key + half) << (4 * slot++);
    return packed;
}
template <unsigned lanes_per_key, unsigned masks>
struct PackTable {
    std::uint32_t entry[masks];
    constexpr PackTable() : entry() {
        for (unsigned m = 0; m < masks; ++m) entry[m] = pack_indices(m, lanes_per_key);
    }
};
constexpr PackTable<1, 256> pack_32 = {};  // 8 float keys
constexpr PackTable<2, 16> pack_64 = {};   // 4 double keys

inline __m256i packed_permute(__m256i keys, std::uint32_t packed) {
    const __m256i shifts = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const __m256i index = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(packed)), shifts),
                                           _mm256_set1_epi32(7));
    return _mm256_permutevar8x32_epi32(keys, index);
}

// Bit k set when label k of the next `count` (4 or 8) is not 0.
template <class Word, unsigned count>
inline unsigned positive_mask(const Word* labels) {
    if constexpr (sizeof(Word) == 1) {
        __m128i bytes;
        if constexpr (count == 8) {
            bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(labels));
        } else {
            int four;
            __builtin_memcpy(&four, labels, 4);
            bytes = _mm_cvtsi32_si128(four);
        }
        const unsigned zero = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_setzero_si128())));
        return ~zero & ((1u << count) - 1);
    } else if constexpr (sizeof(Word) == 4) {
        unsigned zero;
        if constexpr (count == 8) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(labels));
            zero = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(w, _mm256_setzero_si256()))));
        } else {
            const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(labels));
            zero = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(w, _mm_setzero_si128()))));
        }
        return ~zero & ((1u << count) - 1);
    } else {
        unsigned zero = 0;
        for (unsigned half = 0; half < count / 4; ++half) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(labels + 4 * half));
            zero |= static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(w, _mm256_setzero_si256()))))
                    << (4 * half);
        }
        return ~zero & ((1u << count) - 1);
    }
}

// The keys of 8 floats or 4 doubles: bits ^ (sign ? all ones : the top bit).
template <class Score>
inline __m256i order_keys(const Score* scores) {
    if constexpr (sizeof(Score) == 4) {
        const __m256i bits = _mm256_castps_si256(_mm256_add_ps(_mm256_loadu_ps(scores), _mm256_setzero_ps()));
        const __m256i negative = _mm256_srai_epi32(bits, 31);
        return _mm256_xor_si256(bits, _mm256_or_si256(negative, _mm256_set1_epi32(static_cast<int>(0x80000000u))));
    } else {
        const __m256i bits = _mm256_castpd_si256(_mm256_add_pd(_mm256_loadu_pd(scores), _mm256_setzero_pd()));
        const __m256i negative = _mm256_cmpgt_epi64(_mm256_setzero_si256(), bits);
        return _mm256_xor_si256(bits, _mm256_or_si256(negative, _mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ull))));
    }
}
#endif

// Splits n items; returns the number of positives written.
template <class Arch, class Word, class Score>
std::size_t split_by_label(const Word* labels, const Score* scores, std::size_t n,
                           key_t<Score>* pos, key_t<Score>* neg) {
    std::size_t ip = 0, in = 0, i = 0;
#if defined(__AVX2__)
    constexpr unsigned width = sizeof(Score) == 4 ? 8 : 4;
    for (; i + width <= n; i += width) {
        const __m256i keys = order_keys(scores + i);
        const unsigned positive = positive_mask<Word, width>(labels + i);
        const unsigned negative = ~positive & ((1u << width) - 1);
        const std::uint32_t* table = sizeof(Score) == 4 ? pack_32.entry : pack_64.entry;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(pos + ip), packed_permute(keys, table[positive]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(neg + in), packed_permute(keys, table[negative]));
        const unsigned count = static_cast<unsigned>(__builtin_popcount(positive));
        ip += count;
        in += width - count;
    }
#endif
    return scalar_split(labels, scores, i, n, pos, neg, ip, in);
}

}  // namespace
}  // namespace aucrecall::label_split_detail
