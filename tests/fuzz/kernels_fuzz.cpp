// libFuzzer target: differential testing of every registry kernel against the exact reference.
//
// The bytes become one input: byte 0 picks the label type, the score type, the tie policy and
// how scores are made; every following pair of bytes is one item (a label bit and a score). Score
// bytes index a small pool of values full of ties, signed zeros and infinities, or, in raw mode,
// eight bytes make one double (NaN replaced: the reference rejects it, as does validate()). Every
// kernel, and the public entry point with its default kernel, must meet SPEC.md's accuracy rule
// against tests/reference.hpp (exact rationals); anything else aborts (a finding).
// Bits 5-7 of byte 0 (c, 0..7) add the per-query entry points: with c > 0, a cutoff
// K = 1 + (last byte mod (n + 2)) through every kernel's run_at and compute(), the labels as a
// ranked list, and groups keyed i mod c (interleaved rows), each group against the reference.
// The ranked scan runs once per instruction set the CPU supports (its per-ISA code), and
// radix_rank also with its concentrated-data switch off (its bucket path on tied data).
// Raw mode with the float32 bit set makes the eight bytes one int64 score instead: compute()
// naming each kernel, at K and grouped, against the reference on the integers themselves (a
// path through rounded doubles would tie neighbours above 2^53).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/testing_hooks.hpp"
#include "accuracy.hpp"
#include "aucrecall/aucrecall.hpp"
#include "reference.hpp"

namespace {

// Inputs longer than this add time per execution, not new behaviour (kernels switch paths at
// 16 and 256 items; the quadratic naive_loop stays fast).
constexpr std::size_t max_items = 600;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double pool[] = {-inf, -1e300, -2.5, -1.0, -0.0, 0.0, 1e-310, 0.25,
                           0.5, 0.5000000000000001, 1.0, 3.0, 1e300, inf};

// The fuzz bytes as typed arrays (not std::vector: vector<bool> has no contiguous storage),
// built once per execution for both checks.
template <class Label, class Score>
struct Typed {
    std::size_t n;
    std::unique_ptr<Label[]> labels;
    std::unique_ptr<Score[]> scores;
    Typed(const std::vector<std::uint8_t>& bits, const std::vector<double>& values)
        : n(values.size()), labels(std::make_unique<Label[]>(n)), scores(std::make_unique<Score[]>(n)) {
        for (std::size_t i = 0; i < n; ++i) {
            labels[i] = static_cast<Label>(bits[i]);
            scores[i] = static_cast<Score>(values[i]);
        }
    }
    std::span<const Label> l() const { return {labels.get(), n}; }
    std::span<const Score> s() const { return {scores.get(), n}; }
};

// Kernels whose cost grows as n^2 (the study's naive loop: O(n) work per rank) run on inputs up
// to this size only: its code has no path that switches with n, and at 600 items it took most
// of each execution (230 executions per second with it, see the closing note of issue 11).
constexpr std::size_t quadratic_max_items = 64;
bool affordable(const aucrecall::Kernel& kernel, std::size_t n) {
    const bool quadratic = kernel.max_practical_n < aucrecall::max_items;  // the study baseline
    return n <= (quadratic ? quadratic_max_items : kernel.max_practical_n);
}

template <class Label, class Score>
void check(const Typed<Label, Score>& typed, aucrecall::Ties ties) {
    const std::size_t n = typed.n;
    const std::span<const Label> l = typed.l();
    const std::span<const Score> s = typed.s();
    const double expected = reference::metric<Label, Score>(l, s, ties);
    const aucrecall::Input input = aucrecall::make_input<Label, Score>(l, s);
    aucrecall::validate(input);
    auto fail = [&](std::string_view kernel, double got) {
        std::fprintf(stderr, "kernels_fuzz: %.*s gave %.17g (%a), reference %.17g (%a); n=%zu ties=%s\n",
                     static_cast<int>(kernel.size()), kernel.data(), got, got, expected, expected,
                     n, std::string(aucrecall::to_string(ties)).c_str());
        std::abort();
    };
    for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
        if (!affordable(kernel, n)) continue;
        const double got = kernel.run(input, ties);
        if (!kernel_checks::within_accuracy(kernel, got, expected)) fail(kernel.name, got);
    }
    {  // radix_rank's bucket path even where it would hand the data to keysort's method
        const unsigned limit = aucrecall::testing::set_radix_concentration_limit(0);
        const aucrecall::Kernel& radix = *aucrecall::find_kernel("radix_rank");
        const double got = radix.run(input, ties);
        aucrecall::testing::set_radix_concentration_limit(limit);
        if (!kernel_checks::within_accuracy(radix, got, expected)) fail("radix_rank (concentrated-data switch off)", got);
    }
    const aucrecall::Kernel& chosen = aucrecall::default_kernel(input);
    const double got = aucrecall::compute(input, {.kernel = {}, .ties = ties});
    if (!kernel_checks::within_accuracy(chosen, got, expected)) fail("compute()", got);
}

