// The stl data flow with its O(n) part vectorised: ranking and tie shares are computed here
// (baseline instruction set); prefix sum, recall, ideal and areas run in the per-instruction-set
// translation units, the one picked by simd_dispatch (simd/entries.hpp).
#include "api/input.hpp"
#include "kernels/ranking.hpp"
#include "rank_sum/identity.hpp"
#include "api/kernel_record.hpp"
#include "kernels/curve_kernel.hpp"
#include "runtime/phase_timer.hpp"
#include "simd/entries.hpp"

namespace aucrecall::simd_scan_detail {
namespace {

// m: the curves' length (the cutoff); n for the full metric. The curve functions read ranks
// 0..m-1 only; tie shares are spread over whole groups first.
struct SimdScanCurves {
    template <class Label, class Score>
    double operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties, std::size_t m,
                      std::uint64_t positives) const {
        const std::size_t n = scores.size();
        const auto curves = detail::use_active_entries().curves;
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
};

}  // namespace
}  // namespace aucrecall::simd_scan_detail

namespace aucrecall::kernel_impl {

double simd_scan(const Input& input, Ties ties) { return CurveKernel<simd_scan_detail::SimdScanCurves>::run(input, ties); }
double simd_scan_at(const Input& input, Ties ties, std::uint64_t k) {
    return CurveKernel<simd_scan_detail::SimdScanCurves>::run_at(input, ties, k);
}

}  // namespace aucrecall::kernel_impl
