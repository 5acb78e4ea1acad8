// The one input generator shared by the tests, the benchmark and the tools: named score
// distributions, a label mode, a fixed seed. The generator is our own (splitmix64) rather than
// <random>'s distributions so that a seed gives the same data with every standard library.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace aucrecall::data {

// The seed every benchmark and test uses unless told otherwise (printed by both).
inline constexpr std::uint64_t default_seed = 20220607;

enum class Dist : std::uint8_t {
    uniform,          // the study's np.random.rand(n): uniform in [0, 1)
    heavy_ties,       // {0, 0.5, 1} only
    small_ints,       // integers 0..9
    constant,         // every score equal
    two_values,       // {0.25, 0.75}
    sorted,           // uniform, then ascending
    reversed,         // uniform, then descending (already ranked)
    with_infinities,  // uniform with about a quarter +inf / -inf
    signed_zeros,     // -0.0 and 0.0 (which tie) among a few other values
    exponential,      // magnitudes spread over the whole exponent range, both signs
    denormals,        // subnormal numbers and zeros
};

inline constexpr std::array all_dists = {
    Dist::uniform,  Dist::heavy_ties, Dist::small_ints,      Dist::constant,
    Dist::two_values, Dist::sorted,   Dist::reversed,        Dist::with_infinities,
    Dist::signed_zeros, Dist::exponential, Dist::denormals,
};

constexpr std::string_view name(Dist d) noexcept {
    constexpr std::array<std::string_view, all_dists.size()> names = {
        "uniform", "heavy_ties", "small_ints", "constant", "two_values", "sorted",
        "reversed", "with_infinities", "signed_zeros", "exponential", "denormals"};
    return names[static_cast<std::size_t>(d)];
}

// Which labels are 1.
enum class Positives : std::uint8_t {
    half,  // the study's np.random.randint(0, 2, n)
    none,
    one,   // exactly one, at a random index
    all,
    rare,  // about 1 in 64
};
inline constexpr std::array all_positives = {Positives::half, Positives::none, Positives::one,
                                             Positives::all, Positives::rare};
constexpr std::string_view name(Positives p) noexcept {
    constexpr std::array<std::string_view, all_positives.size()> names = {"half", "none", "one",
                                                                          "all", "rare"};
    return names[static_cast<std::size_t>(p)];
}

// splitmix64: tiny, fast, statistically fine for test and benchmark data.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1) with 53 random bits, like NumPy's random doubles.
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    std::uint64_t below(std::uint64_t bound) noexcept {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
    }

private:
    std::uint64_t state_;
};

// Owns labels and scores. Not std::vector: std::vector<bool> has no contiguous storage.
template <class Label, class Score>
class Dataset {
public:
    explicit Dataset(std::size_t n)
        : n_(n), labels_(std::make_unique<Label[]>(n ? n : 1)),
          scores_(std::make_unique<Score[]>(n ? n : 1)) {}
    std::size_t size() const noexcept { return n_; }
    std::span<const Label> labels() const noexcept { return {labels_.get(), n_}; }
    std::span<const Score> scores() const noexcept { return {scores_.get(), n_}; }
    std::span<Label> labels() noexcept { return {labels_.get(), n_}; }
    std::span<Score> scores() noexcept { return {scores_.get(), n_}; }

private:
    std::size_t n_;
    std::unique_ptr<Label[]> labels_;
    std::unique_ptr<Score[]> scores_;
};

namespace gen_detail {
template <class Score>
Score draw(Dist dist, Rng& rng) {
    const double u = rng.unit();
    switch (dist) {
        case Dist::uniform:
        case Dist::sorted:
        case Dist::reversed:
            // Score(u) for float rounds up to 1.0 for u near 1; keep [0, 1) with 24 bits.
            if constexpr (std::is_same_v<Score, float>) return static_cast<float>(rng.next() >> 40) * 0x1.0p-24f;
            else return u;
        case Dist::heavy_ties: return static_cast<Score>(0.5 * static_cast<double>(rng.below(3)));
        case Dist::small_ints: return static_cast<Score>(rng.below(10));
        case Dist::constant: return static_cast<Score>(0.5);
        case Dist::two_values: return static_cast<Score>(rng.below(2) ? 0.75 : 0.25);
        case Dist::with_infinities: {
            const std::uint64_t pick = rng.below(8);
            if (pick == 0) return std::numeric_limits<Score>::infinity();
            if (pick == 1) return -std::numeric_limits<Score>::infinity();
            return static_cast<Score>(u);
        }
        case Dist::signed_zeros: {
            constexpr double values[] = {-0.0, 0.0, 1.0, -1.0, 0.0, -0.0};
            return static_cast<Score>(values[rng.below(6)]);
        }
        case Dist::exponential: {
            const int max_exp = std::numeric_limits<Score>::max_exponent - 2;
            const int exponent = static_cast<int>(rng.below(2 * static_cast<std::uint64_t>(max_exp))) - max_exp;
            const double magnitude = std::ldexp(0.5 + u / 2, exponent);
            return static_cast<Score>(rng.below(2) ? magnitude : -magnitude);
        }
        case Dist::denormals: {
            const Score tiny = std::numeric_limits<Score>::denorm_min();
            const std::uint64_t steps = rng.below(64);  // few values: many ties among subnormals
            return rng.below(4) == 0 ? Score(0) : static_cast<Score>(steps) * tiny;
        }
    }
    return static_cast<Score>(u);
}
}  // namespace gen_detail

// n items of distribution `dist` with labels per `positives`; the same arguments always give the
// same data. Nothing here is timed: callers generate before they measure.
template <class Label, class Score>
Dataset<Label, Score> generate(std::size_t n, Dist dist, std::uint64_t seed = default_seed,
                               Positives positives = Positives::half) {
    Dataset<Label, Score> data(n);
    Rng rng(seed ^ (static_cast<std::uint64_t>(dist) << 56) ^ (static_cast<std::uint64_t>(positives) << 48));
    auto scores = data.scores();
    auto labels = data.labels();
    for (std::size_t i = 0; i < n; ++i) scores[i] = gen_detail::draw<Score>(dist, rng);
    if (dist == Dist::sorted || dist == Dist::reversed) {
        std::sort(scores.begin(), scores.end());
        if (dist == Dist::reversed) std::reverse(scores.begin(), scores.end());
    }
    const std::size_t the_one = n ? static_cast<std::size_t>(rng.below(n)) : 0;
    for (std::size_t i = 0; i < n; ++i) {
        bool positive = false;
        switch (positives) {
            case Positives::half: positive = rng.next() >> 63; break;
            case Positives::none: positive = false; break;
            case Positives::one: positive = (i == the_one); break;
            case Positives::all: positive = true; break;
            case Positives::rare: positive = rng.below(64) == 0; break;
        }
        labels[i] = static_cast<Label>(positive);
    }
    return data;
}

// The study's fixed 5-item example: exactly 0.8 (SPEC.md).
template <class Label, class Score>
Dataset<Label, Score> study_example() {
    Dataset<Label, Score> data(5);
    constexpr int labels[] = {1, 0, 1, 1, 0};
    constexpr double scores[] = {0.9, 0.8, 0.7, 0.6, 0.5};
    for (std::size_t i = 0; i < 5; ++i) {
        data.labels()[i] = static_cast<Label>(labels[i]);
        data.scores()[i] = static_cast<Score>(scores[i]);
    }
    return data;
}

inline Dist parse_dist(std::string_view text) {
    for (Dist d : all_dists)
        if (name(d) == text) return d;
    throw std::invalid_argument("unknown distribution '" + std::string(text) + "'");
}

}  // namespace aucrecall::data
