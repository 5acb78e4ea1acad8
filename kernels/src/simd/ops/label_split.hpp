// keysort's split (rank_count.hpp, keysort_parts): the order key of every score (detail::order_key)
// goes to the positives' list or to the negatives' list, each in input order. The scalar version
// (simd/scalar_entries.cpp, compiled without auto-vectorisation) stores each key to both lists and
// advances one cursor, so no branch depends on a label; it is also every vector version's tail
// and the whole split in the sse2 and sse4_2 units (SSE2 has no lane permute by a variable index;
// an SSSE3 byte-shuffle version was not written). With AVX2 (the avx2 and avx512 units) a vector
// of keys is left-packed by its label mask through one lane permute (vpermd, the index vector read
// from a table of every mask) and stored whole to each list; the avx512 unit runs that AVX2 code
// for the keys (not re-measured with compress). The grouped evaluation's split of the scores
// themselves (split_scores, below) uses AVX-512's compress where the unit has it.
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

// ---- grouped evaluation's split: the scores themselves, with the input checks -----------------
// The pair counter (ops/pair_count.hpp) compares scores as they are, so no key is formed; the
// labels' bits and the NaN test ride along (the group's items are read here and nowhere else).
// AVX-512 left-packs with vcompressps/pd into a register, then stores whole vectors: the forms
// that compress straight to memory are microcoded and slow on AMD's Zen 4.

template <class Word>
constexpr std::uint64_t fold_label_bits(std::uint64_t lanes_or) {
    // The OR of 64-bit lanes that each held several labels: folded to one label's width.
    if constexpr (sizeof(Word) < 8) lanes_or |= lanes_or >> 32;
    if constexpr (sizeof(Word) < 4) lanes_or |= lanes_or >> 16, lanes_or |= lanes_or >> 8;
    return sizeof(Word) == 8 ? lanes_or : lanes_or & ((std::uint64_t{1} << (8 * sizeof(Word))) - 1);
}

template <class Word, class Score>
ScoreSplit scalar_split_scores(const Word* labels, const Score* scores, std::size_t from, std::size_t n,
                               Score* pos, Score* neg, ScoreSplit done, std::size_t in) {
    std::size_t ip = done.positives;
    std::uint64_t bits = done.label_bits;
    bool nan = done.nan;
    for (std::size_t i = from; i < n; ++i) {
        const Score x = scores[i];
        pos[ip] = x;
        neg[in] = x;
        const Word label = labels[i];
        bits |= label;
        nan |= x != x;
        const bool positive = label != 0;
        ip += positive;
        in += !positive;
    }
    return {ip, bits, nan};
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
// The labels of one vector of scores (16 floats or 8 doubles): the mask of positives, and their
// bits ORed into `bits`.
template <class Word, unsigned count>
inline unsigned positive_mask_512(const Word* labels, __m512i& bits) {
    if constexpr (sizeof(Word) == 1) {
        const __m128i w = count == 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(labels))
                                      : _mm_loadl_epi64(reinterpret_cast<const __m128i*>(labels));
        bits = _mm512_or_si512(bits, _mm512_zextsi128_si512(w));
        return _mm_test_epi8_mask(w, w);
    } else if constexpr (sizeof(Word) == 4) {
        if constexpr (count == 16) {
            const __m512i w = _mm512_loadu_si512(labels);
            bits = _mm512_or_si512(bits, w);
            return _mm512_test_epi32_mask(w, w);
        } else {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(labels));
            bits = _mm512_or_si512(bits, _mm512_zextsi256_si512(w));
            return _mm256_test_epi32_mask(w, w);
        }
    } else {
        const __m512i low = _mm512_loadu_si512(labels);
        bits = _mm512_or_si512(bits, low);
        unsigned mask = _mm512_test_epi64_mask(low, low);
        if constexpr (count == 16) {
            const __m512i high = _mm512_loadu_si512(labels + 8);
            bits = _mm512_or_si512(bits, high);
            mask |= static_cast<unsigned>(_mm512_test_epi64_mask(high, high)) << 8;
        }
        return mask;
    }
}
#endif

