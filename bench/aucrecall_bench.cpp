// aucrecall-bench: the Google Benchmark harness of the study.
//
// Every row comes from the kernel registry (aucrecall::kernels()); nothing lists kernels by hand.
// Rows (n = number of items):
//   <kernel>/<n>            kernel.run on int64 labels / float64 scores, the study's data types
//   <kernel>_f32u8/<n>      the same on uint8 labels / float32 scores
//   <kernel>@<isa>/<n>      SIMD-dispatched kernels with each instruction set the CPU can run,
//                           from the size where every call runs its per-ISA code (simd_from_n)
//   dist/<dist>/<kernel>/<n> kernels without a size limit on heavy_ties, exponential and sorted
//                           scores (data::Dist), int64/float64
//   phases/<kernel>[@<isa>]/<n>  kernel.run with the kernels' phase marks read in the same calls:
//                           counters p<i>_<phase> = ns per call in each phase (chart 5, chart 3)
//   validate[_f32u8]/<n>    aucrecall::validate alone: what the public entry point adds
//   read_inputs[_f32u8]/<n> one pass summing labels and scores: the memory-bandwidth floor
//   threads/<kernel>@<t>/<n> multithreaded kernels with AUCRECALL_THREADS=t, t = 1, 2, 4, ... up
//                           to the logical CPUs (thread scaling; larger t are not registered)
//   cutoff/<K>/<n>          aucrecall::compute with cutoff K (the public entry point: checks
//                           included); cutoff/full/<n> the same call without a cutoff
//   ranked/<n>, ranked_u8/<n>  aucrecall::compute_ranked on int64 / uint8 labels in rank order
//   ranked@<isa>/<n>, ranked_u8@<isa>/<n>  the same with each instruction set the CPU can run;
//                           @scalar is compiled without auto-vectorisation (the yardstick)
//   read_labels/<n>         one pass summing the int64 labels alone: the ranked scan's floor
//   grouped/<G>x<S>/<n>     compute_grouped, G groups of S items (n = G*S), rows of a group
//                           contiguous, one thread; grouped_mt/...: threads across groups (all
//                           CPUs); grouped_shuffled/...: one thread, all groups' rows interleaved
// n = 5 is the study's fixed example; every other n is data::generate(n, Dist::uniform, seed).
//
// Timed: only the call in the `for (auto _ : state)` loop. Data generation, the exact reference
// and the result check all happen before it, once per dataset or row, and are cached.
// Before a kernel row is timed its result is compared with tests/reference.hpp (exact rationals,
// no code shared with the kernels); a mismatch fails the row (SkipWithError) and the process exits
// non-zero at the end.
//
// Row names stay exactly `<family>/<n>` so filters such as '/(5|100)$' work: per-row
// Iterations/MinTime/Repetitions/UseRealTime would append suffixes to the names, so none is used;
// the run length is set globally (--benchmark_min_time, default 0.1 s here; slow rows such as
// naive_loop/100000 or the 10M rows then run one iteration per repetition).
// Google Benchmark reports real_time for every row anyway; the items_per_second and ns_per_item
// counters are computed here from the wall-clock time of the timed loop (for multi-threaded
// kernels the benchmark thread's CPU time would understate the cost).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <charconv>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"
#include "build_info.hpp"
#include "reference.hpp"
#include "scoped_env.hpp"
#include "runtime/phase_timer.hpp"
#include "runtime/testing_hooks.hpp"
#include "simd/dispatch.hpp"

