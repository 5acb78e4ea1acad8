// Helpers shared by the kernel tests: the per-kernel tolerance of SPEC.md ("Accuracy"), a
// distance in units in the last place, and a way to run one templated check for each of the 8
// label/score type combinations named at run time (so value-parameterised tests can cover them).
#pragma once

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <limits>
#include <span>
#include <stdexcept>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"
#include "accuracy.hpp"
#include "reference.hpp"

namespace kernel_checks {

using aucrecall::Kernel;
using aucrecall::LabelType;
using aucrecall::ScoreType;
using aucrecall::Ties;

inline constexpr Ties all_ties[] = {Ties::average, Ties::stable};
inline constexpr LabelType all_label_types[] = {LabelType::boolean, LabelType::u8, LabelType::i32,
                                                LabelType::i64};
inline constexpr ScoreType all_score_types[] = {ScoreType::f32, ScoreType::f64};

constexpr std::string_view name(LabelType t) noexcept {
    switch (t) {
        case LabelType::boolean: return "bool";
        case LabelType::u8: return "u8";
        case LabelType::i32: return "i32";
        case LabelType::i64: return "i64";
    }
    return "?";
}
constexpr std::string_view name(ScoreType t) noexcept { return t == ScoreType::f32 ? "f32" : "f64"; }

template <class T> constexpr std::string_view type_name() noexcept {
    if constexpr (std::is_same_v<T, float>) return "f32";
    else if constexpr (std::is_same_v<T, double>) return "f64";
    else return name(aucrecall::label_type_of<T>());
}

}  // namespace kernel_checks

// Readable test parameters in gtest's output ("i64" rather than "1-byte object <03>"); found by
// argument-dependent lookup, so they live in the enums' namespace.
namespace aucrecall {
inline void PrintTo(LabelType t, std::ostream* out) { *out << kernel_checks::name(t); }
inline void PrintTo(ScoreType t, std::ostream* out) { *out << kernel_checks::name(t); }
}  // namespace aucrecall

namespace kernel_checks {

// Calls fn(std::type_identity<Label>{}, std::type_identity<Score>{}) with the C++ types behind
// the run-time tags.
template <class Fn>
void with_types(LabelType label, ScoreType score, Fn&& fn) {
    auto with_score = [&](auto label_tag) {
        if (score == ScoreType::f32) fn(label_tag, std::type_identity<float>{});
        else fn(label_tag, std::type_identity<double>{});
    };
    switch (label) {
        case LabelType::boolean: with_score(std::type_identity<bool>{}); break;
        case LabelType::u8: with_score(std::type_identity<std::uint8_t>{}); break;
        case LabelType::i32: with_score(std::type_identity<std::int32_t>{}); break;
        case LabelType::i64: with_score(std::type_identity<std::int64_t>{}); break;
    }
}

// Everything a failure message needs to reproduce the case.
struct Case {
    std::string_view kernel = "";
    Ties ties = Ties::average;
    std::string_view labels = "";
    std::string_view scores = "";
    std::string_view dist = "hand-built";
    std::string_view positives = "-";
    std::size_t n = 0;
    std::uint64_t seed = 0;
    std::string note = "";
};

inline std::string describe(const Case& c) {
    std::ostringstream out;
    out << "kernel=" << c.kernel << " ties=" << aucrecall::to_string(c.ties) << " labels=" << c.labels
        << " scores=" << c.scores << " dist=" << c.dist << " positives=" << c.positives << " n=" << c.n
        << " seed=" << c.seed;
    if (!c.note.empty()) out << " (" << c.note << ")";
    return out.str();
}

// A double in decimal (enough digits to round-trip) and in hex (the exact bits).
inline std::string exact_text(double x) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g (%a)", x, x);
    return text;
}

// Does `got` (from `kernel`) agree with `expected` (the correctly rounded reference)?
inline ::testing::AssertionResult agrees(const Kernel& kernel, double got, double expected,
                                         const Case& c) {
    auto failure = [&]() {
        return ::testing::AssertionFailure() << describe(c) << ": got " << exact_text(got) << ", reference "
                                             << exact_text(expected);
    };
    if (std::isnan(expected) || std::isnan(got)) {
        if (std::isnan(expected) && std::isnan(got)) return ::testing::AssertionSuccess();
        return failure() << "; NaN is expected exactly when the reference is NaN";
    }
    if (is_curve_based(kernel)) {
        const double error = std::fabs(got - expected);
        if (error <= curve_relative_tolerance * std::fabs(expected)) return ::testing::AssertionSuccess();
        return failure() << "; relative error " << error / std::fabs(expected) << " > "
                         << curve_relative_tolerance;
    }
    const std::uint64_t ulps = ulp_distance(got, expected);
    if (ulps <= identity_max_ulps) return ::testing::AssertionSuccess();
    return failure() << "; " << ulps << " ulps apart (at most " << identity_max_ulps << " allowed)";
}

// Runs `kernel` on the spans and compares with the reference computed on the same spans.
template <class Label, class Score>
::testing::AssertionResult matches_reference(const Kernel& kernel, std::span<const Label> labels,
                                             std::span<const Score> scores, Case c) {
    c.kernel = kernel.name;
    c.labels = type_name<Label>();
    c.scores = type_name<Score>();
    c.n = labels.size();
    const double expected = reference::metric(labels, scores, c.ties);
    const double got = kernel.run(aucrecall::make_input(labels, scores), c.ties);
    return agrees(kernel, got, expected, c);
}

// Kernels named in the registry, for test parameters (instantiated before main, from the
// constant-initialised registry).
inline std::vector<std::string> kernel_names() {
    std::vector<std::string> out;
    for (const Kernel& k : aucrecall::kernels()) out.emplace_back(k.name);
    return out;
}

inline const Kernel& kernel_named(const std::string& name) {
    const Kernel* k = aucrecall::find_kernel(name);
    if (k == nullptr) throw std::logic_error("test parameter names unknown kernel " + name);
    return *k;
}

// Largest n the sweeps give a kernel. The registry's max_practical_n already bounds the slow
// kernels; the O(n^2) study baseline is further capped so that the suite stays fast under the
// sanitizers (its 10^5 point belongs to the benchmark).
inline std::size_t test_size_limit(const Kernel& kernel) noexcept {
    std::size_t limit = kernel.max_practical_n;
    if (kernel.name == "naive_loop" && limit > 10000) limit = 10000;
    return limit;
}

}  // namespace kernel_checks
