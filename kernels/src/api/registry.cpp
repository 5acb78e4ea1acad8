// The kernel registry and the public entry point.
#include "api/exact_scores.hpp"
#include "api/input.hpp"
#include "api/kernel_record.hpp"
#include "evaluation/cutoff.hpp"
#include "runtime/phase_timer.hpp"
#include "runtime/scratch.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace aucrecall {
namespace {

constexpr std::size_t unlimited = static_cast<std::size_t>(-1);

void check_pointers(const Input& input) {
    if (input.n > 0 && (input.labels == nullptr || input.scores == nullptr))
        throw std::invalid_argument("null data pointer with n = " + std::to_string(input.n));
}

// The only list of kernels in the code base: tests, benchmark, CLI and bindings read it.
using kernel_impl::KernelRecord;
constexpr std::array records = {
    KernelRecord{{"naive_loop",
                  "study baseline: rank, then recount the positives of the first k ranks for every k (O(n^2))",
                  kernel_impl::naive_loop, kernel_impl::naive_loop_at, 100000, false}},
    KernelRecord{{"stl",
                  "NumPy-shaped flow in standard algorithms: argsort, gather, inclusive_scan, curves, trapezoids",
                  kernel_impl::stl, kernel_impl::stl_at, unlimited, false}},
    KernelRecord{{"simd_scan",
                  "the stl flow with xsimd prefix sum and curve areas, per instruction set chosen at run time",
                  kernel_impl::simd_scan, kernel_impl::simd_scan_at, unlimited, true}},
    KernelRecord{{"fused",
                  "sort (score, index) pairs, then one integer pass for the rank-sum identity",
                  kernel_impl::fused, kernel_impl::fused_at, unlimited, false}},
    KernelRecord{{"keysort",
                  "order-preserving integer keys split by label, sorted without payload (Highway vqsort, capped at the instruction set in force), one merge counts the pairs",
                  kernel_impl::keysort, kernel_impl::keysort_at, unlimited, true, false, false},
                 kernel_impl::keysort_parts,
                 // vqsort sorts lists longer than vqsort_from_n keys; one label's list is, past
                 // twice that (the label split runs per instruction set from tiny_n + 1 already)
                 2 * tuning::vqsort_from_n + 1},
    KernelRecord{{"radix_rank",
                  "records radix-sorted by a linear bucket of the score; one scan counts pairs, shared buckets resolved exactly",
                  kernel_impl::radix_rank, kernel_impl::radix_rank_at, unlimited, true, false, true},
                 kernel_impl::radix_rank_parts, tuning::tiny_n + 1},
    KernelRecord{{"radix_rank_mt",
                  "radix_rank on several threads (AUCRECALL_THREADS); integer counts, same result as one thread",
                  kernel_impl::radix_rank_mt, kernel_impl::radix_rank_mt_at, unlimited, true, true, true},
                 kernel_impl::radix_rank_mt_parts, tuning::tiny_n + 1},
};

// The public view: the Kernel of every record, in the same order (kernels() is a span).
constexpr auto registry = [] {
    std::array<Kernel, records.size()> kernels{};
    for (std::size_t i = 0; i < records.size(); ++i) kernels[i] = records[i].kernel;
    return kernels;
}();

}  // namespace

std::string_view version() noexcept { return "0.1.0"; }

std::size_t scratch_bytes() noexcept {
    std::size_t bytes = 0;
    for (const auto& block : detail::thread_block_cache()) bytes += block.bytes;
    return bytes;
}

void release_scratch() noexcept {
    detail::thread_block_cache().clear();
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

// The fastest correct kernel by input size (thresholds and their measurements: tuning.hpp and
// results/tuning.md): n <= tiny_n runs the same allocation-free path in keysort and radix_rank;
// up to a few hundred items keysort's sort of bare keys wins; then radix_rank's bucket records;
// then the threaded version wherever it runs at least two threads. When the cores are busy with
// other work the threads gain nothing or lose; AUCRECALL_THREADS=1 opts out.
const Kernel& default_kernel(const Input& input) noexcept {
    static const Kernel* const small = find_kernel("keysort");
    static const Kernel* const mid = find_kernel("radix_rank");
    static const Kernel* const large = find_kernel("radix_rank_mt");
    if (input.n >= tuning::threads_from_n && detail::threads_available() > 1) return *large;
    return input.n > tuning::tiny_n && input.n < tuning::radix_rank_from_n ? *small : *mid;
}

namespace kernel_impl {
const KernelRecord& record_of(const Kernel& kernel) noexcept {
    return records[static_cast<std::size_t>(&kernel - registry.data())];
}

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
        return cutoff::select_then_count(labels, scores, ties, k, DefaultKernelParts{});
    });
}
}  // namespace kernel_impl

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
    check_pointers(input);
    if (detail::integer_scores(input.score_type)) {  // no integer is NaN
        detail::visit_labels(input.labels, input.n, input.label_type,
                             [](auto labels) { detail::check_labels(labels); });
        return;
    }
    detail::visit(input, [](auto labels, auto scores) { detail::check(labels, scores); });
}

double compute(const Input& input, const Options& options) {
    detail::check_size(input.n);
    if (detail::integer_scores(input.score_type)) {
        const detail::ExactScores exact(input, detail::WideIntegers::rank, "compute");
        return compute(exact.input(), options);
    }
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
        check_pointers(input);
        return kernel_impl::default_at(input, options.ties, options.k);  // validates as it reads
    }
    const bool full = options.k == 0 || options.k >= input.n;
    if (full && kernel->checks_input) {
        check_pointers(input);
        return kernel->run(input, options.ties);  // validates in its first pass
    }
    validate(input);
    if (!full) return kernel->run_at(input, options.ties, options.k);
    return kernel->run(input, options.ties);
}

}  // namespace aucrecall

namespace aucrecall::testing {
std::size_t simd_from_n(const Kernel& kernel) noexcept { return kernel_impl::record_of(kernel).simd_from_n; }
PhaseLog* set_phase_log(PhaseLog* log) noexcept { return std::exchange(detail::phase_log, log); }
}  // namespace aucrecall::testing
