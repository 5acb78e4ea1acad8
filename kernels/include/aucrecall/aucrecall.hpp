// aucrecall: AUC-Recall@k over the full ranking (k = 1..n), as defined in SPEC.md.
//
// One public header. Typical use:
//
//   std::vector<int64_t> labels = {1, 0, 1, 1, 0};
//   std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
//   double m = aucrecall::auc_recall<int64_t, double>(labels, scores);  // 0.8
//
// Every kernel computes the same value; they differ only in technique and speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aucrecall {

// How scores that compare equal are ranked (SPEC.md, "Ties").
enum class Ties : std::uint8_t {
    average,  // mean over every ranking consistent with the scores; order-independent
    stable,   // ties keep input order: numpy.argsort(-scores, kind="stable")
};

std::string_view to_string(Ties ties) noexcept;
// Parses "average" or "stable"; throws std::invalid_argument otherwise.
Ties parse_ties(std::string_view text);

enum class LabelType : std::uint8_t { boolean, u8, i32, i64 };
enum class ScoreType : std::uint8_t { f32, f64 };

template <class T> inline constexpr bool is_label_type_v =
    std::is_same_v<T, bool> || std::is_same_v<T, std::uint8_t> ||
    std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>;
template <class T> inline constexpr bool is_score_type_v =
    std::is_same_v<T, float> || std::is_same_v<T, double>;

template <class T> constexpr LabelType label_type_of() noexcept {
    static_assert(is_label_type_v<T>, "labels must be bool, uint8_t, int32_t or int64_t");
    if constexpr (std::is_same_v<T, bool>) return LabelType::boolean;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return LabelType::u8;
    else if constexpr (std::is_same_v<T, std::int32_t>) return LabelType::i32;
    else return LabelType::i64;
}
template <class T> constexpr ScoreType score_type_of() noexcept {
    static_assert(is_score_type_v<T>, "scores must be float or double");
    if constexpr (std::is_same_v<T, float>) return ScoreType::f32;
    else return ScoreType::f64;
}

// A type-erased view of one input. Kernels all take this (plus the tie policy) so that a
// single registry can hold them; the typed entry point below builds it.
struct Input {
    const void* labels = nullptr;
    const void* scores = nullptr;
    std::size_t n = 0;
    LabelType label_type = LabelType::i64;
    ScoreType score_type = ScoreType::f64;
};

template <class Label, class Score>
Input make_input(std::span<const Label> labels, std::span<const Score> scores) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("labels and scores differ in length: " +
                                    std::to_string(labels.size()) + " labels, " +
                                    std::to_string(scores.size()) + " scores");
    return Input{labels.data(), scores.data(), labels.size(), label_type_of<Label>(),
                 score_type_of<Score>()};
}

// Thrown for input the metric is not defined on. `index()` is the offending item.
class InvalidInput : public std::invalid_argument {
public:
    InvalidInput(const std::string& what, std::size_t index)
        : std::invalid_argument(what), index_(index) {}
    std::size_t index() const noexcept { return index_; }

private:
    std::size_t index_;
};

// Checks what SPEC.md rejects: a NaN score or a label other than 0/1 (lengths are checked by
// make_input). Throws InvalidInput naming the first offending index.
void validate(const Input& input);

// A kernel: computes the metric of an already validated input.
using KernelFn = double (*)(const Input&, Ties);

struct Kernel {
    std::string_view name;
    std::string_view description;
    KernelFn run;
    // Largest n the benchmark and the big-size tests use it for (the O(n^2) study baseline stops early).
    std::size_t max_practical_n;
    // True when the kernel's hot loop goes through the per-instruction-set dispatch below.
    bool uses_simd_dispatch;
    // Runs only the kernel's ranking phase (its sort) and returns a value derived from it so the
    // work cannot be optimised away; the benchmark's phase breakdown times it against run().
    // nullptr for kernels without a separate ranking phase.
    KernelFn rank_only;
    // True when the kernel splits one call over several threads (count: AUCRECALL_THREADS, else
    // the hardware's); the benchmark's thread-scaling rows are made for these.
    bool multithreaded = false;
};

// The registry: the only list of kernels in the code base.
std::span<const Kernel> kernels() noexcept;
// nullptr when no kernel has that name.
const Kernel* find_kernel(std::string_view name) noexcept;
// The kernel the library uses when none is named: the fastest correct one for this input.
const Kernel& default_kernel(const Input& input) noexcept;

struct Options {
    std::string_view kernel;  // empty: default_kernel()
    Ties ties = Ties::average;
};

// Validates, picks the kernel, runs it. NaN when the metric is undefined (no positive, n < 2).
// Throws InvalidInput for bad data and std::invalid_argument for an unknown kernel name.
double compute(const Input& input, const Options& options = {});

// Any contiguous containers or spans: std::vector, std::array, std::span, C arrays.
// (std::vector<bool> is not contiguous: pass bool labels as a span or array.)
template <std::ranges::contiguous_range Labels, std::ranges::contiguous_range Scores>
double auc_recall(const Labels& labels, const Scores& scores, const Options& options = {}) {
    using Label = std::remove_cv_t<std::ranges::range_value_t<Labels>>;
    using Score = std::remove_cv_t<std::ranges::range_value_t<Scores>>;
    return compute(make_input(std::span<const Label>(std::ranges::data(labels), std::ranges::size(labels)),
                              std::span<const Score>(std::ranges::data(scores), std::ranges::size(scores))),
                   options);
}

// ---- SIMD instruction sets -------------------------------------------------------------------
// SIMD kernels are compiled once per x86-64 instruction set; the best one the CPU supports is
// chosen at start-up. The environment variable AUCRECALL_ARCH (scalar, sse2, sse4_2, avx2,
// avx512) forces one; an unknown or unsupported value makes the first SIMD call throw.

// Every instruction set compiled in, best last ("scalar" first).
std::span<const std::string_view> simd_isas_compiled() noexcept;
// Those of simd_isas_compiled() this CPU can run.
std::vector<std::string_view> simd_isas_supported();
// The instruction set SIMD kernels use now. Throws std::runtime_error if AUCRECALL_ARCH is invalid.
std::string_view simd_isa_active();
// Forces an instruction set for this process (overrides AUCRECALL_ARCH). Throws
// std::invalid_argument naming the value if it is unknown or the CPU cannot run it.
void force_simd_isa(std::string_view isa);
// The instruction set whose code the last SIMD kernel call on this thread ran ("" before any):
// lets tests and tools prove that a forced instruction set is the one that ran.
std::string_view simd_isa_last_used() noexcept;

// ---- scratch memory ---------------------------------------------------------------------------
// The rank-sum kernels keep their large work arrays (up to 3 blocks of at most 256 MiB each) per
// thread between calls: allocating them afresh costs page faults on every call (measured ~40% of
// radix_rank at n = 100000). After a very large call that is up to 16 bytes per item kept; a
// caller that is done can hand it back.
// Bytes of scratch memory the calling thread keeps between calls.
std::size_t scratch_bytes() noexcept;
// Frees the calling thread's kept scratch memory and returns free heap pages to the system
// (glibc's malloc_trim); the next large call allocates it again.
void release_scratch() noexcept;

// Library version string.
std::string_view version() noexcept;

}  // namespace aucrecall
