// The exact reference the kernels are checked against. It lives in the tests and shares no code
// with the kernels: it works on the definition's quantities in exact rational arithmetic.
//
// Under `stable`, rank the items (highest score first, ties by index), then S = sum of the
// positives' ranks and y0 = label at rank 0. Under `average`, E[S] and E[y0] follow from tie
// groups: inside a group of m items at ranks a..a+m-1 holding p positives, each positive's expected
// rank is a + (m-1)/2. The metric (SPEC.md) is then the exact fraction
//   (2nP - 2S - y0 - P) / (2nP - P^2 - 1),
// kept as two 128-bit integers; to_double() rounds it correctly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "aucrecall/aucrecall.hpp"

namespace reference {

using u128 = unsigned __int128;
using i128 = __int128;

struct Fraction {
    i128 num = 0;
    i128 den = 0;  // 0: undefined (NaN)
};

// Correctly rounded num/den, by long division to 64 quotient bits plus a sticky bit, so the
// reference adds no rounding error beyond the one final rounding to double.
inline double to_double(Fraction f) {
    if (f.den == 0) return std::numeric_limits<double>::quiet_NaN();
    if (f.num == 0) return 0.0;
    const bool negative = (f.num < 0) != (f.den < 0);
    const u128 num = static_cast<u128>(f.num < 0 ? -f.num : f.num);
    const u128 den = static_cast<u128>(f.den < 0 ? -f.den : f.den);
    u128 q = num / den, r = num % den;
    int exponent = 0;  // value = (q + r/den) * 2^exponent
    bool sticky = false;
    while (q >> 64) { sticky |= (q & 1) != 0; q >>= 1; ++exponent; }
    while (q < (u128{1} << 63)) {  // one more quotient bit per step
        r <<= 1;
        q <<= 1;
        if (r >= den) { r -= den; q |= 1; }
        --exponent;
    }
    sticky |= r != 0;
    // Round the 64-bit quotient to 53 bits: to nearest, ties to even.
    std::uint64_t mantissa = static_cast<std::uint64_t>(q >> 11);
    const std::uint64_t dropped = static_cast<std::uint64_t>(q) & 0x7FF;
    if (dropped > 0x400 || (dropped == 0x400 && (sticky || (mantissa & 1)))) ++mantissa;
    const double value = std::ldexp(static_cast<double>(mantissa), exponent + 11);
    return negative ? -value : value;
}

template <class Label, class Score>
Fraction exact(std::span<const Label> labels, std::span<const Score> scores, aucrecall::Ties ties) {
    const std::size_t n = scores.size();
    i128 positives = 0;
    for (auto l : labels) positives += (l != 0);
    if (positives == 0 || n < 2) return {};

    std::vector<std::size_t> by_rank(n);
    std::iota(by_rank.begin(), by_rank.end(), std::size_t{0});
    std::stable_sort(by_rank.begin(), by_rank.end(),
                     [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

    // Twice S and y0 as a fraction y0_num / y0_den.
    i128 twice_s = 0, y0_num = 0, y0_den = 1;
    if (ties == aucrecall::Ties::stable) {
        for (std::size_t r = 0; r < n; ++r)
            if (labels[by_rank[r]] != 0) twice_s += 2 * static_cast<i128>(r);
        y0_num = labels[by_rank[0]] != 0;
    } else {
        for (std::size_t a = 0; a < n;) {
            std::size_t b = a;
            i128 group_positives = 0;
            while (b < n && scores[by_rank[b]] == scores[by_rank[a]])
                group_positives += labels[by_rank[b++]] != 0;
            // each positive's expected rank is (a + b - 1) / 2
            twice_s += group_positives * static_cast<i128>(a + b - 1);
            if (a == 0) y0_num = group_positives, y0_den = static_cast<i128>(b);
            a = b;
        }
    }
    const i128 nn = static_cast<i128>(n), p = positives;
    Fraction f;
    f.num = (2 * nn * p - twice_s - p) * y0_den - y0_num;
    f.den = (2 * nn * p - p * p - 1) * y0_den;
    if (f.den == 0) return {};
    return f;
}

template <class Label, class Score>
double metric(std::span<const Label> labels, std::span<const Score> scores, aucrecall::Ties ties) {
    return to_double(exact(labels, scores, ties));
}

// ---- cutoff K (SPEC.md "Cutoff K"), in its closed form --------------------------------------
// q_r = the probability that rank r holds a positive (stable: the label there; average:
// p_G / g inside a tie group G), then with m = min(K, n):
//   metric@K = (2 sum_{r<m} (m - r) q_r - q_0 - sum_{r<m} q_r) / (2I - 1 - min(P, m))
// Evaluated with exact fractions reduced by gcd. k = 0 means no cutoff.
struct Rational {
    i128 num = 0;
    i128 den = 1;
};
inline i128 gcd128(i128 a, i128 b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        const i128 t = a % b;
        a = b;
        b = t;
    }
    return a == 0 ? 1 : a;
}
inline Rational reduced(i128 num, i128 den) {
    const i128 g = gcd128(num, den);
    return {num / g, den / g};
}
inline Rational operator+(Rational a, Rational b) {
    const i128 g = gcd128(a.den, b.den);
    return reduced(a.num * (b.den / g) + b.num * (a.den / g), a.den / g * b.den);
}
inline Rational operator-(Rational a, Rational b) { return a + Rational{-b.num, b.den}; }

template <class Label, class Score>
Fraction exact_at(std::span<const Label> labels, std::span<const Score> scores, aucrecall::Ties ties,
                  std::uint64_t k) {
    const std::size_t n = scores.size();
    const std::size_t m = k == 0 ? n : static_cast<std::size_t>(std::min<std::uint64_t>(k, n));
    i128 positives = 0;
    for (auto l : labels) positives += (l != 0);
    if (positives == 0 || m < 2) return {};
    std::vector<std::size_t> by_rank(n);
    std::iota(by_rank.begin(), by_rank.end(), std::size_t{0});
    std::stable_sort(by_rank.begin(), by_rank.end(),
                     [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    // q_r for the ranks inside the cutoff (a tie group is read whole, even past rank m)
    std::vector<Rational> q(m);
    for (std::size_t a = 0; a < m;) {
        std::size_t b = a + 1;
        if (ties == aucrecall::Ties::average)
            while (b < n && scores[by_rank[b]] == scores[by_rank[a]]) ++b;
        i128 p = 0;
        for (std::size_t r = a; r < b; ++r) p += labels[by_rank[r]] != 0;
        for (std::size_t r = a; r < b && r < m; ++r) q[r] = reduced(p, static_cast<i128>(b - a));
        a = b;
    }
    Rational weighted, hits;
    for (std::size_t r = 0; r < m; ++r) {
        weighted = weighted + Rational{q[r].num * static_cast<i128>(m - r), q[r].den};
        hits = hits + q[r];
    }
    const i128 mm = static_cast<i128>(m), p = positives;
    const i128 ideal = mm <= p ? mm * (mm + 1) / 2 : p * (p + 1) / 2 + (mm - p) * p;
    const Rational numerator = Rational{2 * weighted.num, weighted.den} - q[0] - hits;
    Fraction f;
    f.num = numerator.num;
    f.den = numerator.den * (2 * ideal - 1 - std::min(p, mm));
    return f;
}

template <class Label, class Score>
double metric_at(std::span<const Label> labels, std::span<const Score> scores, aucrecall::Ties ties,
                 std::uint64_t k) {
    return to_double(exact_at(labels, scores, ties, k));
}

// A ranked list (SPEC.md "Ranked input") is the scored list with scores n-1, ..., 0.
template <class Label>
Fraction exact_ranked(std::span<const Label> labels, std::uint64_t k) {
    std::vector<double> scores(labels.size());
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = static_cast<double>(scores.size() - 1 - i);
    return exact_at(labels, std::span<const double>(scores), aucrecall::Ties::stable, k);
}

}  // namespace reference
