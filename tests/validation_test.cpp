// What SPEC.md rejects, and how: different lengths, NaN scores, labels other than 0/1, unknown
// kernel or tie-policy names. Each error must name what was wrong and where.
#include "kernel_checks.hpp"

#include <array>
#include <limits>

namespace {

using namespace kernel_checks;

// "Does the message contain this?" with both strings printed on failure (gmock's HasSubstr without
// linking gmock).
::testing::AssertionResult Contains(const char* text_expr, const char* part_expr, const std::string& text,
                                    const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << text_expr << " (\"" << text << "\") does not contain " << part_expr
                                         << " (\"" << part << "\")";
}

// Runs `action`, requires it to throw exactly `Exception` (or a subclass) and returns the message.
template <class Exception, class Action>
std::string message_of(Action&& action) {
    try {
        action();
    } catch (const Exception& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw the wrong exception type: " << e.what();
        return {};
    }
    ADD_FAILURE() << "did not throw";
    return {};
}

TEST(Validation, DifferentLengthsNameBothLengths) {
    const std::vector<std::int64_t> labels(7, 0);
    const std::vector<double> scores(9, 0.5);
    const std::string what = message_of<std::invalid_argument>([&] {
        (void)aucrecall::make_input(std::span<const std::int64_t>(labels), std::span<const double>(scores));
    });
    EXPECT_PRED_FORMAT2(Contains, what, "7");
    EXPECT_PRED_FORMAT2(Contains, what, "9");
    // The typed convenience entry point goes through the same check.
    const std::string via_auc = message_of<std::invalid_argument>([&] { (void)aucrecall::auc_recall(labels, scores); });
    EXPECT_EQ(via_auc, what);
    // Either way round, and with an empty side.
    EXPECT_PRED_FORMAT2(Contains, message_of<std::invalid_argument>([&] {
                    (void)aucrecall::make_input(std::span<const std::int64_t>(labels).first(0),
                                                std::span<const double>(scores).first(4));
                }), "4");
}

// NaN at index i -> InvalidInput naming "index i" and "NaN", with index() == i; for every label
// and score type, every kernel (compute() validates before running any kernel), first NaN wins.
TEST(Validation, NanScoreIsRejectedWithItsIndex) {
    for (LabelType lt : all_label_types)
        for (ScoreType st : all_score_types)
            with_types(lt, st, [&](auto label_tag, auto score_tag) {
                using Label = typename decltype(label_tag)::type;
                using Score = typename decltype(score_tag)::type;
                std::array<Label, 12> labels{};
                std::array<Score, 12> scores{};
                for (std::size_t i = 0; i < scores.size(); ++i) {
                    labels[i] = static_cast<Label>(i % 2);
                    scores[i] = static_cast<Score>(i) / 16;
                }
                for (std::size_t bad : {std::size_t{0}, std::size_t{5}, std::size_t{11}}) {
                    auto s = scores;
                    s[bad] = std::numeric_limits<Score>::quiet_NaN();
                    if (bad + 3 < s.size()) s[bad + 3] = -std::numeric_limits<Score>::quiet_NaN();  // later: not reported
                    const auto input = aucrecall::make_input(std::span<const Label>(labels), std::span<const Score>(s));
                    for (const Kernel& k : aucrecall::kernels()) {
                        try {
                            (void)aucrecall::compute(input, {.kernel = k.name, .ties = Ties::average});
                            ADD_FAILURE() << k.name << ": NaN at index " << bad << " accepted";
                        } catch (const aucrecall::InvalidInput& e) {
                            EXPECT_EQ(e.index(), bad) << k.name;
                            EXPECT_PRED_FORMAT2(Contains, e.what(), "index " + std::to_string(bad)) << k.name;
                            EXPECT_PRED_FORMAT2(Contains, e.what(), "NaN") << k.name;
                        }
                    }
                    EXPECT_THROW(aucrecall::validate(input), aucrecall::InvalidInput);
                    EXPECT_THROW((void)aucrecall::compute(input), aucrecall::InvalidInput) << "default kernel";
                }
            });
}

// Labels must be 0 or 1: 2 and -1 (255 as uint8_t) are named with their index and value.
TEST(Validation, LabelOutsideZeroOneIsRejectedWithIndexAndValue) {
    auto check = [](auto label_tag, long long bad_value, std::size_t bad_index) {
        using Label = typename decltype(label_tag)::type;
        std::vector<Label> labels = {1, 0, 1, 0, 1, 0, 1, 0};
        const std::vector<double> scores = {0.8, 0.1, 0.4, 0.3, 0.5, 0.6, 0.7, 0.2};
        labels[bad_index] = static_cast<Label>(bad_value);
        const long long stored = static_cast<long long>(labels[bad_index]);  // -1 becomes 255 in uint8_t
        const auto input = aucrecall::make_input(std::span<const Label>(labels), std::span<const double>(scores));
        for (const Kernel& k : aucrecall::kernels())
            for (Ties ties : all_ties) {
                try {
                    (void)aucrecall::compute(input, {.kernel = k.name, .ties = ties});
                    ADD_FAILURE() << k.name << ": label " << stored << " at index " << bad_index << " accepted";
                } catch (const aucrecall::InvalidInput& e) {
                    EXPECT_EQ(e.index(), bad_index) << k.name;
                    EXPECT_PRED_FORMAT2(Contains, e.what(), "index " + std::to_string(bad_index)) << k.name;
                    EXPECT_PRED_FORMAT2(Contains, e.what(), std::to_string(stored)) << k.name;
                }
            }
    };
    for (std::size_t index : {std::size_t{0}, std::size_t{3}, std::size_t{7}}) {
        check(std::type_identity<std::uint8_t>{}, 2, index);
        check(std::type_identity<std::uint8_t>{}, -1, index);
        check(std::type_identity<std::int32_t>{}, 2, index);
        check(std::type_identity<std::int32_t>{}, -1, index);
        check(std::type_identity<std::int64_t>{}, 2, index);
        check(std::type_identity<std::int64_t>{}, -1, index);
        check(std::type_identity<std::int64_t>{}, std::numeric_limits<std::int64_t>::min(), index);
    }
}

TEST(Validation, UnknownKernelIsNamed) {
    const auto d = aucrecall::data::study_example<std::int64_t, double>();
    const auto input = aucrecall::make_input(d.labels(), d.scores());
    const std::string what = message_of<std::invalid_argument>(
        [&] { (void)aucrecall::compute(input, {.kernel = "no_such_kernel", .ties = Ties::average}); });
    EXPECT_PRED_FORMAT2(Contains, what, "no_such_kernel");
    // A near miss of a real name is still unknown (names are exact).
    EXPECT_THROW((void)aucrecall::compute(input, {.kernel = "Fused", .ties = Ties::average}), std::invalid_argument);
}

TEST(Validation, NullDataWithPositiveLengthIsRejected) {
    const aucrecall::Input input{nullptr, nullptr, 3, aucrecall::LabelType::i64, aucrecall::ScoreType::f64};
    EXPECT_PRED_FORMAT2(Contains, message_of<std::invalid_argument>([&] { aucrecall::validate(input); }), "3");
    EXPECT_THROW((void)aucrecall::compute(input), std::invalid_argument);
}

// SPEC.md step 5 through the public entry point, with its default kernel.
TEST(Validation, UndefinedMetricIsNaNNotAnError) {
    const std::vector<std::int64_t> none = {0, 0, 0}, one = {1}, empty_labels;
    const std::vector<double> s3 = {0.3, 0.2, 0.1}, s1 = {0.5}, empty_scores;
    for (Ties ties : all_ties) {
        EXPECT_TRUE(std::isnan(aucrecall::auc_recall(empty_labels, empty_scores, {.kernel = {}, .ties = ties})));
        EXPECT_TRUE(std::isnan(aucrecall::auc_recall(one, s1, {.kernel = {}, .ties = ties})));
        EXPECT_TRUE(std::isnan(aucrecall::auc_recall(none, s3, {.kernel = {}, .ties = ties})));
    }
}

TEST(Validation, InfinitiesAndSignedZerosAreOrdinaryScores) {
    const std::vector<std::uint8_t> labels = {1, 0, 1, 0, 1};
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> scores = {inf, -inf, -0.0, 0.0, -inf};
    for (const Kernel& k : aucrecall::kernels())
        for (Ties ties : all_ties) {
            double got = 0;
            ASSERT_NO_THROW(got = aucrecall::compute(aucrecall::make_input(std::span<const std::uint8_t>(labels),
                                                                           std::span<const double>(scores)),
                                                     {.kernel = k.name, .ties = ties}))
                << k.name;
            EXPECT_TRUE(agrees(k, got, reference::metric<std::uint8_t, double>(labels, scores, ties),
                               Case{.kernel = k.name, .ties = ties, .labels = "u8", .scores = "f64", .n = 5,
                                    .note = "+-inf and signed zeros"}));
        }
}

TEST(TiePolicyNames, ParseAndPrintRoundTrip) {
    for (Ties ties : all_ties) EXPECT_EQ(aucrecall::parse_ties(aucrecall::to_string(ties)), ties);
    EXPECT_EQ(aucrecall::parse_ties("average"), Ties::average);
    EXPECT_EQ(aucrecall::parse_ties("stable"), Ties::stable);
}

TEST(TiePolicyNames, UnknownNamesAreRejectedAndNamed) {
    for (std::string_view bad : {"Average", "mean", "stable ", "first", "avg"})
        EXPECT_PRED_FORMAT2(Contains, message_of<std::invalid_argument>([&] { (void)aucrecall::parse_ties(bad); }), std::string(bad));
    EXPECT_THROW((void)aucrecall::parse_ties(""), std::invalid_argument);
}

}  // namespace
