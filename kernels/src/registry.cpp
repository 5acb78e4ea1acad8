// The kernel registry and the public entry point.
#include "detail.hpp"
#include "kernel_list.hpp"
#include "rank_count.hpp"

#include <array>
#include <cmath>
#include <string>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace aucrecall {
namespace {

constexpr std::size_t unlimited = static_cast<std::size_t>(-1);

// The only list of kernels in the code base: tests, benchmark, CLI and bindings read it.
constexpr std::array registry = {
    Kernel{"naive_loop",
           "study baseline: rank, then recount the positives of the first k ranks for every k (O(n^2))",
           kernel_impl::naive_loop, 100000, false, kernel_impl::naive_loop_rank_only},
    Kernel{"stl",
           "NumPy-shaped flow in standard algorithms: argsort, gather, inclusive_scan, curves, trapezoids",
           kernel_impl::stl, unlimited, false, kernel_impl::stl_rank_only},
    Kernel{"simd_scan",
           "the stl flow with xsimd prefix sum and curve areas, per instruction set chosen at run time",
           kernel_impl::simd_scan, unlimited, true, kernel_impl::simd_scan_rank_only},
    Kernel{"fused",
           "sort (score, index) pairs, then one integer pass for the rank-sum identity",
           kernel_impl::fused, unlimited, false, kernel_impl::fused_rank_only},
    Kernel{"keysort",
           "order-preserving integer keys split by label, sorted without payload (Highway vqsort), one merge counts the pairs",
           kernel_impl::keysort, unlimited, false, nullptr},
    Kernel{"radix_rank",
           "records radix-sorted by a linear bucket of the score; one scan counts pairs, shared buckets resolved exactly",
           kernel_impl::radix_rank, unlimited, false, nullptr},
    Kernel{"radix_rank_mt",
           "radix_rank on several threads (AUCRECALL_THREADS); integer counts, same result as one thread",
           kernel_impl::radix_rank_mt, unlimited, false, nullptr, true},
};

}  // namespace

std::string_view version() noexcept { return "0.1.0"; }

std::size_t scratch_bytes() noexcept {
    std::size_t bytes = 0;
    for (const auto& block : rank_count::thread_block_cache()) bytes += block.bytes;
    return bytes;
}

void release_scratch() noexcept {
    rank_count::thread_block_cache().clear();
#if defined(__GLIBC__)
    // Blocks under glibc's mmap threshold (it adapts up to 32 MiB) go back to the heap on free,
    // not to the system: trimming makes the release visible in the process's resident memory.
    malloc_trim(0);
#endif
}

std::string_view to_string(Ties ties) noexcept {
    return ties == Ties::stable ? "stable" : "average";
}

Ties parse_ties(std::string_view text) {
    if (text == "average") return Ties::average;
    if (text == "stable") return Ties::stable;
    throw std::invalid_argument("unknown tie policy '" + std::string(text) +
                                "' (known: average, stable)");
}

std::span<const Kernel> kernels() noexcept { return registry; }

const Kernel* find_kernel(std::string_view name) noexcept {
    for (const Kernel& k : registry)
        if (k.name == name) return &k;
    return nullptr;
}

// The fastest correct kernel by input size, from medians measured on this project's machine
// (2 shared cores, AMD EPYC, GCC 12 -O3; uniform scores, int64 labels; /tmp timing harness of
// the rank-sum work, see the issue-4 report). In microseconds:
//          n:     5     16     17    100    200    400    800   1e5    1e6    1e7
//   fused      0.062  0.165  0.187   1.22   2.63   5.91  12.8   8783  113469    -
//   keysort    0.031  0.118  0.156   1.09   2.47   5.54  31.0   2563   18333  339152
//   radix_rank 0.030  0.118  0.486   1.18   2.84   3.50   8.40   825   14341  170997
// radix_rank_mt, 1 vs 2 threads: 1e5: 814 vs 908; 3e5: 3769 vs 2816; 1e6: 16606 vs 12836;
// 1e7: 160248 vs 94351 (1.70x). With vqsort in keysort, n = 200: keysort 2.47, radix_rank 2.84;
// n = 300: keysort 4.08, radix_rank 2.70; 1e5: keysort 1822. n <= 16 runs the same allocation-free path in keysort and
// radix_rank; up to a few hundred items keysort's std::sort of bare keys wins; from 256 on
// radix_rank's bucket records; from 2^18 on the threaded version (it uses one thread per 2^17
// items, so it is single-threaded where threads do not pay). When the cores are busy with other
// work the threads gain nothing or lose (measured under load: radix_rank_mt vs radix_rank at
// 1e7: 164 vs 161 ms; at 1e6: 23.9 vs 14.3 ms); AUCRECALL_THREADS=1 opts out.
const Kernel& default_kernel(const Input& input) noexcept {
    static const Kernel* const small = find_kernel("keysort");
    static const Kernel* const mid = find_kernel("radix_rank");
    static const Kernel* const large = find_kernel("radix_rank_mt");
    constexpr std::size_t tiny_n = 16, radix_rank_from_n = 256, threads_from_n = std::size_t{1} << 18;
    if (input.n >= threads_from_n) return *large;
    return input.n > tiny_n && input.n < radix_rank_from_n ? *small : *mid;
}

namespace {

template <class Label, class Score>
void check(std::span<const Label> labels, std::span<const Score> scores) {
    if constexpr (!std::is_same_v<Label, bool>) {
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] != 0 && labels[i] != 1)
                throw InvalidInput("label at index " + std::to_string(i) + " is " +
                                       std::to_string(static_cast<long long>(labels[i])) +
                                       "; labels must be 0 or 1",
                                   i);
    }
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isnan(scores[i]))
            throw InvalidInput("score at index " + std::to_string(i) + " is NaN", i);
}

}  // namespace

void validate(const Input& input) {
    if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
    detail::visit(input, [](auto labels, auto scores) { check(labels, scores); });
}

double compute(const Input& input, const Options& options) {
    const Kernel* kernel = &default_kernel(input);
    if (!options.kernel.empty()) {
        kernel = find_kernel(options.kernel);
        if (kernel == nullptr) {
            std::string known;
            for (const Kernel& k : registry) known += (known.empty() ? "" : ", ") + std::string(k.name);
            throw std::invalid_argument("unknown kernel '" + std::string(options.kernel) +
                                        "' (known: " + known + ")");
        }
    }
    validate(input);
    return kernel->run(input, options.ties);
}

}  // namespace aucrecall
