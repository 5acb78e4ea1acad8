// The CSV reader's fast number parser (kernels/cli/plain_decimal.hpp) against std::from_chars, the
// reader's definition of a score's value: wherever it accepts a text, the same end and the same
// bits; it accepts the common spellings of scores; it declines everything else; it reads no byte
// past its documented reach (the buffers below end there, so AddressSanitizer would see it).
#include "plain_decimal.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using aucrecall::cli::parse_plain_decimal;
using aucrecall::cli::plain_decimal_reach;

// `text` in a heap buffer of exactly plain_decimal_reach bytes (zero-padded) or of its own length
// when longer: a read past the reach is a heap overflow.
struct Parsed {
    bool accepted = false;
    std::size_t end = 0;
    double value = 0;
};
Parsed parse(std::string_view text) {
    std::vector<char> buffer(std::max(text.size(), plain_decimal_reach), '\0');
    std::memcpy(buffer.data(), text.data(), text.size());
    Parsed r;
    const char* end = parse_plain_decimal(buffer.data(), r.value);
    if (end == nullptr) return r;
    r.accepted = true;
    r.end = static_cast<std::size_t>(end - buffer.data());
    return r;
}

// Checks one text against std::from_chars; returns whether the fast parser took it.
bool agrees(std::string_view text, int& mismatches) {
    const Parsed fast = parse(text);
    if (!fast.accepted) return false;
    double reference = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), reference);
    const auto reference_end = static_cast<std::size_t>(end - text.data());
    if (ec != std::errc{} || reference_end != fast.end || std::memcmp(&reference, &fast.value, sizeof(double)) != 0) {
        if (++mismatches <= 10)
            ADD_FAILURE() << "'" << text << "': from_chars " << std::hexfloat << reference << " ending at "
                          << reference_end << ", fast " << fast.value << " ending at " << fast.end;
    }
    return true;
}

class PlainDecimal : public ::testing::Test {
protected:
    void SetUp() override {
        if (!aucrecall::cli::plain_decimal_supported)
            GTEST_SKIP() << "no x87 extended precision here: every number goes to std::from_chars";
    }
};

TEST_F(PlainDecimal, TakesTheCommonSpellingsOfScores) {
    int mismatches = 0;
    for (const char* text : {"0.5941404543544939", "0.7534523963213471", "-0.25", "0.1", "9.999999999999999",
                             "1.00000000000000000", "0.000000000000000001", "-9.87654321098765432", "0.5\n",
                             "0.5,next", "0.5\r\n"}) {
        EXPECT_TRUE(agrees(text, mismatches)) << text;
    }
    EXPECT_EQ(mismatches, 0);
    EXPECT_EQ(parse("-0.0").value, 0.0);
    EXPECT_TRUE(std::signbit(parse("-0.0").value));
    EXPECT_EQ(parse("0.5\n").end, 3u);
}

TEST_F(PlainDecimal, DeclinesEverythingElse) {
    // Left to std::from_chars (or to the reader's errors): other shapes, exponents, more than
    // 19 digits, two integer digits, signs other than one leading '-', words.
    for (const char* text : {"", "5", "-5", ".5", "5.", "-.5", "+0.5", "--0.5", "10.5", "05.5", "0.5e3", "0.5E-3",
                             "0.5.2", "1.1234567890123456789", "0.1234567890123456789", "9.999999999999999999",
                             "nan", "inf", "-inf", "0x1.8p1", " 0.5", "0,5", "0..5", "-", "\xff.5"}) {
        EXPECT_FALSE(parse(text).accepted) << "'" << text << "'";
    }
}

TEST_F(PlainDecimal, SameBitsAsFromCharsOnRandomScores) {
    std::mt19937_64 rng(20221);
    std::uniform_real_distribution<double> unit(0, 1), wide(-10, 10);
    int mismatches = 0;
    std::size_t taken = 0, tried = 0;
    char text[96];
    for (int i = 0; i < 1'500'000; ++i) {
        double x = 0;
        switch (i % 4) {
            case 0: x = unit(rng); break;
            case 1: x = wide(rng); break;
            case 2: x = std::ldexp(static_cast<double>(rng() >> 11), -53 - static_cast<int>(rng() % 16)); break;
            default: x = std::nextafter(std::round(wide(rng) * 1e6) / 1e6, 20.0); break;  // just above a short decimal
        }
        int length = 0;
        switch ((i / 4) % 5) {
            case 0: length = static_cast<int>(std::to_chars(text, text + sizeof text, x).ptr - text); break;  // shortest
            case 1: length = std::snprintf(text, sizeof text, "%.17g", x); break;
            case 2: length = std::snprintf(text, sizeof text, "%.*f", 1 + static_cast<int>(rng() % 18), x); break;
            case 3: length = std::snprintf(text, sizeof text, "%.18f", x); break;
            default: length = std::snprintf(text, sizeof text, "%.16f", x); break;
        }
        ++tried;
        taken += agrees(std::string_view(text, static_cast<std::size_t>(length)), mismatches);
    }
    EXPECT_EQ(mismatches, 0);
    // Nearly all of these are plain decimals of one integer digit: the fast path must take them.
    EXPECT_GT(taken, tried * 8 / 10) << taken << " of " << tried;
}

TEST_F(PlainDecimal, SameBitsAsFromCharsNearTiesBetweenDoubles) {
    // A decimal within 10^-18 of the midpoint of two neighbouring doubles is where rounding twice
    // (to x87's 64 bits, then to 53) could go wrong: the midpoint itself needs about 54 digits,
    // so it is written rounded to 10..18 decimals, on both sides of it.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> units(1, 9.99), fractions(0.001, 1);
    int mismatches = 0;
    std::size_t taken = 0;
    char text[96];
    for (int i = 0; i < 600'000; ++i) {
        const double low = i % 2 ? units(rng) : fractions(rng);
        const long double midpoint = (static_cast<long double>(low) + std::nextafter(low, 20.0)) / 2;
        const int length = std::snprintf(text, sizeof text, "%.*Lf", 10 + i % 9, midpoint);
        taken += agrees(std::string_view(text, static_cast<std::size_t>(length)), mismatches);
    }
    EXPECT_EQ(mismatches, 0);
    EXPECT_GT(taken, 500'000u);
}

}  // namespace