// Splits n items; pos and neg need room for their counts plus split_scores_slack.
template <class Arch, class Word, class Score>
ScoreSplit split_scores(const Word* labels, const Score* scores, std::size_t n, Score* pos, Score* neg) {
    std::size_t ip = 0, in = 0, i = 0;
    ScoreSplit done = {0, 0, false};
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
    constexpr unsigned width = sizeof(Score) == 4 ? 16 : 8;
    __m512i bits = _mm512_setzero_si512();
    unsigned nan = 0;
    for (; i + width <= n; i += width) {
        const unsigned positive = positive_mask_512<Word, width>(labels + i, bits);
        if constexpr (sizeof(Score) == 4) {
            const __m512 x = _mm512_loadu_ps(scores + i);
            nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
            _mm512_storeu_ps(pos + ip, _mm512_maskz_compress_ps(static_cast<__mmask16>(positive), x));
            _mm512_storeu_ps(neg + in, _mm512_maskz_compress_ps(static_cast<__mmask16>(~positive), x));
        } else {
            const __m512d x = _mm512_loadu_pd(scores + i);
            nan |= _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
            _mm512_storeu_pd(pos + ip, _mm512_maskz_compress_pd(static_cast<__mmask8>(positive), x));
            _mm512_storeu_pd(neg + in, _mm512_maskz_compress_pd(static_cast<__mmask8>(~positive), x));
        }
        const unsigned count = static_cast<unsigned>(__builtin_popcount(positive));
        ip += count;
        in += width - count;
    }
    alignas(64) std::uint64_t lanes[8];
    _mm512_store_si512(lanes, bits);
    std::uint64_t lanes_or = 0;
    for (std::uint64_t lane : lanes) lanes_or |= lane;
    done = {ip, fold_label_bits<Word>(lanes_or), nan != 0};
#elif defined(__AVX2__)
    constexpr unsigned width = sizeof(Score) == 4 ? 8 : 4;
    __m256i bits = _mm256_setzero_si256();
    __m256i nan = _mm256_setzero_si256();
    for (; i + width <= n; i += width) {
        __m256i x;
        if constexpr (sizeof(Score) == 4) {
            const __m256 v = _mm256_loadu_ps(scores + i);
            nan = _mm256_or_si256(nan, _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
            x = _mm256_castps_si256(v);
        } else {
            const __m256d v = _mm256_loadu_pd(scores + i);
            nan = _mm256_or_si256(nan, _mm256_castpd_si256(_mm256_cmp_pd(v, v, _CMP_UNORD_Q)));
            x = _mm256_castpd_si256(v);
        }
        // The labels' bytes: 8 or 4 labels of 1, 4 or 8 bytes each.
        constexpr std::size_t label_bytes = width * sizeof(Word);
        if constexpr (label_bytes == 64) {
            const auto* words = reinterpret_cast<const __m256i*>(labels + i);
            bits = _mm256_or_si256(bits, _mm256_or_si256(_mm256_loadu_si256(words), _mm256_loadu_si256(words + 1)));
        } else if constexpr (label_bytes == 32) {
            bits = _mm256_or_si256(bits, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(labels + i)));
        } else if constexpr (label_bytes == 16) {
            bits = _mm256_or_si256(bits, _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(labels + i))));
        } else {
            std::uint64_t word = 0;
            __builtin_memcpy(&word, labels + i, label_bytes);
            bits = _mm256_or_si256(bits, _mm256_set_epi64x(0, 0, 0, static_cast<long long>(word)));
        }
        const unsigned positive = positive_mask<Word, width>(labels + i);
        const unsigned negative = ~positive & ((1u << width) - 1);
        const std::uint32_t* table = sizeof(Score) == 4 ? pack_32.entry : pack_64.entry;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(pos + ip), packed_permute(x, table[positive]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(neg + in), packed_permute(x, table[negative]));
        const unsigned count = static_cast<unsigned>(__builtin_popcount(positive));
        ip += count;
        in += width - count;
    }
    alignas(32) std::uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), bits);
    done = {ip, fold_label_bits<Word>(lanes[0] | lanes[1] | lanes[2] | lanes[3]), !_mm256_testz_si256(nan, nan)};
#endif
    (void)ip;
    return scalar_split_scores(labels, scores, i, n, pos, neg, done, in);
}

}  // namespace
}  // namespace aucrecall::label_split_detail