namespace {

using aucrecall::Input;
using aucrecall::Kernel;
using aucrecall::Ties;

// The study's fixed example has 5 items; that size uses it instead of generated data.
constexpr std::size_t study_example_n = 5;
constexpr std::size_t all_sizes[] = {5, 100, 10'000, 100'000, 1'000'000, 10'000'000};
// Phase and per-ISA ranked rows only where the per-call overhead is not the story.
constexpr std::size_t large_sizes[] = {10'000, 100'000, 1'000'000, 10'000'000};
// Per-ISA phase rows: the study's focus size and one past the caches.
constexpr std::size_t phase_isa_sizes[] = {100'000, 1'000'000};
// Thread scaling: sizes where threads pay, and the thread counts tried (those above the
// machine's logical CPUs are left out and named in the context).
constexpr std::size_t scaling_sizes[] = {100'000, 1'000'000, 10'000'000};
constexpr unsigned scaling_threads[] = {1, 2, 4, 8, 16};
// Distributions besides the study's uniform scores, at sizes where the default kernel's choice
// between radix_rank, radix_rank_mt and keysort is made: ties, spread exponents, sorted input.
constexpr aucrecall::data::Dist other_dists[] = {aucrecall::data::Dist::heavy_ties,
                                                 aucrecall::data::Dist::exponential,
                                                 aucrecall::data::Dist::sorted};
constexpr std::size_t dist_sizes[] = {100'000, 1'000'000};
// Per-query evaluation rows: cutoffs at sizes where selection matters, ranked lists, groups.
constexpr std::size_t cutoff_sizes[] = {100'000, 10'000'000};
constexpr std::uint64_t cutoff_ks[] = {10, 100, 1000};
// Groups x items per group: many short lists (queries) to fewer long ones, 10M items each.
constexpr std::pair<std::size_t, std::size_t> grouped_shapes[] = {
    {100'000, 100}, {10'000, 1000}, {1'000'000, 10}};
constexpr std::pair<std::size_t, std::size_t> grouped_shuffled_shape = {100'000, 100};

// Same value within this relative error. Curve kernels sum n floating-point terms; the identity
// kernels are exact to the last bits, so this bound is loose for them and tight enough for all.
constexpr double relative_tolerance = 1e-9;
// Every timed kernel call uses this policy (the study's; the order-independent one).
constexpr Ties timed_ties = Ties::average;

enum class Variant { i64_f64, u8_f32 };
constexpr Variant all_variants[] = {Variant::i64_f64, Variant::u8_f32};
// ---- row names (bench/row_names.def: the one grammar, read by plots/model.py too) -------------

struct RowPattern {
    std::string_view kind;
    std::string_view pattern;
};
constexpr RowPattern row_patterns[] = {
#define AUCRECALL_ROW(kind, pattern) {#kind, pattern},
#include "row_names.def"
#undef AUCRECALL_ROW
};

// The fields of a row's pattern; empty ones drop their [...] part.
struct RowFields {
    std::string_view kernel{}, isa{}, threads{}, dist{}, name{};
};

std::string_view field_value(std::string_view field, const RowFields& f) {
    if (field == "kernel") return f.kernel;
    if (field == "isa") return f.isa;
    if (field == "threads") return f.threads;
    if (field == "dist") return f.dist;
    if (field == "name") return f.name;
    throw std::logic_error("bench/row_names.def: unknown field {" + std::string(field) + "}");
}

// The family name (the row name without "/<n>") of a row of `kind`.
std::string family_name(std::string_view kind, const RowFields& fields) {
    for (const RowPattern& row : row_patterns) {
        if (row.kind != kind) continue;
        std::string out, optional;
        bool in_optional = false, optional_complete = true;
        for (std::size_t i = 0; i < row.pattern.size(); ++i) {
            const char c = row.pattern[i];
            std::string& to = in_optional ? optional : out;
            if (c == '[') {
                in_optional = true, optional.clear(), optional_complete = true;
            } else if (c == ']') {
                if (optional_complete) out += optional;
                in_optional = false;
            } else if (c == '{') {
                const std::size_t close = row.pattern.find('}', i);
                const std::string_view value = field_value(row.pattern.substr(i + 1, close - i - 1), fields);
                if (value.empty() && !in_optional)
                    throw std::logic_error("row kind " + std::string(kind) + ": empty field in " + std::string(row.pattern));
                optional_complete = optional_complete && !value.empty();
                to += value;
                i = close;
            } else {
                to += c;
            }
        }
        return out;
    }
    throw std::logic_error("bench/row_names.def has no row kind " + std::string(kind));
}

std::string_view variant_kind(Variant v) { return v == Variant::u8_f32 ? "f32u8" : "main"; }

// Google Benchmark's own default is 0.5 s per repetition; with ~100 rows and 10 repetitions that
// alone is ~10 minutes. 0.1 s still gives thousands of iterations to the fast rows, and rows
// slower than that run one iteration per repetition either way. --benchmark_min_time overrides.
constexpr std::string_view default_min_time = "0.1";

struct Settings {
    std::uint64_t seed = aucrecall::data::default_seed;
    std::string min_time = std::string(default_min_time) + " (aucrecall-bench default)";
    std::string seed_source = "default (data::default_seed)";
    // The instruction set plain rows run with: AUCRECALL_ARCH if set, else the best supported.
    std::string default_isa;
    // Thread counts of the scaling rows above this machine's logical CPUs (not registered).
    std::vector<std::string> scaling_left_out;
};
Settings settings;

// Rows that failed their check, with the reason; reported at exit.
std::map<std::string, std::string> failed_rows;

// ---- data: generated once per (variant, n), kept for the whole run ---------------------------
// All datasets of both variants together take about 240 MB (mostly the 10M ones): nothing is
// evicted. Peak resident memory of a full run, kernels' temporaries included, was about 630 MB.

struct Prepared {
    std::shared_ptr<const void> owner;  // the Dataset behind `input`
    Input input;
    std::size_t bytes_per_item = 0;
    double expected = 0;  // exact metric under timed_ties, correctly rounded
};

template <class Label, class Score>
Prepared prepare(std::size_t n, aucrecall::data::Dist dist) {
    namespace data = aucrecall::data;
    auto dataset = std::make_shared<data::Dataset<Label, Score>>(
        n == study_example_n ? data::study_example<Label, Score>()
                             : data::generate<Label, Score>(n, dist, settings.seed));
    Prepared p;
    p.input = aucrecall::make_input<Label, Score>(dataset->labels(), dataset->scores());
    p.bytes_per_item = sizeof(Label) + sizeof(Score);
    p.expected = reference::metric<Label, Score>(dataset->labels(), dataset->scores(), timed_ties);
    p.owner = std::move(dataset);
    return p;
}

const Prepared& dataset(Variant v, std::size_t n, aucrecall::data::Dist dist = aucrecall::data::Dist::uniform) {
    static std::map<std::tuple<Variant, std::size_t, aucrecall::data::Dist>, Prepared> cache;
    auto it = cache.find({v, n, dist});
    if (it == cache.end())
        it = cache.emplace(std::tuple{v, n, dist}, v == Variant::u8_f32 ? prepare<std::uint8_t, float>(n, dist)
                                                                          : prepare<std::int64_t, double>(n, dist))
                 .first;
    return it->second;
}

// ---- checks ----------------------------------------------------------------------------------

// Every digit: a mismatch report must show where two close doubles differ.
std::string format_double(double x, const char* format = "%.17g") {
    char text[64];
    std::snprintf(text, sizeof text, format, x);
    return text;
}

double relative_error(double got, double expected) {
    if (std::isnan(got) && std::isnan(expected)) return 0;
    if (expected == got) return 0;
    return std::abs(got - expected) / std::abs(expected);
}

// Whether a call of this size reaches the kernel's per-instruction-set code, so that the
// instruction set it reports must be the one forced. Smaller calls run scalar paths and leave the
// report of an earlier row (random interleaving made plain n = 5 rows fail on a stale report).
bool runs_simd_code(const Kernel& kernel, std::size_t n) {
    return kernel.uses_simd_dispatch && n >= aucrecall::testing::simd_from_n(kernel);
}

struct CheckOutcome {
    std::string error;  // empty: passed
    double rel_error = 0;
};

// Runs the kernel once (untimed) and compares with the exact value; for SIMD-dispatched kernels
// also proves the wanted instruction set is the one that ran. Cached per row: the benchmark
// function is called several times per row (iteration-count estimation, repetitions).
const CheckOutcome& check_kernel(const std::string& row, const Kernel& kernel, const Prepared& data,
                                 const std::string& isa) {
    static std::map<std::string, CheckOutcome> cache;
    if (auto it = cache.find(row); it != cache.end()) return it->second;
    CheckOutcome outcome;
    try {
        const double got = kernel.run(data.input, timed_ties);
        outcome.rel_error = relative_error(got, data.expected);
        if (!(outcome.rel_error <= relative_tolerance))
            outcome.error = "wrong result: expected " + format_double(data.expected) + ", got " +
                            format_double(got) + " (relative error " +
                            format_double(outcome.rel_error) + ", tolerance " +
                            format_double(relative_tolerance) + ")";
        else if (runs_simd_code(kernel, data.input.n) && aucrecall::simd_isa_last_used() != isa)
            outcome.error = "forced instruction set " + isa + " but the kernel ran '" +
                            std::string(aucrecall::simd_isa_last_used()) + "'";
    } catch (const std::exception& e) {
        outcome.error = std::string("threw: ") + e.what();
    }
    return cache.emplace(row, std::move(outcome)).first->second;
}

// Marks the row failed (loudly, once per row) and tells Google Benchmark to skip it.
void fail_row(benchmark::State& state, const std::string& row, const std::string& error) {
    if (failed_rows.emplace(row, error).second)
        std::fprintf(stderr, "aucrecall-bench: ROW FAILED %s: %s\n", row.c_str(), error.c_str());
    state.SkipWithError(error.c_str());
}

// ---- timing ----------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

// Wall-clock time of the timed loop -> per-item counters. A plain counter (no kIsRate) so Google
// Benchmark reports the value as computed: ns_per_item really is nanoseconds per item.
void set_item_counters(benchmark::State& state, std::size_t n, Clock::duration elapsed) {
    const double items = static_cast<double>(n) * static_cast<double>(state.iterations());
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (items <= 0 || seconds <= 0) return;
    state.counters["n"] = static_cast<double>(n);
    state.counters["items_per_second"] = items / seconds;
    state.counters["ns_per_item"] = seconds * 1e9 / items;
}

std::string row_name(const std::string& family, std::size_t n) {
    return family + "/" + std::to_string(n);
}

// Plain rows run with the default instruction set; per-ISA rows force theirs. Forced in every
// row's setup because rows run in registration order and an earlier row may have forced another.
void select_isa(const Kernel& kernel, const std::string& isa) {
    if (kernel.uses_simd_dispatch) aucrecall::force_simd_isa(isa);
}

void kernel_row(benchmark::State& state, const Kernel* kernel, Variant variant, std::string isa,
                std::string family, aucrecall::data::Dist dist) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::string row = row_name(family, n);
    const std::string& wanted_isa = isa.empty() ? settings.default_isa : isa;
    try {
        const Prepared& data = dataset(variant, n, dist);
        select_isa(*kernel, wanted_isa);
        const CheckOutcome& check = check_kernel(row, *kernel, data, wanted_isa);
        if (!check.error.empty()) return fail_row(state, row, check.error);

        const Input input = data.input;
        const Clock::time_point start = Clock::now();
        for (auto _ : state) {
            // The timed work: the registry's function alone (no validation, no dispatch by name).
            double result = kernel->run(input, timed_ties);
            benchmark::DoNotOptimize(result);
        }
        const Clock::duration elapsed = Clock::now() - start;
        if (runs_simd_code(*kernel, n) && aucrecall::simd_isa_last_used() != wanted_isa)
            return fail_row(state, row, "timed with instruction set '" +
                                            std::string(aucrecall::simd_isa_last_used()) +
                                            "' instead of " + wanted_isa);
        set_item_counters(state, n, elapsed);
        state.counters["rel_error"] = check.rel_error;
    } catch (const std::exception& e) {
        fail_row(state, row, std::string("threw: ") + e.what());
    }
}


void thread_scaling_row(benchmark::State& state, const Kernel* kernel, unsigned threads,
                        std::string family) {
    // The multithreaded kernels read AUCRECALL_THREADS on every call; restored after the row.
    const ScopedEnv forced("AUCRECALL_THREADS", std::to_string(threads));
    kernel_row(state, kernel, Variant::i64_f64, std::string(), std::move(family), aucrecall::data::Dist::uniform);
}

// The same calls as kernel_row with a phase log installed (kernels/src/runtime/phase_timer.hpp): each
// kernel marks the end of its phases, so every phase's share comes from the very iterations that
// are timed. Counters p<i>_<phase>: nanoseconds per call spent in the i-th phase (in the kernel's
// order); the row's real_time also covers what lies outside the marks (the call itself, input
// dispatch), a few hundred nanoseconds at most.
void phases_row(benchmark::State& state, const Kernel* kernel, std::string isa, std::string family) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::string row = row_name(family, n);
    const std::string& wanted_isa = isa.empty() ? settings.default_isa : isa;
    try {
        const Prepared& data = dataset(Variant::i64_f64, n);
        select_isa(*kernel, wanted_isa);
        const CheckOutcome& check = check_kernel(row, *kernel, data, wanted_isa);
        if (!check.error.empty()) return fail_row(state, row, check.error);

        aucrecall::testing::PhaseLog log;
        aucrecall::testing::PhaseLog* const previous = aucrecall::testing::set_phase_log(&log);
        const Input input = data.input;
        const Clock::time_point start = Clock::now();
        for (auto _ : state) {
            double result = kernel->run(input, timed_ties);
            benchmark::DoNotOptimize(result);
        }
        const Clock::duration elapsed = Clock::now() - start;
        aucrecall::testing::set_phase_log(previous);
        if (log.count == 0) return fail_row(state, row, "the kernel marked no phase");
        set_item_counters(state, n, elapsed);
        const double calls = static_cast<double>(state.iterations());
        for (int i = 0; i < log.count; ++i)
            state.counters["p" + std::to_string(i) + "_" + std::string(log.phases[i].name)] =
                static_cast<double>(log.phases[i].nanoseconds) / calls;
    } catch (const std::exception& e) {
        fail_row(state, row, std::string("threw: ") + e.what());
    }
}

void validate_row(benchmark::State& state, Variant variant, std::string family) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::string row = row_name(family, n);
    try {
        const Prepared& data = dataset(variant, n);
        aucrecall::validate(data.input);  // must accept the data before it is timed
        const Input input = data.input;
        const Clock::time_point start = Clock::now();
        for (auto _ : state) {
            aucrecall::validate(input);
            benchmark::ClobberMemory();
        }
        set_item_counters(state, n, Clock::now() - start);
    } catch (const std::exception& e) {
        fail_row(state, row, std::string("threw: ") + e.what());
    }
}

// Reads every label and every score once. noinline + ClobberMemory keep the compiler from
// hoisting the sums out of the timing loop (the data never changes between iterations).
template <class Label, class Score>
[[gnu::noinline]] double read_inputs(const Label* labels, const Score* scores, std::size_t n) {
    std::uint64_t label_sum = 0;
    Score score_sum = 0;
#pragma omp simd reduction(+ : label_sum, score_sum)
    for (std::size_t i = 0; i < n; ++i) {
        label_sum += static_cast<std::uint64_t>(labels[i]);
        score_sum += scores[i];
    }
    return static_cast<double>(label_sum) + static_cast<double>(score_sum);
}

double read_inputs(const Input& input) {
    if (input.label_type == aucrecall::LabelType::u8)
        return read_inputs(static_cast<const std::uint8_t*>(input.labels),
                           static_cast<const float*>(input.scores), input.n);
    return read_inputs(static_cast<const std::int64_t*>(input.labels),
                       static_cast<const double*>(input.scores), input.n);
}

void read_inputs_row(benchmark::State& state, Variant variant) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const Prepared& data = dataset(variant, n);
    const Input input = data.input;
    const Clock::time_point start = Clock::now();
    for (auto _ : state) {
        double sums = read_inputs(input);
        benchmark::DoNotOptimize(sums);
        benchmark::ClobberMemory();
    }
    const Clock::duration elapsed = Clock::now() - start;
    set_item_counters(state, n, elapsed);
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (seconds > 0)
        state.counters["bytes_per_second"] = static_cast<double>(n * data.bytes_per_item) *
                                             static_cast<double>(state.iterations()) / seconds;
}

// ---- per-query evaluation: cutoff, ranked lists, groups -----------------------------------------

// Times `call` after checking its value once against `expected` (exact reference).
template <class Call>
void timed_check_row(benchmark::State& state, const std::string& row, std::size_t n, double expected,
                     Call&& call) {
    static std::map<std::string, std::string> checked;  // row -> error ("" passed)
    auto it = checked.find(row);
    if (it == checked.end()) {
        std::string error;
        try {
            const double got = call();
            const double rel = relative_error(got, expected);
            if (!(rel <= relative_tolerance))
                error = "wrong result: expected " + format_double(expected) + ", got " + format_double(got);
        } catch (const std::exception& e) {
            error = std::string("threw: ") + e.what();
        }
        it = checked.emplace(row, error).first;
    }
    if (!it->second.empty()) return fail_row(state, row, it->second);
    // The timed calls' phase marks (phases_row's counters p<i>_<phase>, per call), where the
    // entry point marks phases: they say where a row's time goes.
    aucrecall::testing::PhaseLog log;
    aucrecall::testing::PhaseLog* const previous = aucrecall::testing::set_phase_log(&log);
    const Clock::time_point start = Clock::now();
    for (auto _ : state) {
        double result = call();
        benchmark::DoNotOptimize(result);
    }
    const Clock::duration elapsed = Clock::now() - start;
    aucrecall::testing::set_phase_log(previous);
    set_item_counters(state, n, elapsed);
    const double calls = static_cast<double>(state.iterations());
    for (int i = 0; i < log.count; ++i)
        state.counters["p" + std::to_string(i) + "_" + std::string(log.phases[i].name)] =
            static_cast<double>(log.phases[i].nanoseconds) / calls;
}

double cutoff_expected(std::size_t n, std::uint64_t k) {
    static std::map<std::pair<std::size_t, std::uint64_t>, double> cache;
    auto it = cache.find({n, k});
    if (it != cache.end()) return it->second;
    const auto& owner = *static_cast<const aucrecall::data::Dataset<std::int64_t, double>*>(
        dataset(Variant::i64_f64, n).owner.get());
    return cache[{n, k}] = reference::metric_at(owner.labels(), owner.scores(), timed_ties, k);
}

// The public entry point (checks and the library's choice of path) with cutoff k; 0: none.
void cutoff_row(benchmark::State& state, std::uint64_t k, std::string family) {
    const auto n = static_cast<std::size_t>(state.range(0));
    try {
        const Input input = dataset(Variant::i64_f64, n).input;
        const double expected = k == 0 ? dataset(Variant::i64_f64, n).expected : cutoff_expected(n, k);
        timed_check_row(state, row_name(family, n), n, expected,
                        [&] { return aucrecall::compute(input, {.ties = timed_ties, .k = k}); });
    } catch (const std::exception& e) {
        fail_row(state, row_name(family, n), std::string("threw: ") + e.what());
    }
}

template <class Label>
void ranked_row(benchmark::State& state, std::string isa, std::string family) {
    const auto n = static_cast<std::size_t>(state.range(0));
    try {
        aucrecall::force_simd_isa(isa.empty() ? settings.default_isa : isa);
        // The study's labels (randint(0, 2), the fixed example at n = 5) read as a ranked list.
        static std::map<std::size_t, std::pair<std::vector<Label>, double>> cache;
        auto it = cache.find(n);
        if (it == cache.end()) {
            const auto d = n == study_example_n
                               ? aucrecall::data::study_example<Label, float>()
                               : aucrecall::data::generate<Label, float>(n, aucrecall::data::Dist::uniform,
                                                                         settings.seed);
            std::vector<Label> labels(d.labels().begin(), d.labels().end());
            const double expected =
                reference::to_double(reference::exact_ranked(std::span<const Label>(labels), 0));
            it = cache.emplace(n, std::pair{std::move(labels), expected}).first;
        }
        const aucrecall::RankedInput input{it->second.first.data(), n, aucrecall::label_type_of<Label>()};
        timed_check_row(state, row_name(family, n), n, it->second.second,
                        [&] { return aucrecall::compute_ranked(input); });
    } catch (const std::exception& e) {
        fail_row(state, row_name(family, n), std::string("threw: ") + e.what());
    }
}

[[gnu::noinline]] std::uint64_t read_labels(const std::int64_t* labels, std::size_t n) {
    std::uint64_t sum = 0;
#pragma omp simd reduction(+ : sum)
    for (std::size_t i = 0; i < n; ++i) sum += static_cast<std::uint64_t>(labels[i]);
    return sum;
}

void read_labels_row(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const Input input = dataset(Variant::i64_f64, n).input;
    const auto* labels = static_cast<const std::int64_t*>(input.labels);
    const Clock::time_point start = Clock::now();
    for (auto _ : state) {
        std::uint64_t sum = read_labels(labels, n);
        benchmark::DoNotOptimize(sum);
        benchmark::ClobberMemory();
    }
    set_item_counters(state, n, Clock::now() - start);
}

// Study data (the 10M dataset's labels and scores) cut into groups: keys sparse (multiples of
// a large odd number), rows of a group contiguous or spread over the whole input at random.
std::vector<std::int64_t> grouped_keys(std::size_t groups, std::size_t size, bool contiguous) {
    std::vector<std::int64_t> keys(groups * size);
    for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<std::int64_t>(i / size) * 1000003 + 17;
    if (!contiguous) {
        aucrecall::data::Rng rng(settings.seed + size);
        for (std::size_t i = keys.size(); i > 1; --i) std::swap(keys[i - 1], keys[rng.below(i)]);
    }
    return keys;
}

// The reference mean: each group's items in input order, exact per group, mean in group order.
double grouped_expected(const std::int64_t* labels, const double* scores, const std::vector<std::int64_t>& keys) {
    std::map<std::int64_t, std::size_t> position;
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto [at, fresh] = position.emplace(keys[i], members.size());
        if (fresh) members.emplace_back();
        members[at->second].push_back(i);
    }
    long double total = 0;
    std::size_t counted = 0;
    std::vector<std::int64_t> l;
    std::vector<double> s;
    for (const auto& items : members) {
        l.clear();
        s.clear();
        for (std::size_t i : items) l.push_back(labels[i]), s.push_back(scores[i]);
        const double v = reference::metric(std::span<const std::int64_t>(l), std::span<const double>(s), timed_ties);
        if (!std::isnan(v)) total += v, ++counted;
    }
    return static_cast<double>(total / static_cast<long double>(counted));
}

void grouped_row(benchmark::State& state, std::size_t groups, std::size_t size, bool contiguous, unsigned threads,
                 std::string family) {
    const auto n = static_cast<std::size_t>(state.range(0));
    try {
        static std::map<std::tuple<std::size_t, std::size_t, bool>, std::pair<std::vector<std::int64_t>, double>> cache;
        const Input items = dataset(Variant::i64_f64, n).input;
        const auto* labels = static_cast<const std::int64_t*>(items.labels);
        const auto* scores = static_cast<const double*>(items.scores);
        auto it = cache.find({groups, size, contiguous});
        if (it == cache.end()) {
            auto keys = grouped_keys(groups, size, contiguous);
            const double expected = grouped_expected(labels, scores, keys);
            it = cache.emplace(std::tuple{groups, size, contiguous}, std::pair{std::move(keys), expected}).first;
        }
        const aucrecall::GroupedInput input{items, it->second.first.data(), aucrecall::GroupKeyType::i64};
        timed_check_row(state, row_name(family, n), n, it->second.second, [&] {
            return aucrecall::compute_grouped(input, {.ties = timed_ties, .threads = threads}).mean;
        });
    } catch (const std::exception& e) {
        fail_row(state, row_name(family, n), std::string("threw: ") + e.what());
    }
}

// ---- registration ----------------------------------------------------------------------------

// Families are registered in this order and Google Benchmark runs them in it.
void register_rows() {
    for (Variant v : all_variants) {
        const std::string family = family_name(variant_kind(v), {.kernel = "read_inputs"});
        auto* b = benchmark::RegisterBenchmark(family.c_str(), read_inputs_row, v);
        for (std::size_t n : all_sizes) b->Arg(static_cast<std::int64_t>(n));
    }
    for (Variant v : all_variants) {
        const std::string family = family_name(variant_kind(v), {.kernel = "validate"});
        auto* b = benchmark::RegisterBenchmark(family.c_str(), validate_row, v, family);
        for (std::size_t n : all_sizes) b->Arg(static_cast<std::int64_t>(n));
    }
    for (const Kernel& kernel : aucrecall::kernels()) {
        for (Variant v : all_variants) {
            const std::string family = family_name(variant_kind(v), {.kernel = kernel.name});
            auto* b = benchmark::RegisterBenchmark(family.c_str(), kernel_row, &kernel, v,
                                                   std::string(), family, aucrecall::data::Dist::uniform);
            for (std::size_t n : all_sizes)
                if (n <= kernel.max_practical_n) b->Arg(static_cast<std::int64_t>(n));
        }
    }
    for (const Kernel& kernel : aucrecall::kernels()) {
        if (!kernel.uses_simd_dispatch) continue;
        for (std::string_view isa : aucrecall::simd_isas_supported()) {
            const std::string family = family_name("isa", {.kernel = kernel.name, .isa = isa});
            auto* b = benchmark::RegisterBenchmark(family.c_str(), kernel_row, &kernel,
                                                   Variant::i64_f64, std::string(isa), family,
                                                   aucrecall::data::Dist::uniform);
            // Not below simd_from_n (keysort: 513 items, where vqsort starts; below, only
            // its split is per instruction set) nor at the study's 5 items: there the rows would
            // compare little or no per-instruction-set code.
            for (std::size_t n : all_sizes)
                if (n != study_example_n && n >= aucrecall::testing::simd_from_n(kernel) && n <= kernel.max_practical_n)
                    b->Arg(static_cast<std::int64_t>(n));
        }
    }
    // The default kernel's choice is checked on other score distributions too: every kernel
    // practical at all dist_sizes, on data that stresses bucketing and sorting differently.
    for (aucrecall::data::Dist dist : other_dists)
        for (const Kernel& kernel : aucrecall::kernels()) {
            if (kernel.max_practical_n < *std::max_element(std::begin(dist_sizes), std::end(dist_sizes))) continue;
            const std::string family =
                family_name("dist", {.kernel = kernel.name, .dist = aucrecall::data::name(dist)});
            auto* b = benchmark::RegisterBenchmark(family.c_str(), kernel_row, &kernel, Variant::i64_f64,
                                                   std::string(), family, dist);
            for (std::size_t n : dist_sizes) b->Arg(static_cast<std::int64_t>(n));
        }
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    for (const Kernel& kernel : aucrecall::kernels()) {
        if (!kernel.multithreaded) continue;
        for (unsigned threads : scaling_threads) {
            if (threads > cpus) {
                settings.scaling_left_out.push_back(std::to_string(threads));
                continue;
            }
            const std::string family =
                family_name("threads", {.kernel = kernel.name, .threads = std::to_string(threads)});
            auto* b = benchmark::RegisterBenchmark(family.c_str(), thread_scaling_row, &kernel,
                                                   threads, family);
            for (std::size_t n : scaling_sizes)
                if (n <= kernel.max_practical_n) b->Arg(static_cast<std::int64_t>(n));
        }
    }
    for (std::uint64_t k : cutoff_ks) {
        const std::string family = family_name("cutoff", {.name = std::to_string(k)});
        auto* b = benchmark::RegisterBenchmark(family.c_str(), cutoff_row, k, family);
        for (std::size_t n : cutoff_sizes) b->Arg(static_cast<std::int64_t>(n));
    }
    {
        const std::string family = family_name("cutoff", {.name = "full"});
        auto* b = benchmark::RegisterBenchmark(family.c_str(), cutoff_row, std::uint64_t{0}, family);
        for (std::size_t n : cutoff_sizes) b->Arg(static_cast<std::int64_t>(n));
    }
    {
        const std::string wide = family_name("main", {.kernel = "ranked"});
        const std::string narrow = family_name("main", {.kernel = "ranked_u8"});
        auto* b = benchmark::RegisterBenchmark(wide.c_str(), ranked_row<std::int64_t>, std::string(), wide);
        auto* u8 = benchmark::RegisterBenchmark(narrow.c_str(), ranked_row<std::uint8_t>, std::string(), narrow);
        auto* floor = benchmark::RegisterBenchmark(family_name("main", {.kernel = "read_labels"}).c_str(),
                                                   read_labels_row);
        for (std::size_t n : all_sizes) {
            b->Arg(static_cast<std::int64_t>(n));
            u8->Arg(static_cast<std::int64_t>(n));
            floor->Arg(static_cast<std::int64_t>(n));
        }
    }
    for (std::string_view isa : aucrecall::simd_isas_supported()) {
        const std::string wide = family_name("isa", {.kernel = "ranked", .isa = isa});
        const std::string narrow = family_name("isa", {.kernel = "ranked_u8", .isa = isa});
        auto* b = benchmark::RegisterBenchmark(wide.c_str(), ranked_row<std::int64_t>, std::string(isa), wide);
        auto* u8 = benchmark::RegisterBenchmark(narrow.c_str(), ranked_row<std::uint8_t>, std::string(isa), narrow);
        for (std::size_t n : large_sizes) {
            b->Arg(static_cast<std::int64_t>(n));
            u8->Arg(static_cast<std::int64_t>(n));
        }
    }
    for (const auto& [groups, size] : grouped_shapes) {
        const std::string shape = std::to_string(groups) + "x" + std::to_string(size);
        const auto items = static_cast<std::int64_t>(groups * size);
        const std::string one_thread = family_name("grouped", {.name = shape});
        const std::string threaded = family_name("grouped_mt", {.name = shape});
        benchmark::RegisterBenchmark(one_thread.c_str(), grouped_row, groups, size, true, 1u, one_thread)->Arg(items);
        benchmark::RegisterBenchmark(threaded.c_str(), grouped_row, groups, size, true, 0u, threaded)->Arg(items);
    }
    {
        const auto [groups, size] = grouped_shuffled_shape;
        const std::string family =
            family_name("grouped_shuffled", {.name = std::to_string(groups) + "x" + std::to_string(size)});
        benchmark::RegisterBenchmark(family.c_str(), grouped_row, groups, size, false, 1u, family)
            ->Arg(static_cast<std::int64_t>(groups * size));
    }
    for (const Kernel& kernel : aucrecall::kernels()) {
        const std::string family = family_name("phases", {.kernel = kernel.name});
        auto* b = benchmark::RegisterBenchmark(family.c_str(), phases_row, &kernel, std::string(), family);
        // A size-limited kernel's largest size costs seconds per call; its main row times it.
        for (std::size_t n : large_sizes)
            if (n < kernel.max_practical_n) b->Arg(static_cast<std::int64_t>(n));
        if (!kernel.uses_simd_dispatch) continue;
        for (std::string_view isa : aucrecall::simd_isas_supported()) {
            const std::string per_isa = family_name("phases", {.kernel = kernel.name, .isa = isa});
            auto* r = benchmark::RegisterBenchmark(per_isa.c_str(), phases_row, &kernel, std::string(isa), per_isa);
            for (std::size_t n : phase_isa_sizes)
                if (n < kernel.max_practical_n) r->Arg(static_cast<std::int64_t>(n));
        }
    }
}

// ---- context and command line ----------------------------------------------------------------

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0)
            if (auto colon = line.find(':'); colon != std::string::npos)
                return line.substr(line.find_first_not_of(" \t", colon + 1));
    return "unknown";
}

