// The stl data flow with its O(n) part vectorised: ranking and tie shares are computed here
// (baseline instruction set); prefix sum, recall, ideal and areas run in the per-instruction-set
// translation units, the one picked by simd_dispatch.
#include "detail.hpp"
#include "kernel_list.hpp"
#include "phase_timer.hpp"
#include "simd_dispatch.hpp"

#include <array>

namespace aucrecall::simd_scan_detail {
// One per line of the dispatch table (generated from simd_isa.cpp.in).
#define AUCRECALL_ISA(name, arch, flags, features) \
    double curves_##name(double* ranked, std::size_t n, double positives);
#include "isa_table.def"
#undef AUCRECALL_ISA

namespace {
// The same computation without SIMD: the fallback and the yardstick for the vector versions.
double curves_scalar(double* ranked, std::size_t n, double positives) {
    for (std::size_t i = 1; i < n; ++i) ranked[i] += ranked[i - 1];
    double recall_total = 0, ideal_total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        recall_total += ranked[i] / positives;
        ideal_total += std::min(1.0, static_cast<double>(i + 1) / positives);
    }
    const double recall_area = recall_total - (ranked[0] + ranked[n - 1]) / positives / 2;
    const double ideal_area = ideal_total - (std::min(1.0, 1.0 / positives) +
                                             std::min(1.0, static_cast<double>(n) / positives)) / 2;
    return recall_area / ideal_area;
}

using CurvesFn = double (*)(double*, std::size_t, double);
constexpr std::array<CurvesFn, detail::isa_count> by_isa = {
    curves_scalar,
#define AUCRECALL_ISA(name, arch, flags, features) curves_##name,
#include "isa_table.def"
#undef AUCRECALL_ISA
};

// m: the curves' length (the cutoff); n for the full metric. The curve functions read ranks
// 0..m-1 only; tie shares are spread over whole groups first.
template <class Label, class Score>
double run(std::span<const Label> labels, std::span<const Score> scores, Ties ties, std::size_t m) {
    const std::size_t n = scores.size();
    detail::phase_start();
    const std::uint64_t positives = detail::count_positives(labels);
    if (positives == 0 || m < 2) return detail::undefined();
    const detail::Isa isa = detail::active_isa();
    const CurvesFn curves = by_isa[static_cast<std::size_t>(isa)];
    detail::note_isa_used(isa);

    detail::phase_end("stats");
    const std::vector<std::uint64_t> order = detail::argsort_descending(scores, ties);
    detail::phase_end("rank");

    std::vector<double> ranked(n);
    for (std::size_t i = 0; i < n; ++i) ranked[i] = static_cast<double>(labels[order[i]]);
    if (ties == Ties::average) {
        for (std::size_t a = 0; a < n;) {
            std::size_t b = a + 1;
            double group_positives = ranked[a];
            for (; b < n && scores[order[b]] == scores[order[a]]; ++b) group_positives += ranked[b];
            if (b - a > 1)
                std::fill(ranked.begin() + static_cast<std::ptrdiff_t>(a),
                          ranked.begin() + static_cast<std::ptrdiff_t>(b),
                          group_positives / static_cast<double>(b - a));
            a = b;
        }
    }
    detail::phase_end("gather");
    const double metric = curves(ranked.data(), m, static_cast<double>(positives));
    detail::phase_end("curves");
    return metric;
}

}  // namespace
}  // namespace aucrecall::simd_scan_detail

namespace aucrecall::kernel_impl {
double simd_scan(const Input& input, Ties ties) { return simd_scan_at(input, ties, 0); }

double simd_scan_at(const Input& input, Ties ties, std::uint64_t k) {
    const std::size_t m = k == 0 ? input.n : std::min<std::uint64_t>(k, input.n);
    return detail::visit(input, [ties, m](auto labels, auto scores) {
        return simd_scan_detail::run(labels, scores, ties, m);
    });
}

}  // namespace aucrecall::kernel_impl
