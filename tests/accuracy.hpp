// SPEC.md "Accuracy" as code, without GoogleTest: which kernels may drift by how much from the
// correctly rounded reference. Shared by the GoogleTest checks (kernel_checks.hpp) and the fuzz
// targets (tests/fuzz/), so both accept exactly the same results.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "aucrecall/aucrecall.hpp"

namespace kernel_checks {

using aucrecall::Kernel;

// Distance between two doubles in units in the last place: the number of representable doubles
// between them (0 for equal values; +0.0 and -0.0 are equal). Both must be non-NaN.
inline std::uint64_t ulp_distance(double a, double b) noexcept {
    // Map the sign-magnitude bit pattern onto a monotonic unsigned scale.
    auto ordered = [](double x) {
        const auto bits = std::bit_cast<std::uint64_t>(x);
        return (bits >> 63) ? (std::uint64_t{1} << 63) - (bits & ~(std::uint64_t{1} << 63))
                            : (std::uint64_t{1} << 63) + bits;
    };
    const std::uint64_t x = ordered(a), y = ordered(b);
    return x > y ? x - y : y - x;
}

// SPEC.md "Accuracy": kernels that build the recall curve in floating point may drift by 1e-9
// relative; kernels that use the rank-sum identity round once (4 ulps leaves room for the
// long-double path that the identity takes once its integers exceed 2^53).
inline bool is_curve_based(const Kernel& kernel) noexcept {
    return kernel.name == "naive_loop" || kernel.name == "stl" || kernel.name == "simd_scan";
}
inline constexpr double curve_relative_tolerance = 1e-9;
inline constexpr std::uint64_t identity_max_ulps = 4;

// Does `got` (from `kernel`) meet the accuracy rule against `expected`? NaN exactly when the
// reference is NaN.
inline bool within_accuracy(const Kernel& kernel, double got, double expected) noexcept {
    if (std::isnan(expected) || std::isnan(got)) return std::isnan(expected) && std::isnan(got);
    if (is_curve_based(kernel))
        return std::fabs(got - expected) <= curve_relative_tolerance * std::fabs(expected);
    return ulp_distance(got, expected) <= identity_max_ulps;
}

}  // namespace kernel_checks