std::string compiler() {
#if defined(__clang__)
    return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    return std::string("gcc ") + __VERSION__;
#else
    return "unknown";
#endif
}

std::string join(const std::vector<std::string_view>& items) {
    std::string out;
    for (std::string_view item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

void add_context() {
    namespace info = aucrecall_bench::build_info;
    const auto example = aucrecall::data::study_example<std::int64_t, double>();
    const Input example_input =
        aucrecall::make_input<std::int64_t, double>(example.labels(), example.scores());
    const std::pair<const char*, std::string> entries[] = {
        {"aucrecall_version", std::string(aucrecall::version())},
        {"compiler", compiler()},
        {"cxx_compiler_path", info::cxx_compiler},
        {"build_type", info::build_type},
        {"cxx_flags", info::cxx_flags},
        {"compile_options", info::compile_options},
        {"xsimd_version", std::string(aucrecall::detail::xsimd_version())},
        {"google_benchmark_version", info::benchmark_version},
        {"cpu_model", cpu_model()},
        {"simd_isas_supported", join(aucrecall::simd_isas_supported())},
        {"simd_isa_default", settings.default_isa},
        {"default_kernel", std::string(aucrecall::default_kernel(example_input).name)},
        {"seed", std::to_string(settings.seed)},
        {"seed_source", settings.seed_source},
        {"min_time_s", settings.min_time},
        {"ties", std::string(aucrecall::to_string(timed_ties))},
        {"logical_cpus", std::to_string(std::thread::hardware_concurrency())},
        {"threads_env", std::getenv("AUCRECALL_THREADS") ? std::getenv("AUCRECALL_THREADS")
                                                          : "unset (kernels choose)"},
        {"thread_scaling_left_out",
         settings.scaling_left_out.empty()
             ? std::string("none")
             : join(std::vector<std::string_view>(settings.scaling_left_out.begin(),
                                                  settings.scaling_left_out.end())) +
                   " threads: more than the logical CPUs"},
        {"data", "n=5: the study's fixed example; other n: data::generate(n, uniform, seed): "
                 "scores uniform in [0,1), labels 0/1 with probability 1/2; rows <kernel>/<n> use "
                 "int64 labels + float64 scores, rows <kernel>_f32u8/<n> uint8 + float32"},
        {"timed", "kernel.run only, data generated outside timing; the result is checked against "
                  "tests/reference.hpp (exact) before timing, relative tolerance " +
                      format_double(relative_tolerance, "%g")},
        {"counters", "items_per_second and ns_per_item from the wall-clock time of the timed loop "
                     "(= real_time); rel_error: |kernel - exact| / exact"},
    };
    for (const auto& [key, value] : entries) benchmark::AddCustomContext(key, value);
}

std::uint64_t parse_seed(std::string_view text, const char* where) {
    std::uint64_t seed = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument(std::string(where) + ": '" + std::string(text) +
                                    "' is not a seed (an unsigned 64-bit decimal integer)");
    return seed;
}

// Takes --seed=N out of the arguments (Google Benchmark rejects flags it does not know; the
// environment variable AUCRECALL_SEED is the fallback) and adds --benchmark_min_time=<default>
// unless the caller gave one. Returns the arguments for benchmark::Initialize.
std::vector<char*> parse_own_flags(int argc, char** argv) {
    if (const char* env = std::getenv("AUCRECALL_SEED"); env != nullptr) {
        settings.seed = parse_seed(env, "AUCRECALL_SEED");
        settings.seed_source = "AUCRECALL_SEED";
    }
    static std::string min_time_flag = "--benchmark_min_time=" + std::string(default_min_time);
    std::vector<char*> args = {argv[0], min_time_flag.data()};  // later flags override it
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.rfind("--seed=", 0) == 0) {
            settings.seed = parse_seed(arg.substr(7), "--seed");
            settings.seed_source = "--seed";
            continue;
        }
        if (arg.rfind("--benchmark_min_time=", 0) == 0) settings.min_time = arg.substr(21);
        args.push_back(argv[i]);
    }
    args.push_back(nullptr);
    return args;
}

