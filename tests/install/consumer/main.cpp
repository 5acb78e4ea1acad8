// Uses the installed library the way a downstream project would; prints SPEC.md's example value
// and fails if any kernel of the installed registry disagrees with it.
#include <aucrecall/aucrecall.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
    const std::vector<std::int64_t> labels = {1, 0, 1, 1, 0};
    const std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
    for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {  // every kernel links and runs
        const double value = aucrecall::auc_recall(labels, scores, {.kernel = kernel.name});
        if (!(std::abs(value - 0.8) <= 1e-12)) {
            std::fprintf(stderr, "kernel %.*s gave %.17g\n", static_cast<int>(kernel.name.size()),
                         kernel.name.data(), value);
            return 1;
        }
    }
    std::printf("%.17g\n", aucrecall::auc_recall(labels, scores));
    return 0;
}
