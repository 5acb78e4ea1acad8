// libFuzzer target: differential testing of every registry kernel against the exact reference.
//
// The bytes become one input: byte 0 picks the label type, the score type, the tie policy and
// how scores are made; every following pair of bytes is one item (a label bit and a score). Score
// bytes index a small pool of values full of ties, signed zeros and infinities, or, in raw mode,
// eight bytes make one double (NaN replaced: the reference rejects it, as does validate()). Every
// kernel, and the public entry point with its default kernel, must meet SPEC.md's accuracy rule
// against tests/reference.hpp (exact rationals); anything else aborts (a finding).
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

template <class Label, class Score>
void check(const std::vector<std::uint8_t>& bits, const std::vector<double>& values,
           aucrecall::Ties ties) {
    // Arrays, not vectors: std::vector<bool> has no contiguous storage.
    const std::size_t n = values.size();
    const auto labels = std::make_unique<Label[]>(n);
    const auto scores = std::make_unique<Score[]>(n);
    for (std::size_t i = 0; i < n; ++i) {
        labels[i] = static_cast<Label>(bits[i]);
        scores[i] = static_cast<Score>(values[i]);
    }
    const std::span<const Label> l(labels.get(), n);
    const std::span<const Score> s(scores.get(), n);
    const double expected = reference::metric<Label, Score>(l, s, ties);
    const aucrecall::Input input = aucrecall::make_input<Label, Score>(l, s);
    aucrecall::validate(input);
    auto fail = [&](std::string_view kernel, double got) {
        std::fprintf(stderr, "kernels_fuzz: %.*s gave %.17g (%a), reference %.17g (%a); n=%zu ties=%s\n",
                     static_cast<int>(kernel.size()), kernel.data(), got, got, expected, expected,
                     values.size(), std::string(aucrecall::to_string(ties)).c_str());
        std::abort();
    };
    for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
        if (values.size() > kernel.max_practical_n) continue;
        const double got = kernel.run(input, ties);
        if (!kernel_checks::within_accuracy(kernel, got, expected)) fail(kernel.name, got);
    }
    const aucrecall::Kernel& chosen = aucrecall::default_kernel(input);
    const double got = aucrecall::compute(input, {.kernel = {}, .ties = ties});
    if (!kernel_checks::within_accuracy(chosen, got, expected)) fail("compute()", got);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    const auto ties = (mode & 1) ? aucrecall::Ties::stable : aucrecall::Ties::average;
    const bool raw_doubles = (mode >> 3) & 1;
    std::vector<std::uint8_t> bits;
    std::vector<double> values;
    for (std::size_t at = 1; at < size && bits.size() < max_items;) {
        bits.push_back(data[at++] & 1);
        double value = 0;
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
    auto run = [&](auto label_tag) {
        using Label = typename decltype(label_tag)::type;
        if (f32) check<Label, float>(bits, values, ties);
        else check<Label, double>(bits, values, ties);
    };
    switch (label_type) {
        case 0: run(std::type_identity<bool>{}); break;
        case 1: run(std::type_identity<std::uint8_t>{}); break;
        case 2: run(std::type_identity<std::int32_t>{}); break;
        default: run(std::type_identity<std::int64_t>{}); break;
    }
    return 0;
}
