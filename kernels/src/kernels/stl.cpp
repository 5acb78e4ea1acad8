// The NumPy-shaped data flow with standard algorithms only: argsort, gather, cumsum, recall and
// ideal arrays, trapezoid areas. It materialises every intermediate array, as NumPy does.
#include "api/input.hpp"
#include "kernels/ranking.hpp"
#include "rank_sum/identity.hpp"
#include "api/kernel_record.hpp"
#include "kernels/curve_kernel.hpp"
#include "runtime/phase_timer.hpp"

#include <functional>

namespace aucrecall::kernel_impl {
namespace {

// m: the curves' length (the cutoff, SPEC.md "Cutoff K"); n for the full metric. Tie shares are
// computed over whole groups, so a group cut by the cutoff keeps its expected share per rank.
struct StlCurves {
    template <class Label, class Score>
    double operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties, std::size_t m,
                      std::uint64_t positives) const {
        const std::size_t n = scores.size();

        const std::vector<std::uint64_t> order = detail::argsort_descending(scores, ties);
        detail::phase_end("rank");

        // ranking = labels[order]
        std::vector<double> ranked(n);
        std::transform(order.begin(), order.end(), ranked.begin(),
                       [&](std::uint64_t i) { return static_cast<double>(labels[i]); });

        if (ties == Ties::average) {
            // Each rank of a tie group holds the group's expected share of positives.
            auto a = order.begin();
            while (a != order.end()) {
                auto b = std::find_if(a, order.end(),
                                      [&](std::uint64_t i) { return scores[i] != scores[*a]; });
                auto first = ranked.begin() + (a - order.begin());
                auto last = ranked.begin() + (b - order.begin());
                const double share = std::reduce(first, last, 0.0) / static_cast<double>(last - first);
                std::fill(first, last, share);
                a = b;
            }
        }

        std::vector<double> hits(m);
        std::inclusive_scan(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(m), hits.begin());

        const double p = static_cast<double>(positives);
        std::vector<double> recall(m);
        std::transform(hits.begin(), hits.end(), recall.begin(), [p](double h) { return h / p; });

        std::vector<double> ideal(m);
        std::iota(ideal.begin(), ideal.end(), 1.0);
        std::transform(ideal.begin(), ideal.end(), ideal.begin(),
                       [p](double k) { return std::min(1.0, k / p); });

        auto trapz = [](const std::vector<double>& v) {
            return std::transform_reduce(v.begin(), v.end() - 1, v.begin() + 1, 0.0, std::plus<>(),
                                         [](double left, double right) { return (left + right) / 2; });
        };
        const double metric = trapz(recall) / trapz(ideal);
        detail::phase_end("scan");
        return metric;
    }
};

}  // namespace

double stl(const Input& input, Ties ties) { return CurveKernel<StlCurves>::run(input, ties); }
double stl_at(const Input& input, Ties ties, std::uint64_t k) { return CurveKernel<StlCurves>::run_at(input, ties, k); }

}  // namespace aucrecall::kernel_impl