// Cutoff, ranked and grouped entry points (see the top of the file).
template <class Label, class Score>
void check_per_query(const Typed<Label, Score>& typed, aucrecall::Ties ties, std::uint64_t k,
                     unsigned group_count) {
    const std::size_t n = typed.n;
    const Label* const labels = typed.labels.get();
    const Score* const scores = typed.scores.get();
    const std::span<const Label> l = typed.l();
    const std::span<const Score> s = typed.s();
    const aucrecall::Input input = aucrecall::make_input<Label, Score>(l, s);
    auto fail = [&](const std::string& what, double got, double want) {
        std::fprintf(stderr, "kernels_fuzz: %s gave %.17g (%a), reference %.17g (%a); n=%zu k=%llu ties=%s\n",
                     what.c_str(), got, got, want, want, n, static_cast<unsigned long long>(k),
                     std::string(aucrecall::to_string(ties)).c_str());
        std::abort();
    };
    const double expected = reference::metric_at<Label, Score>(l, s, ties, k);
    for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
        if (!affordable(kernel, n)) continue;
        const double got = kernel.run_at(input, ties, k);
        if (!kernel_checks::within_accuracy(kernel, got, expected)) fail(std::string(kernel.name) + " at k", got, expected);
    }
    const double by_default = aucrecall::compute(input, {.ties = ties, .k = k});
    if (!(std::isnan(expected) ? std::isnan(by_default) : by_default == expected))
        fail("compute() at k", by_default, expected);
    const double ranked_expected = reference::to_double(reference::exact_ranked(l, k));
    const std::string active(aucrecall::simd_isa_active());
    for (std::string_view isa : aucrecall::simd_isas_supported()) {
        aucrecall::force_simd_isa(isa);
        const double ranked = aucrecall::compute_ranked({labels, n, aucrecall::label_type_of<Label>()}, k);
        if (!(std::isnan(ranked_expected) ? std::isnan(ranked) : ranked == ranked_expected))
            fail("compute_ranked() with " + std::string(isa), ranked, ranked_expected);
    }
    aucrecall::force_simd_isa(active);
    // Groups keyed i mod group_count: every group's rows interleaved with the others'.
    std::vector<std::uint16_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = static_cast<std::uint16_t>(i % group_count);
    const aucrecall::GroupOptions options{.ties = ties, .k = k};
    const auto grouped = aucrecall::compute_grouped({input, keys.data(), aucrecall::GroupKeyType::u16}, options);
    if (grouped.values.size() != std::min<std::size_t>(n, group_count)) fail("group count", 0, 0);
    for (std::size_t g = 0; g < grouped.values.size(); ++g) {
        const auto gl = std::make_unique<Label[]>(n);  // not std::vector: vector<bool>
        const auto gs = std::make_unique<Score[]>(n);
        std::size_t m = 0;
        for (std::size_t i = g; i < n; i += group_count, ++m) gl[m] = labels[i], gs[m] = scores[i];
        const double want = reference::metric_at<Label, Score>(std::span<const Label>(gl.get(), m),
                                                                std::span<const Score>(gs.get(), m), ties, k);
        const double got = grouped.values[g];
        if (!(std::isnan(want) ? std::isnan(got) : got == want)) fail("group " + std::to_string(g), got, want);
    }
}

