#include "api/exact_scores.hpp"

#include "api/input.hpp"
#include "rank_sum/vqsort.hpp"

#include <algorithm>
#include <string>

namespace aucrecall::detail {

void throw_integer_scores_unconverted() {
    throw std::invalid_argument(
        "a kernel was called directly with integer scores; the kernels read float or double: "
        "call aucrecall::compute (or auc_recall), which passes integers on exactly");
}

namespace {

constexpr std::int64_t exact_limit = std::int64_t{1} << 53;  // every integer up to here is a double

// Ranks from order keys (unsigned, same order as the scores): the index of each key among the
// sorted distinct keys.
void dense_ranks(std::unique_ptr<std::uint64_t[]> keys, std::size_t n, double* out) {
    std::unique_ptr<std::uint64_t[]> sorted = std::make_unique_for_overwrite<std::uint64_t[]>(n);
    std::copy_n(keys.get(), n, sorted.get());
    sort_keys_vectorized(sorted.get(), n);
    const std::uint64_t* const begin = sorted.get();
    const std::uint64_t* const end = std::unique(sorted.get(), sorted.get() + n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<double>(std::lower_bound(begin, end, keys[i]) - begin);
}

template <class Int>
std::uint64_t order_key_of(Int v) noexcept {
    if constexpr (std::is_signed_v<Int>)
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(v)) ^ (std::uint64_t{1} << 63);
    else
        return v;
}

template <class Int>
bool within_exact_limit(Int v) noexcept {
    if constexpr (std::is_signed_v<Int>) return v >= -exact_limit && v <= exact_limit;
    else return v <= static_cast<std::uint64_t>(exact_limit);
}

template <class Int>
void convert(const Int* scores, std::size_t n, double* out, WideIntegers wide, const char* entry) {
    std::size_t first_wide = n;
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<double>(scores[i]);
        if (!within_exact_limit(scores[i]) && first_wide == n) first_wide = i;
    }
    if (first_wide == n) return;
    if (wide == WideIntegers::refuse)
        throw std::invalid_argument(
            "score at index " + std::to_string(first_wide) + " is " + std::to_string(scores[first_wide]) +
            ", beyond +-2^53: " + entry +
            " keeps scores as doubles, which would round it; the in-memory metric takes it exactly");
    std::unique_ptr<std::uint64_t[]> keys = std::make_unique_for_overwrite<std::uint64_t[]>(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = order_key_of(scores[i]);
    dense_ranks(std::move(keys), n, out);
}

}  // namespace

ExactScores::ExactScores(const Input& input, WideIntegers wide, const char* entry) : input_(input) {
    if (!integer_scores(input.score_type)) return;
    check_size(input.n);
    if (input.n != 0 && input.scores == nullptr) throw std::invalid_argument("scores are a null pointer");
    converted_ = std::make_unique_for_overwrite<double[]>(input.n);
    switch (input.score_type) {
        case ScoreType::i32:
            convert(static_cast<const std::int32_t*>(input.scores), input.n, converted_.get(), wide, entry);
            break;
        case ScoreType::i64:
            convert(static_cast<const std::int64_t*>(input.scores), input.n, converted_.get(), wide, entry);
            break;
        case ScoreType::u64:
            convert(static_cast<const std::uint64_t*>(input.scores), input.n, converted_.get(), wide, entry);
            break;
        case ScoreType::f32:
        case ScoreType::f64:
            break;
    }
    input_.scores = converted_.get();
    input_.score_type = ScoreType::f64;
}

}  // namespace aucrecall::detail
