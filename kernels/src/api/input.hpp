// The typed view of an Input and the input checks of SPEC.md, shared by every entry point.
// Internal, not installed.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace aucrecall::detail {

inline bool integer_scores(ScoreType type) noexcept { return type != ScoreType::f32 && type != ScoreType::f64; }

// Integer scores reach the typed code only as the exact doubles of ExactScores (exact_scores.hpp).
[[noreturn]] void throw_integer_scores_unconverted();

// Calls fn(std::span<const Label>, std::span<const Score>) with the input's real types, so
// each kernel is written once as a template and instantiated for all 8 combinations.
template <class Fn>
decltype(auto) visit(const Input& in, Fn&& fn) {
    auto with_scores = [&](auto labels) -> decltype(auto) {
        if (in.score_type == ScoreType::f32)
            return fn(labels, std::span<const float>(static_cast<const float*>(in.scores), in.n));
        if (in.score_type != ScoreType::f64) throw_integer_scores_unconverted();
        return fn(labels, std::span<const double>(static_cast<const double*>(in.scores), in.n));
    };
    switch (in.label_type) {
        case LabelType::boolean:
            return with_scores(std::span<const bool>(static_cast<const bool*>(in.labels), in.n));
        case LabelType::u8:
            return with_scores(
                std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(in.labels), in.n));
        case LabelType::i32:
            return with_scores(
                std::span<const std::int32_t>(static_cast<const std::int32_t*>(in.labels), in.n));
        case LabelType::i64:
            break;
    }
    return with_scores(
        std::span<const std::int64_t>(static_cast<const std::int64_t*>(in.labels), in.n));
}

// ---- input checks (SPEC.md: what is rejected, naming the index) ----
// Labels read as the unsigned word of their size: bool and uint8 as bytes, int32 and int64 as
// 32- and 64-bit words (a negative label then shows bits other than bit 0, like any stray value).
// Reading a label through it is allowed: bool as unsigned char, the signed integers through
// their unsigned counterparts.
template <class Label>
using label_word_t = std::conditional_t<sizeof(Label) == 1, std::uint8_t,
                                        std::conditional_t<sizeof(Label) == 4, std::uint32_t, std::uint64_t>>;

template <class Label>
void check_labels(std::span<const Label> labels) {
    if constexpr (std::is_same_v<Label, bool>) {
        // A bool stored as a byte other than 0/1 (a byte buffer viewed as bool, say) has no
        // defined value: named, not read.
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(labels.data());
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (bytes[i] > 1)
                throw InvalidInput("label at index " + std::to_string(i) + " has the byte value " +
                                       std::to_string(static_cast<unsigned>(bytes[i])) +
                                       "; a bool label must be stored as 0 or 1",
                                   i);
    } else {
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] != 0 && labels[i] != 1)
                throw InvalidInput("label at index " + std::to_string(i) + " is " +
                                       std::to_string(static_cast<long long>(labels[i])) +
                                       "; labels must be 0 or 1",
                                   i);
    }
}

template <class Label, class Score>
void check(std::span<const Label> labels, std::span<const Score> scores) {
    check_labels(labels);
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isnan(scores[i]))
            throw InvalidInput("score at index " + std::to_string(i) + " is NaN", i);
}

// Calls fn(std::span<const Label>) with the real label type.
template <class Fn>
decltype(auto) visit_labels(const void* data, std::size_t n, LabelType type, Fn&& fn) {
    switch (type) {
        case LabelType::boolean: return fn(std::span<const bool>(static_cast<const bool*>(data), n));
        case LabelType::u8: return fn(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), n));
        case LabelType::i32: return fn(std::span<const std::int32_t>(static_cast<const std::int32_t*>(data), n));
        case LabelType::i64: break;
    }
    return fn(std::span<const std::int64_t>(static_cast<const std::int64_t*>(data), n));
}


// The checks folded into a pass that a path makes over the items anyway: the OR of every label's
// bits other than bit 0, and whether some score is NaN. When either is set the caller runs the
// full checks above (check, check_labels), which throw for the exact first bad item, so the
// message never depends on how the pass was split into blocks, chunks or threads.
struct InputFlags {
    std::uint64_t stray_label_bits = 0;
    bool nan = false;

    template <class Label>
    void label(Label l) noexcept { stray_label_bits |= static_cast<std::uint64_t>(l) & ~std::uint64_t{1}; }
    // The OR of some labels' bits, computed elsewhere (a vector pass, a block).
    void label_bits(std::uint64_t bits) noexcept { stray_label_bits |= bits & ~std::uint64_t{1}; }
    template <class Score>
    void score(Score x) noexcept { nan |= x != x; }
    void merge(const InputFlags& other) noexcept {
        stray_label_bits |= other.stray_label_bits;
        nan |= other.nan;
    }
    bool ok() const noexcept { return stray_label_bits == 0 && !nan; }
};

// std::length_error for n beyond the library's limit (aucrecall.hpp: max_items).
inline void check_size(std::size_t n) {
    if (n > max_items)
        throw std::length_error("input of " + std::to_string(n) + " items exceeds the library's limit of " +
                                std::to_string(max_items) + " (2^40) items");
}


}  // namespace aucrecall::detail