void print_help() {
    benchmark::PrintDefaultHelp();
    std::fprintf(stdout,
                 "aucrecall-bench options:\n"
                 "  --seed=<uint64>  data seed (default %llu; environment: AUCRECALL_SEED)\n"
                 "  AUCRECALL_ARCH   instruction set of the plain rows (default: best supported)\n"
                 "  --benchmark_min_time defaults to %s s here (Google Benchmark's own: 0.5)\n",
                 static_cast<unsigned long long>(aucrecall::data::default_seed),
                 std::string(default_min_time).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args;
    try {
        args = parse_own_flags(argc, argv);
        settings.default_isa = std::string(aucrecall::simd_isa_active());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aucrecall-bench: %s\n", e.what());
        return 2;
    }
    int arg_count = static_cast<int>(args.size()) - 1;
    benchmark::Initialize(&arg_count, args.data(), print_help);
    if (benchmark::ReportUnrecognizedArguments(arg_count, args.data())) return 2;
    register_rows();
    add_context();
    std::fprintf(stderr, "aucrecall-bench: seed %llu (%s); plain rows use instruction set %s\n",
                 static_cast<unsigned long long>(settings.seed), settings.seed_source.c_str(),
                 settings.default_isa.c_str());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (!failed_rows.empty()) {
        std::fprintf(stderr, "aucrecall-bench: %zu row(s) FAILED their check:\n", failed_rows.size());
        for (const auto& [row, error] : failed_rows)
            std::fprintf(stderr, "  %s: %s\n", row.c_str(), error.c_str());
        return 1;
    }
    return 0;
}
