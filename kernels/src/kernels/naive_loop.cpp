// The study's baseline in C++: rank the items, then for every k recount the positives among the
// first k ranks from scratch. O(n^2) on purpose: it is the slow reference point of the study.
#include "api/input.hpp"
#include "kernels/ranking.hpp"
#include "rank_sum/identity.hpp"
#include "api/kernel_record.hpp"
#include "kernels/curve_kernel.hpp"
#include "runtime/phase_timer.hpp"

namespace aucrecall::kernel_impl {
namespace {

// m: the curves' length (the cutoff, SPEC.md "Cutoff K"); n for the full metric.
struct NaiveLoopCurves {
    template <class Label, class Score>
    double operator()(std::span<const Label> labels, std::span<const Score> scores, Ties ties, std::size_t m,
                      std::uint64_t positives) const {
        const std::size_t n = scores.size();

        const std::vector<std::uint64_t> order = detail::rank_order(scores);
        detail::phase_end("rank");
        std::vector<double> recall(m), ideal(m);
        const double p = static_cast<double>(positives);

        if (ties == Ties::stable) {
            std::vector<std::int64_t> ranked(n);
            for (std::size_t i = 0; i < n; ++i) ranked[i] = static_cast<std::int64_t>(labels[order[i]]);
            for (std::size_t k = 1; k <= m; ++k) {
                std::int64_t hits = 0;
                for (std::size_t j = 0; j < k; ++j) hits += ranked[j];
                recall[k - 1] = static_cast<double>(hits) / p;
            }
        } else {
            // Under `average` every order inside a tie group is equally likely, so each rank of a
            // group holds, in expectation, the group's share of positives.
            std::vector<double> ranked(n);
            for (std::size_t a = 0; a < n;) {
                std::size_t b = a;
                std::uint64_t group_positives = 0;
                while (b < n && scores[order[b]] == scores[order[a]])
                    group_positives += static_cast<std::uint64_t>(labels[order[b++]]);
                const double share = static_cast<double>(group_positives) / static_cast<double>(b - a);
                std::fill(ranked.begin() + static_cast<std::ptrdiff_t>(a),
                          ranked.begin() + static_cast<std::ptrdiff_t>(b), share);
                a = b;
            }
            for (std::size_t k = 1; k <= m; ++k) {
                double hits = 0;
                for (std::size_t j = 0; j < k; ++j) hits += ranked[j];
                recall[k - 1] = hits / p;
            }
        }
        for (std::size_t k = 1; k <= m; ++k) ideal[k - 1] = std::min(1.0, static_cast<double>(k) / p);

        auto trapz = [m](const std::vector<double>& v) {
            double area = 0;
            for (std::size_t i = 0; i + 1 < m; ++i) area += (v[i] + v[i + 1]) / 2;
            return area;
        };
        const double metric = trapz(recall) / trapz(ideal);
        detail::phase_end("scan");
        return metric;
    }
};

}  // namespace

double naive_loop(const Input& input, Ties ties) { return CurveKernel<NaiveLoopCurves>::run(input, ties); }
double naive_loop_at(const Input& input, Ties ties, std::uint64_t k) {
    return CurveKernel<NaiveLoopCurves>::run_at(input, ties, k);
}

}  // namespace aucrecall::kernel_impl