void check_integer_scores(const std::vector<std::uint8_t>& bits, const std::vector<std::int64_t>& scores,
                          aucrecall::Ties ties, std::uint64_t k) {
    const std::size_t n = scores.size();
    const std::vector<std::int64_t> labels(bits.begin(), bits.end());
    const aucrecall::Input input = aucrecall::make_input<std::int64_t, std::int64_t>(labels, scores);
    auto fail = [&](const std::string& what, double got, double want) {
        std::fprintf(stderr, "kernels_fuzz (int64 scores): %s gave %.17g, reference %.17g; n=%zu ties=%s\n",
                     what.c_str(), got, want, n, std::string(aucrecall::to_string(ties)).c_str());
        std::abort();
    };
    const double expected = reference::metric<std::int64_t, std::int64_t>(labels, scores, ties);
    for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
        if (!affordable(kernel, n)) continue;
        const double got = aucrecall::compute(input, {.kernel = kernel.name, .ties = ties});
        if (!kernel_checks::within_accuracy(kernel, got, expected)) fail(std::string(kernel.name), got, expected);
    }
    const aucrecall::Kernel& chosen = aucrecall::default_kernel(input);
    const double at_k = aucrecall::compute(input, {.ties = ties, .k = k});
    const double want_at_k = reference::metric_at<std::int64_t, std::int64_t>(labels, scores, ties, k);
    if (!kernel_checks::within_accuracy(chosen, at_k, want_at_k)) fail("compute() at K", at_k, want_at_k);
    std::vector<std::uint8_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = static_cast<std::uint8_t>(i % 3);
    const aucrecall::GroupSummary grouped =
        aucrecall::compute_grouped({input, keys.data(), aucrecall::GroupKeyType::u8}, {.ties = ties});
    for (std::size_t g = 0; g < grouped.values.size(); ++g) {
        std::vector<std::int64_t> gl, gs;
        for (std::size_t i = g; i < n; i += 3) gl.push_back(labels[i]), gs.push_back(scores[i]);
        const double want = reference::metric<std::int64_t, std::int64_t>(gl, gs, ties);
        if (!kernel_checks::within_accuracy(chosen, grouped.values[g], want))
            fail("compute_grouped group " + std::to_string(g), grouped.values[g], want);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    const auto ties = (mode & 1) ? aucrecall::Ties::stable : aucrecall::Ties::average;
    const bool raw_doubles = (mode >> 3) & 1;
    std::vector<std::uint8_t> bits;
    std::vector<double> values;
    const bool raw_integers = raw_doubles && ((mode >> 4) & 1);
    std::vector<std::int64_t> integers;
    for (std::size_t at = 1; at < size && bits.size() < max_items;) {
        bits.push_back(data[at++] & 1);
        double value = 0;
        if (raw_integers) {
            std::uint8_t bytes[8] = {};
            for (std::size_t k = 0; k < 8 && at < size; ++k) bytes[k] = data[at++];
            std::int64_t integer = 0;
            std::memcpy(&integer, bytes, sizeof integer);
            integers.push_back(integer);
            continue;
        }
        if (raw_doubles) {
            std::uint8_t bytes[8] = {};
            for (std::size_t k = 0; k < 8 && at < size; ++k) bytes[k] = data[at++];
            std::memcpy(&value, bytes, sizeof value);
            if (std::isnan(value)) value = 0.0;
        } else if (at < size) {
            value = pool[data[at++] % std::size(pool)];
        }
        values.push_back(value);
    }
    const int label_type = (mode >> 1) & 3;
    const bool f32 = (mode >> 4) & 1;
    const unsigned per_query = mode >> 5;
    const std::uint64_t k = 1 + data[size - 1] % (bits.size() + 2);
    if (raw_integers) {
        check_integer_scores(bits, integers, ties, k);
        return 0;
    }
    auto run = [&](auto label_tag) {
        using Label = typename decltype(label_tag)::type;
        auto both = [&](auto score_tag) {
            using Score = typename decltype(score_tag)::type;
            const Typed<Label, Score> typed(bits, values);
            check(typed, ties);
            if (per_query != 0) check_per_query(typed, ties, k, per_query);
        };
        if (f32) both(std::type_identity<float>{});
        else both(std::type_identity<double>{});
    };
    switch (label_type) {
        case 0: run(std::type_identity<bool>{}); break;
        case 1: run(std::type_identity<std::uint8_t>{}); break;
        case 2: run(std::type_identity<std::int32_t>{}); break;
        default: run(std::type_identity<std::int64_t>{}); break;
    }
    return 0;
}
