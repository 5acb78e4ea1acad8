// The CSV reader's fast path for the scores most files hold: one integer digit, a point and up to
// 18 more digits, such as `0.5941404543544939` or `-3.25` (what Python's repr, pandas' to_csv
// and printf("%.17f") write for probabilities and other scores of moderate size). std::from_chars
// reads such a number a digit at a time, and it was the largest part of the CLI's profile;
// here the digits are read eight at a time and the value rounded with one division. Every other
// text, and the rare value this division cannot round exactly, is left to std::from_chars, so
// the value is always the double std::from_chars gives (tests/plain_decimal_test.cpp checks
// this on two million numbers, 600,000 of them within 10^-18 of a tie between two doubles, and
// the reader's fuzz target on whatever text it makes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace aucrecall::cli {

// The rounding needs x87's 64-bit significand and the digit reading a little-endian machine:
// elsewhere every number goes to std::from_chars.
#if (defined(__x86_64__) || defined(__i386__)) && __LDBL_MANT_DIG__ == 64 && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
inline constexpr bool plain_decimal_supported = true;
#else
inline constexpr bool plain_decimal_supported = false;
#endif

// Bytes parse_plain_decimal may read from its start, whatever the number's length.
inline constexpr std::size_t plain_decimal_reach = 32;

namespace plain_decimal_detail {

inline std::uint64_t load8(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;  // the first character in the low byte
}

// The top bit of each byte of `v` that is not an ASCII digit. A borrow or carry runs into the
// byte above, so bytes after the first non-digit may be flagged wrongly; only the first is used.
inline std::uint64_t non_digits(std::uint64_t v) noexcept {
    return ((v - 0x3030303030303030u) | (v + 0x4646464646464646u) | v) & 0x8080808080808080u;
}

// The number written by eight digit values (0..9, one per byte, the first in the low byte):
// neighbours combined into pairs, the pairs into fours, the fours into the whole.
inline std::uint64_t eight_digits(std::uint64_t v) noexcept {
    v = v * 10 + (v >> 8);
    return ((v & 0x000000FF000000FFu) * (100 + (1000000ull << 32)) +
            ((v >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32))) >> 32;
}

// The number written by the first `count` (1..8) characters of `v`, all digits: they move to
// the top bytes, and the bytes shifted in below are leading zeros.
inline std::uint64_t first_digits(std::uint64_t v, unsigned count) noexcept {
    return eight_digits((v - 0x3030303030303030u) << (8 * (8 - count)));
}

// 10^0 .. 10^18 in each type the parse uses. Every one is exact in all three (10^18 < 2^63; a
// double holds every power up to 10^22, as 5^22 < 2^53; x87's 64-bit significand up to 10^27), and
// so is each product by 10 that builds them.
inline constexpr std::size_t max_digits = 18;
template <class T>
constexpr std::array<T, max_digits + 1> powers_of_ten() noexcept {
    std::array<T, max_digits + 1> powers{};
    T power = 1;
    for (T& p : powers) {
        p = power;
        power *= 10;
    }
    return powers;
}
inline constexpr auto pow10_u64 = powers_of_ten<std::uint64_t>();
inline constexpr auto pow10_double = powers_of_ten<double>();
inline constexpr auto pow10_extended = powers_of_ten<long double>();
static_assert(pow10_u64[max_digits] == 1000000000000000000u && pow10_double[max_digits] == 1e18 &&
              pow10_extended[max_digits] == 1e18L);

}  // namespace plain_decimal_detail

// Parses `[-]D.F` at `first`, D one digit and F 1 to 18 digits (19 digits in all at most, and
// not followed by an exponent or another point), and returns its end, with `value` the double
// nearest to it, ties to even: the bits std::from_chars gives. Returns nullptr, leaving `value`
// alone, for any other text; the caller then uses std::from_chars. Reads plain_decimal_reach
// bytes from `first`.
inline const char* parse_plain_decimal(const char* first, double& value) noexcept {
    using namespace plain_decimal_detail;
    if constexpr (!plain_decimal_supported) {
        return nullptr;
    } else {
        const bool negative = *first == '-';
        const char* const p = first + (negative ? 1 : 0);
        const unsigned integer = static_cast<unsigned char>(p[0] - '0');
        if (integer > 9 || p[1] != '.') return nullptr;
        const char* const fraction = p + 2;
        const std::uint64_t f0 = load8(fraction), f1 = load8(fraction + 8), f2 = load8(fraction + 16);
        // The fraction's digits as one integer, and how many: 16 or 17 for most written scores,
        // so the branches below nearly always go the same way.
        unsigned count;
        std::uint64_t digits;
        if (const std::uint64_t m0 = non_digits(f0); m0 != 0) {
            count = static_cast<unsigned>(__builtin_ctzll(m0)) / 8;
            if (count == 0) return nullptr;
            digits = first_digits(f0, count);
        } else if (const std::uint64_t m1 = non_digits(f1); m1 != 0) {
            const unsigned more = static_cast<unsigned>(__builtin_ctzll(m1)) / 8;
            digits = eight_digits(f0 - 0x3030303030303030u);
            if (more != 0) digits = digits * pow10_u64[more] + first_digits(f1, more);
            count = 8 + more;
        } else {
            const std::uint64_t m2 = non_digits(f2);
            const unsigned more = m2 == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(m2)) / 8;
            if (more > 2) return nullptr;
            digits = eight_digits(f0 - 0x3030303030303030u) * 100000000u + eight_digits(f1 - 0x3030303030303030u);
            if (more != 0) digits = digits * pow10_u64[more] + first_digits(f2, more);
            count = 16 + more;
        }
        const char* const end = fraction + count;
        if (*end == 'e' || *end == 'E' || *end == '.') return nullptr;
        if (integer != 0) {
            if (count > 18) return nullptr;
            digits += integer * pow10_u64[count];
        }
        double magnitude;
        if (digits <= (std::uint64_t{1} << 53)) {
            // Both operands exact in a double: the one division rounds correctly.
            magnitude = static_cast<double>(digits) / pow10_double[count];
        } else {
            // Both operands exact in x87's 64-bit significand (digits < 10^19 < 2^64). Its
            // division rounds to 64 bits, and rounding that to double's 53 is the correct rounding
            // unless the 64-bit result lies exactly halfway between two doubles (low 11 bits
            // 10000000000), where the first rounding may have made the tie: std::from_chars decides.
            if (digits >> 63) return nullptr;  // x87 loads signed integers
            const long double quotient =
                static_cast<long double>(static_cast<std::int64_t>(digits)) / pow10_extended[count];
            std::uint64_t significand;
            std::memcpy(&significand, &quotient, 8);
            if ((significand & 0x7FF) == 0x400) return nullptr;
            magnitude = static_cast<double>(quotient);
        }
        value = negative ? -magnitude : magnitude;
        return end;
    }
}

}  // namespace aucrecall::cli
