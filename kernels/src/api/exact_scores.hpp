// Integer scores as doubles that order and tie exactly as the integers do, so every kernel
// (written for float and double) computes the exact metric of integer scores. Internal.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <memory>

namespace aucrecall::detail {

// Every integer within +-2^53 is a double: those scores convert one to one. Wider int64 or
// uint64 values would round into false ties there, so they become their dense rank instead
// (rank 0 = the lowest value): order and ties kept, one sort of the n keys.
enum class WideIntegers : std::uint8_t {
    rank,    // one call sees every score (compute, groups): ranks keep the metric exact
    refuse,  // counts that meet other calls' counts (summaries, partitions) need the values
             // themselves: std::invalid_argument naming the first wide score and `entry`
};

class ExactScores {
public:
    // `input` unchanged when its scores are floats; otherwise a copy of the scores as doubles.
    ExactScores(const Input& input, WideIntegers wide, const char* entry);
    const Input& input() const noexcept { return input_; }

private:
    std::unique_ptr<double[]> converted_;
    Input input_;
};

}  // namespace aucrecall::detail
