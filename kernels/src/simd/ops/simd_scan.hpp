// The vectorised half of simd_scan, written once over xsimd's architecture tag and compiled in
// one translation unit per instruction set (simd/isa_unit.cpp.in).
//
// Everything here has internal linkage (anonymous namespace) and calls no std:: function: an
// inline function emitted in an AVX-512 translation unit must never be the copy the linker keeps
// for code that runs on a CPU without AVX-512.
#pragma once

#include "simd/entry_types.hpp"

#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

namespace aucrecall::simd_scan_detail {
namespace {

// Lane i takes lane i - Shift (lanes below Shift are masked off by keep_from_lane).
template <std::size_t Shift>
struct from_lower_lane {
    static constexpr std::uint64_t get(std::size_t i, std::size_t) { return i >= Shift ? i - Shift : 0; }
};
template <std::size_t Shift>
struct keep_from_lane {
    static constexpr bool get(std::size_t i, std::size_t) { return i >= Shift; }
};

// Inclusive prefix sum inside one register: log2(width) shift-and-add steps.
template <class Arch, std::size_t Shift = 1>
xsimd::batch<double, Arch> scan_in_register(xsimd::batch<double, Arch> x) {
    using batch = xsimd::batch<double, Arch>;
    if constexpr (Shift >= batch::size) {
        return x;
    } else {
        constexpr auto lanes =
            xsimd::make_batch_constant<xsimd::batch<std::uint64_t, Arch>, from_lower_lane<Shift>>();
        constexpr auto keep = xsimd::make_batch_bool_constant<batch, keep_from_lane<Shift>>();
        const batch shifted = xsimd::select(keep, xsimd::swizzle(x, lanes), batch(0.0));
        return scan_in_register<Arch, Shift * 2>(x + shifted);
    }
}

// In place: ranked[i] becomes the number of positives in ranks 0..i (NumPy's cumsum).
template <class Arch>
void prefix_sum(double* ranked, std::size_t n) {
    using batch = xsimd::batch<double, Arch>;
    constexpr std::size_t width = batch::size;
    batch carry(0.0);
    std::size_t i = 0;
    for (; i + width <= n; i += width) {
        const batch sums = scan_in_register<Arch>(batch::load_unaligned(ranked + i)) + carry;
        sums.store_unaligned(ranked + i);
        carry = batch(sums.get(width - 1));
    }
    double running = i ? ranked[i - 1] : 0.0;
    for (; i < n; ++i) ranked[i] = running += ranked[i];
}

// trapz(recall) / trapz(ideal) with recall = hits / P and ideal = min(1, (i + 1) / P).
// trapz(v) = sum(v) - (v[0] + v[n-1]) / 2, so both areas are one vectorised sum each.
template <class Arch>
double area_ratio(const double* hits, std::size_t n, double positives) {
    using batch = xsimd::batch<double, Arch>;
    constexpr std::size_t width = batch::size;
    const batch p(positives), one(1.0), step(static_cast<double>(width));
    alignas(64) double lane_rank[width];
    for (std::size_t j = 0; j < width; ++j) lane_rank[j] = static_cast<double>(j + 1);
    batch k = batch::load_aligned(lane_rank);  // the 1-based rank held by each lane
    batch recall_sum(0.0), ideal_sum(0.0);
    std::size_t i = 0;
    for (; i + width <= n; i += width) {
        recall_sum += batch::load_unaligned(hits + i) / p;
        ideal_sum += xsimd::min(one, k / p);
        k += step;
    }
    double recall_total = xsimd::hadd(recall_sum), ideal_total = xsimd::hadd(ideal_sum);
    for (; i < n; ++i) {
        recall_total += hits[i] / positives;
        const double ideal = static_cast<double>(i + 1) / positives;
        ideal_total += ideal < 1.0 ? ideal : 1.0;
    }
    const double ideal_last = static_cast<double>(n) / positives;
    const double recall_area = recall_total - (hits[0] + hits[n - 1]) / positives / 2;
    const double ideal_area =
        ideal_total - ((1.0 / positives < 1.0 ? 1.0 / positives : 1.0) +
                       (ideal_last < 1.0 ? ideal_last : 1.0)) / 2;
    return recall_area / ideal_area;
}

template <class Arch>
double curves(double* ranked, std::size_t n, double positives) {
    prefix_sum<Arch>(ranked, n);
    return area_ratio<Arch>(ranked, n, positives);
}

}  // namespace
}  // namespace aucrecall::simd_scan_detail
