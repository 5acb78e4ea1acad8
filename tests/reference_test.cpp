// Checks of the reference itself: values worked out by hand from SPEC.md, and its rounding.
#include "reference.hpp"

#include "aucrecall/datagen.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace {

TEST(Reference, StudyExampleIsExactlyPointEight) {
    const std::vector<int64_t> labels = {1, 0, 1, 1, 0};
    const std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
    for (auto ties : {aucrecall::Ties::average, aucrecall::Ties::stable})
        EXPECT_EQ((reference::metric<int64_t, double>)(labels, scores, ties), 0.8);
}

TEST(Reference, CorrectRoundingOfFractions) {
    EXPECT_EQ(reference::to_double({1, 3}), 1.0 / 3.0);
    EXPECT_EQ(reference::to_double({2, 3}), 2.0 / 3.0);
    EXPECT_EQ(reference::to_double({7, 10}), 0.7);
    EXPECT_EQ(reference::to_double({1, 1}), 1.0);
    const reference::i128 big = (reference::i128{1} << 100) + 1;
    EXPECT_EQ(reference::to_double({big, big * 3}), 1.0 / 3.0);
    EXPECT_TRUE(std::isnan(reference::to_double({1, 0})));
}

// Below 2^53 both integers are exact doubles and IEEE division is correctly rounded, so it is an
// independent oracle for to_double's long division.
TEST(Reference, ToDoubleMatchesIeeeDivisionOfExactIntegers) {
    aucrecall::data::Rng rng(aucrecall::data::default_seed);
    for (int trial = 0; trial < 100000; ++trial) {
        const int bits = 1 + static_cast<int>(rng.below(53));
        const std::uint64_t den = 1 + rng.below(std::uint64_t{1} << bits);
        const std::uint64_t num = rng.below(std::uint64_t{1} << 53);
        ASSERT_EQ(reference::to_double({static_cast<reference::i128>(num), static_cast<reference::i128>(den)}),
                  static_cast<double>(num) / static_cast<double>(den))
            << num << " / " << den;
    }
}

TEST(Reference, ToDoubleRoundsHalfwayToEvenAndUsesEveryDroppedBit) {
    using reference::i128;
    const i128 two53 = i128{1} << 53;
    // Exactly halfway between two doubles: ties go to the even mantissa.
    EXPECT_EQ(reference::to_double({two53 + 1, 1}), 0x1p53);
    EXPECT_EQ(reference::to_double({two53 + 3, 1}), 0x1p53 + 4);
    // Just above halfway, by a bit far below the 64 quotient bits: must round up.
    const i128 scale = i128{1} << 70;
    EXPECT_EQ(reference::to_double({(two53 + 1) * scale + 1, scale}), 0x1p53 + 2);
    EXPECT_EQ(reference::to_double({(two53 + 1) * scale - 1, scale}), 0x1p53);
    // Rounding up across a power of two, and signs.
    EXPECT_EQ(reference::to_double({(two53 << 1) - 1, 2}), 0x1p53);
    EXPECT_EQ(reference::to_double({-1, 3}), -1.0 / 3.0);
    EXPECT_EQ(reference::to_double({1, -3}), -1.0 / 3.0);
    EXPECT_EQ(reference::to_double({0, 5}), 0.0);
}

TEST(Reference, TiesAverageOverOrders) {
    // Two items tied, one positive: rankings [1,0] (metric 1) and [0,1] (metric 0) are equally
    // likely; n = 2, P = 1: trapz(ideal) = 1, trapz(recall) = 1 or 0.5 -> mean 0.75.
    const std::vector<uint8_t> labels = {0, 1};
    const std::vector<float> scores = {0.5f, 0.5f};
    EXPECT_EQ((reference::metric<uint8_t, float>)(labels, scores, aucrecall::Ties::average), 0.75);
    // stable: index 0 (the negative) ranks first -> recall [0, 1] -> 0.5 / 1.
    EXPECT_EQ((reference::metric<uint8_t, float>)(labels, scores, aucrecall::Ties::stable), 0.5);
}

TEST(Reference, UndefinedCases) {
    const std::vector<int32_t> none = {0, 0, 0};
    const std::vector<double> s3 = {1, 2, 3};
    EXPECT_TRUE(std::isnan((reference::metric<int32_t, double>)(none, s3, aucrecall::Ties::average)));
    const std::vector<int32_t> one = {1};
    const std::vector<double> s1 = {1};
    EXPECT_TRUE(std::isnan((reference::metric<int32_t, double>)(one, s1, aucrecall::Ties::stable)));
    EXPECT_TRUE(std::isnan((reference::metric<int32_t, double>)({}, {}, aucrecall::Ties::stable)));
}

}  // namespace
