// The two functions of a curve kernel (naive_loop, stl, simd_scan: the article's method of
// building the recall and ideal curves), written once. A kernel is a function object
//   double operator()(std::span<const Label>, std::span<const Score>, Ties, std::size_t m,
//                     std::uint64_t positives) const
// that builds curves of length m (the cutoff; n for the full metric) for an input with at least
// one positive and m >= 2; the common first phase (P, and NaN where the metric is undefined)
// is done here.
#pragma once

#include "api/input.hpp"
#include "rank_sum/identity.hpp"
#include "runtime/phase_timer.hpp"

#include <algorithm>
#include <cstdint>

namespace aucrecall::kernel_impl {

template <class TypedCurves>
struct CurveKernel {
    static double run_at(const Input& input, Ties ties, std::uint64_t k) {
        const std::size_t m = k == 0 ? input.n : std::min<std::uint64_t>(k, input.n);
        return detail::visit(input, [ties, m](auto labels, auto scores) {
            detail::phase_start();
            const std::uint64_t positives = detail::count_positives(labels);
            if (positives == 0 || m < 2) return detail::undefined();
            detail::phase_end("stats");
            return TypedCurves{}(labels, scores, ties, m, positives);
        });
    }
    static double run(const Input& input, Ties ties) { return run_at(input, ties, 0); }
};

}  // namespace aucrecall::kernel_impl
