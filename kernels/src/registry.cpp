// The kernel registry and the public entry point.
#include "detail.hpp"
#include "cutoff.hpp"
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
           kernel_impl::naive_loop, kernel_impl::naive_loop_at, 100000, false, kernel_impl::naive_loop_rank_only},
    Kernel{"stl",
           "NumPy-shaped flow in standard algorithms: argsort, gather, inclusive_scan, curves, trapezoids",
           kernel_impl::stl, kernel_impl::stl_at, unlimited, false, kernel_impl::stl_rank_only},
    Kernel{"simd_scan",
           "the stl flow with xsimd prefix sum and curve areas, per instruction set chosen at run time",
           kernel_impl::simd_scan, kernel_impl::simd_scan_at, unlimited, true, kernel_impl::simd_scan_rank_only},
    Kernel{"fused",
           "sort (score, index) pairs, then one integer pass for the rank-sum identity",
           kernel_impl::fused, kernel_impl::fused_at, unlimited, false, kernel_impl::fused_rank_only},
    Kernel{"keysort",
           "order-preserving integer keys split by label, sorted without payload (Highway vqsort), one merge counts the pairs",
           kernel_impl::keysort, kernel_impl::keysort_at, unlimited, false, nullptr},
    Kernel{"radix_rank",
           "records radix-sorted by a linear bucket of the score; one scan counts pairs, shared buckets resolved exactly",
           kernel_impl::radix_rank, kernel_impl::radix_rank_at, unlimited, false, nullptr},
    Kernel{"radix_rank_mt",
           "radix_rank on several threads (AUCRECALL_THREADS); integer counts, same result as one thread",
           kernel_impl::radix_rank_mt, kernel_impl::radix_rank_mt_at, unlimited, false, nullptr, true},
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

namespace kernel_impl {
// Validates and computes metric@K for 1 <= k < n. Small cutoffs: one fused pass (checks,
// selection, counting; cutoff.hpp). Larger ones: validation, selection, then the rank-sum kernel
// default_kernel() picks for the selected items' size counts them.
double default_at(const Input& input, Ties ties, std::uint64_t k) {
    if (k * cutoff::heap_select_max_share <= input.n) {
        bool input_ok = true;
        const double value = detail::visit(input, [&](auto labels, auto scores) {
            return cutoff::fused_heap_cutoff(labels, scores, ties, k, &input_ok);
        });
        if (input_ok) return value;
    }
    validate(input);  // throws for the first bad item
    return detail::visit(input, [ties, k](auto labels, auto scores) {
        return cutoff::select_then_count(labels, scores, ties, k, [](auto l, auto s, Ties t) {
            const Input selected = make_input(l, s);
            const Kernel& chosen = default_kernel(selected);
            if (chosen.run == kernel_impl::keysort) return keysort_parts(selected, t);
            if (chosen.run == kernel_impl::radix_rank) return radix_rank_parts(selected, t);
            return radix_rank_mt_parts(selected, t);
        });
    });
}
}  // namespace kernel_impl

namespace {
// The ranked list's one pass (SPEC.md "Ranked input"): P over all n labels; over the first m,
// their positives, the rank sum S and y0. The checks for labels other than 0/1 ride along as an
// OR of the bits that must be zero; only when one is set does a second pass find its index.
// Ranks are summed within blocks of 2^16 in 32-bit lanes (a block adds < 2^31) and widened once
// per block; a label selects its rank with a mask, not a multiply (no 64-bit vector multiply
// before AVX-512), so the loop vectorises on the baseline instruction set.
template <class Label>
double ranked_metric(std::span<const Label> labels, std::uint64_t k) {
    using u64 = std::uint64_t;
    const std::size_t n = labels.size();
    const u64 m = k == 0 ? n : std::min<u64>(k, n);
    constexpr std::size_t block = std::size_t{1} << 16;
    const Label* y = labels.data();
    u64 stray_bits = 0, positives_top = 0;
    unsigned __int128 rank_sum = 0;
    for (std::size_t start = 0; start < m; start += block) {
        const std::size_t end = std::min<std::size_t>(m, start + block);
        std::uint32_t p = 0, weighted = 0, stray = 0;
        const std::uint32_t count = static_cast<std::uint32_t>(end - start);
        const Label* block_labels = y + start;
        for (std::uint32_t r = 0; r < count; ++r) {
            const auto v = static_cast<std::uint32_t>(block_labels[r]);
            // 64-bit labels: any set bit in the high half is stray too
            if constexpr (sizeof(Label) == 8) stray |= static_cast<std::uint32_t>(static_cast<u64>(block_labels[r]) >> 32);
            stray |= v;
            p += v;
            weighted += r & (0u - (v & 1u));
        }
        stray_bits |= stray;
        positives_top += p;
        rank_sum += weighted + static_cast<unsigned __int128>(start) * p;
    }
    u64 positives_rest = 0;
    for (std::size_t r = m; r < n; ++r) {
        const u64 v = static_cast<u64>(y[r]);
        stray_bits |= v;
        positives_rest += v;
    }
    if ((stray_bits & ~u64{1}) != 0) detail::check_labels(labels);  // throws with the index
    const detail::RankSumParts top{m, positives_top, 2 * rank_sum, m > 0 && y[0] ? 1u : 0u, 1};
    return cutoff::metric_at(m, positives_top + positives_rest, top, {});
}
}  // namespace

double compute_ranked(const RankedInput& input, std::uint64_t k) {
    detail::check_size(input.n);
    if (input.n > 0 && input.labels == nullptr)
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
    return detail::visit_labels(input.labels, input.n, input.label_type,
                                [k](auto labels) { return ranked_metric(labels, k); });
}

std::string_view to_string(Undefined policy) noexcept {
    switch (policy) {
        case Undefined::zero: return "zero";
        case Undefined::error: return "error";
        case Undefined::skip: break;
    }
    return "skip";
}

Undefined parse_undefined(std::string_view text) {
    if (text == "skip") return Undefined::skip;
    if (text == "zero") return Undefined::zero;
    if (text == "error") return Undefined::error;
    throw std::invalid_argument("unknown undefined-group policy '" + std::string(text) +
                                "' (known: skip, zero, error)");
}

void validate(const Input& input) {
    detail::check_size(input.n);
    if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
    detail::visit(input, [](auto labels, auto scores) { detail::check(labels, scores); });
}

double compute(const Input& input, const Options& options) {
    detail::check_size(input.n);
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
    if (options.k != 0 && options.k < input.n && options.kernel.empty()) {
        if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
            throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
        return kernel_impl::default_at(input, options.ties, options.k);  // validates as it reads
    }
    validate(input);
    if (options.k != 0 && options.k < input.n) return kernel->run_at(input, options.ties, options.k);
    return kernel->run(input, options.ties);
}

}  // namespace aucrecall
