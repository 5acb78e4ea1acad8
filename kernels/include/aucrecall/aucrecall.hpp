// aucrecall: AUC-Recall@k (SPEC.md): over the full ranking or the first K ranks, of one scored
// list, one ranked list, or many groups (one list per query) at once.
//
// One public header. Typical use:
//
//   std::vector<int64_t> labels = {1, 0, 1, 1, 0};
//   std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5};
//   double m = aucrecall::auc_recall(labels, scores);            // 0.8
//   double m3 = aucrecall::auc_recall(labels, scores, {.k = 3}); // 5/8: first 3 ranks only
//   double r = aucrecall::auc_recall_ranked(labels);             // labels already in rank order
//   std::vector<int64_t> query = {7, 7, 9, 9, 9};
//   auto per_query = aucrecall::auc_recall_grouped(labels, scores, query);  // .values, .mean
//
// Every kernel computes the same value; they differ only in technique and speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aucrecall {

// How scores that compare equal are ranked (SPEC.md, "Ties").
enum class Ties : std::uint8_t {
    average,  // mean over every ranking consistent with the scores; order-independent
    stable,   // ties keep input order: numpy.argsort(-scores, kind="stable")
};

std::string_view to_string(Ties ties) noexcept;
// Parses "average" or "stable"; throws std::invalid_argument otherwise.
Ties parse_ties(std::string_view text);

enum class LabelType : std::uint8_t { boolean, u8, i32, i64 };
// Integer scores are exact: compute(), the grouped entry points and the cutoff order them as
// integers (those within +-2^53, where every integer is a double, as their doubles; wider int64
// and uint64 values by their dense rank, one sort), so values above 2^53 never collapse into
// ties. The mergeable summary and the partitioned counts take integers within +-2^53 and refuse
// wider ones with std::invalid_argument (their score bounds and keys are doubles). The kernels
// themselves read floats: calling a Kernel's run() directly with integer scores throws.
enum class ScoreType : std::uint8_t { f32, f64, i32, i64, u64 };

template <class T> inline constexpr bool is_label_type_v =
    std::is_same_v<T, bool> || std::is_same_v<T, std::uint8_t> ||
    std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>;
template <class T> inline constexpr bool is_score_type_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t>;

template <class T> constexpr LabelType label_type_of() noexcept {
    static_assert(is_label_type_v<T>, "labels must be bool, uint8_t, int32_t or int64_t");
    if constexpr (std::is_same_v<T, bool>) return LabelType::boolean;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return LabelType::u8;
    else if constexpr (std::is_same_v<T, std::int32_t>) return LabelType::i32;
    else return LabelType::i64;
}
template <class T> constexpr ScoreType score_type_of() noexcept {
    static_assert(is_score_type_v<T>, "scores must be float, double, int32_t, int64_t or uint64_t");
    if constexpr (std::is_same_v<T, float>) return ScoreType::f32;
    else if constexpr (std::is_same_v<T, double>) return ScoreType::f64;
    else if constexpr (std::is_same_v<T, std::int32_t>) return ScoreType::i32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return ScoreType::i64;
    else return ScoreType::u64;
}

// The largest input the library accepts: 2^40 items (16 TiB of int64/double input). Every count
// of the rank-sum identity then stays far inside the 128-bit integers it is computed in (2nP and
// P^2 below 2^81, times a tie share's denominator below 2^121), so no intermediate can overflow;
// larger n is rejected with std::length_error before anything is read.
inline constexpr std::size_t max_items = std::size_t{1} << 40;

// A type-erased view of one input. Kernels all take this (plus the tie policy) so that a
// single registry can hold them; the typed entry point below builds it.
struct Input {
    const void* labels = nullptr;
    const void* scores = nullptr;
    std::size_t n = 0;
    LabelType label_type = LabelType::i64;
    ScoreType score_type = ScoreType::f64;
};

template <class Label, class Score>
Input make_input(std::span<const Label> labels, std::span<const Score> scores) {
    if (labels.size() != scores.size())
        throw std::invalid_argument("labels and scores differ in length: " +
                                    std::to_string(labels.size()) + " labels, " +
                                    std::to_string(scores.size()) + " scores");
    return Input{labels.data(), scores.data(), labels.size(), label_type_of<Label>(),
                 score_type_of<Score>()};
}

// Thrown for input the metric is not defined on. `index()` is the offending item.
class InvalidInput : public std::invalid_argument {
public:
    InvalidInput(const std::string& what, std::size_t index)
        : std::invalid_argument(what), index_(index) {}
    std::size_t index() const noexcept { return index_; }

private:
    std::size_t index_;
};

// Checks what SPEC.md rejects: a NaN score or a label other than 0/1 (lengths are checked by
// make_input). Throws InvalidInput naming the first offending index.
void validate(const Input& input);

// A kernel: computes the metric of an already validated input.
using KernelFn = double (*)(const Input&, Ties);
// The same at cutoff K (SPEC.md "Cutoff K"); k = 0 or k >= n is the full metric.
using KernelAtFn = double (*)(const Input&, Ties, std::uint64_t k);

struct Kernel {
    std::string_view name;
    std::string_view description;
    KernelFn run;
    // Every kernel computes metric@K its own way (the curve kernels cut their curves, the rank-sum
    // kernels count the items that can reach rank K, selected in O(n)).
    KernelAtFn run_at;
    // Largest n the kernel is practical for (the O(n^2) study baseline stops at 10^5): the CLI
    // warns beyond it, the benchmark and the big-size tests stop there.
    std::size_t max_practical_n;
    // True when the kernel's hot loop goes through the per-instruction-set dispatch below.
    bool uses_simd_dispatch;
    // True when the kernel splits one call over several threads (count: AUCRECALL_THREADS, else
    // the hardware's); the benchmark's thread-scaling rows are made for these.
    bool multithreaded = false;
    // True when run() checks the input itself (SPEC.md's rejections, InvalidInput naming the first
    // bad index) in a pass it makes anyway, so compute() reads the input once instead of twice.
    bool checks_input = false;
};

// The registry: the only list of kernels in the code base.
std::span<const Kernel> kernels() noexcept;
// nullptr when no kernel has that name.
const Kernel* find_kernel(std::string_view name) noexcept;
// The kernel the library uses when none is named: the fastest correct one for this input.
const Kernel& default_kernel(const Input& input) noexcept;

struct Options {
    std::string_view kernel{};  // empty: default_kernel()
    Ties ties = Ties::average;
    // Cutoff K (SPEC.md): only the first min(K, n) ranks count. 0 = no cutoff (the full metric).
    std::uint64_t k = 0;
};

// Validates, picks the kernel, runs it. NaN when the metric is undefined (no positive, fewer
// than 2 ranks in the cutoff).
// Throws InvalidInput for bad data and std::invalid_argument for an unknown kernel name.
double compute(const Input& input, const Options& options = {});

// Any contiguous containers or spans: std::vector, std::array, std::span, C arrays.
// (std::vector<bool> is not contiguous: pass bool labels as a span or array.)
template <std::ranges::contiguous_range Labels, std::ranges::contiguous_range Scores>
double auc_recall(const Labels& labels, const Scores& scores, const Options& options = {}) {
    using Label = std::remove_cv_t<std::ranges::range_value_t<Labels>>;
    using Score = std::remove_cv_t<std::ranges::range_value_t<Scores>>;
    return compute(make_input(std::span<const Label>(std::ranges::data(labels), std::ranges::size(labels)),
                              std::span<const Score>(std::ranges::data(scores), std::ranges::size(scores))),
                   options);
}

// ---- ranked input (SPEC.md "Ranked input") ------------------------------------------------------
// Labels alone, already in rank order (index 0 is rank 0): one pass, no sort.
struct RankedInput {
    const void* labels = nullptr;
    std::size_t n = 0;
    LabelType label_type = LabelType::i64;
};
// Throws InvalidInput for a label other than 0/1. k = 0: no cutoff.
double compute_ranked(const RankedInput& input, std::uint64_t k = 0);

template <std::ranges::contiguous_range Labels>
double auc_recall_ranked(const Labels& labels, std::uint64_t k = 0) {
    using Label = std::remove_cv_t<std::ranges::range_value_t<Labels>>;
    return compute_ranked(RankedInput{std::ranges::data(labels), std::ranges::size(labels),
                                      label_type_of<Label>()},
                          k);
}

// ---- groups (SPEC.md "Groups": per-query evaluation) -------------------------------------------
// What a group whose metric is undefined (no positive, fewer than 2 ranks) contributes.
enum class Undefined : std::uint8_t {
    skip,   // NaN, left out of the mean
    zero,   // 0, counted in the mean
    error,  // the call throws UndefinedGroup naming the first such group
};
std::string_view to_string(Undefined policy) noexcept;
// Parses "skip", "zero" or "error"; throws std::invalid_argument otherwise.
Undefined parse_undefined(std::string_view text);

struct GroupOptions {
    Ties ties = Ties::average;
    std::uint64_t k = 0;  // cutoff per group; 0 = none
    Undefined undefined = Undefined::skip;
    // Threads across groups; 0 = automatic (AUCRECALL_THREADS, else the hardware's, one thread per
    // large enough share of the items). The result is bit-identical for every thread count.
    unsigned threads = 0;
    // Groups whose items are interleaved are put in group order first. By default their labels and
    // scores are copied in that order: 9 to 12 bytes per item of scratch with float64 scores, the
    // fastest when calls repeat (the scratch stays warm). With low_memory and many groups (where
    // the library partitions them; a few groups are copied directly), only the items' order is
    // kept (5 to 8 bytes per item) and each score is read from the input when its group is
    // evaluated, from a random place: measured on a whole call with 10M items in 100,000 groups,
    // 1.3x (two threads) to 1.5x (one thread) the time of warm copies; a one-off call, whose
    // scratch is fresh memory either way, took 0.2-0.35 s both ways. The results are the same bit
    // for bit.
    bool low_memory = false;
};

// Group keys: any integer type; they are hashed (never used as indices), so any values work.
enum class GroupKeyType : std::uint8_t { i8, u8, i16, u16, i32, u32, i64, u64 };
template <class T> inline constexpr bool is_group_key_v =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) <= 8;
template <class T> constexpr GroupKeyType group_key_type_of() noexcept {
    static_assert(is_group_key_v<T>, "group keys must be an integer type of at most 64 bits");
    if constexpr (sizeof(T) == 1) return std::is_signed_v<T> ? GroupKeyType::i8 : GroupKeyType::u8;
    else if constexpr (sizeof(T) == 2) return std::is_signed_v<T> ? GroupKeyType::i16 : GroupKeyType::u16;
    else if constexpr (sizeof(T) == 4) return std::is_signed_v<T> ? GroupKeyType::i32 : GroupKeyType::u32;
    else return std::is_signed_v<T> ? GroupKeyType::i64 : GroupKeyType::u64;
}

// Items plus a key per item. items.scores == nullptr: each group's items are in rank order
// (the ranked form); items.score_type is then ignored.
struct GroupedInput {
    Input items;
    const void* keys = nullptr;
    GroupKeyType key_type = GroupKeyType::i64;
};

// Per group, in order of first appearance: the index of its first item, its metric, size and
// positives; then the summary over groups.
struct GroupSummary {
    std::vector<std::uint64_t> first_item;
    std::vector<double> values;  // NaN for undefined groups under `skip`, 0 under `zero`
    std::vector<std::uint64_t> n;
    std::vector<std::uint64_t> positives;
    double mean = 0;              // unweighted mean over counted groups; NaN when none
    std::uint64_t counted = 0;
    std::uint64_t skipped = 0;
};

// Thrown under Undefined::error. index() is the group's first item; group() its position in
// order of first appearance.
class UndefinedGroup : public InvalidInput {
public:
    UndefinedGroup(const std::string& what, std::size_t first_item, std::size_t group)
        : InvalidInput(what, first_item), group_(group) {}
    std::size_t group() const noexcept { return group_; }

private:
    std::size_t group_;
};

// Validates (labels, scores, lengths), then computes every group. Throws InvalidInput for bad
// data, UndefinedGroup under Undefined::error.
GroupSummary compute_grouped(const GroupedInput& input, const GroupOptions& options = {});
// The contiguous (CSR) layout: group g is items offsets[g] .. offsets[g+1]-1; offsets start at 0,
// never decrease and end at n. No hashing, no reordering. An empty group is undefined.
GroupSummary compute_grouped_offsets(const Input& items, std::span<const std::uint64_t> offsets,
                                     const GroupOptions& options = {});
// Groups numbered already: ids[i] is item i's group, numbered 0, 1, 2, ... in order of first
// appearance (what hashing the keys gives: the CLI's parsed keys, pandas.factorize codes with
// sort=False). No hashing; a group's items need not be contiguous. Groups are reported in id
// order; an id that skips past the next new number is InvalidInput naming its index.
GroupSummary compute_grouped_ids(const Input& items, std::span<const std::uint32_t> ids,
                                 const GroupOptions& options = {});

template <class Key>
struct GroupedResult {
    std::vector<Key> groups;  // keys in order of first appearance
    std::vector<double> values;
    std::vector<std::uint64_t> n;
    std::vector<std::uint64_t> positives;
    double mean = 0;
    std::uint64_t counted = 0;
    std::uint64_t skipped = 0;
};

namespace detail {
template <class Key>
GroupedResult<Key> with_keys(GroupSummary&& s, const Key* keys) {
    GroupedResult<Key> r;
    r.groups.reserve(s.first_item.size());
    for (std::uint64_t i : s.first_item) r.groups.push_back(keys[i]);
    r.values = std::move(s.values);
    r.n = std::move(s.n);
    r.positives = std::move(s.positives);
    r.mean = s.mean;
    r.counted = s.counted;
    r.skipped = s.skipped;
    return r;
}
template <class Range> using value_t = std::remove_cv_t<std::ranges::range_value_t<Range>>;
template <class Keys> void check_key_count(std::size_t items, const Keys& keys) {
    if (std::ranges::size(keys) != items)
        throw std::invalid_argument("labels and group keys differ in length: " + std::to_string(items) +
                                    " labels, " + std::to_string(std::ranges::size(keys)) + " keys");
}
}  // namespace detail

// Scored items with a group key each.
template <std::ranges::contiguous_range Labels, std::ranges::contiguous_range Scores,
          std::ranges::contiguous_range Keys>
GroupedResult<detail::value_t<Keys>> auc_recall_grouped(const Labels& labels, const Scores& scores,
                                                        const Keys& keys, const GroupOptions& options = {}) {
    using Key = detail::value_t<Keys>;
    const Input items = make_input(
        std::span<const detail::value_t<Labels>>(std::ranges::data(labels), std::ranges::size(labels)),
        std::span<const detail::value_t<Scores>>(std::ranges::data(scores), std::ranges::size(scores)));
    detail::check_key_count(items.n, keys);
    return detail::with_keys(
        compute_grouped({items, std::ranges::data(keys), group_key_type_of<Key>()}, options),
        std::ranges::data(keys));
}

// Ranked lists: within each group, the items' order in the input is the rank order.
template <std::ranges::contiguous_range Labels, std::ranges::contiguous_range Keys>
GroupedResult<detail::value_t<Keys>> auc_recall_grouped_ranked(const Labels& labels, const Keys& keys,
                                                               const GroupOptions& options = {}) {
    using Key = detail::value_t<Keys>;
    Input items{std::ranges::data(labels), nullptr, std::ranges::size(labels),
                label_type_of<detail::value_t<Labels>>()};
    detail::check_key_count(items.n, keys);
    return detail::with_keys(
        compute_grouped({items, std::ranges::data(keys), group_key_type_of<Key>()}, options),
        std::ranges::data(keys));
}

// ---- partitioned input (SPEC.md "Partitioned input"): mergeable counts -------------------------
// The integers of the rank-sum identity for one input, which is all the metric needs: counted by
// the library's fastest kernel, and mergeable. Two inputs whose score ranges do not overlap
// combine into the summary of their concatenation (merge), so a data set split by score range,
// by shard or by query is counted part by part and still gives the exact metric:
//
//   auto high = aucrecall::summarize(labels_a, scores_a);   // every score of a above those of b
//   auto low = aucrecall::summarize(labels_b, scores_b);
//   double m = aucrecall::metric(aucrecall::merge(high, low));   // == auc_recall(a ++ b)
struct RankSumSummary {
    Ties ties = Ties::average;            // the policy it was counted for (metric() applies it)
    std::uint64_t n = 0;
    std::uint64_t positives = 0;          // P; the negatives are n - P
    unsigned __int128 discordant = 0;     // D: (negative, positive) pairs, negative scored higher
    unsigned __int128 tied = 0;           // T: (negative, positive) pairs with equal scores
    // Under `stable` only (0 under `average`): the tied pairs whose negative comes first in input
    // order (Ts), which rank the negative above the positive.
    unsigned __int128 tied_negative_first = 0;
    // The highest score's tie group: y0 is top_positives / top_size under `average`, the label of
    // its first item in input order under `stable`.
    std::uint64_t top_size = 0;
    std::uint64_t top_positives = 0;
    bool top_first_positive = false;
    // The score range (both 0 items: lowest = +inf, highest = -inf); merge() checks with it that
    // two parts do not overlap.
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -std::numeric_limits<double>::infinity();
};

// Validates like compute() (InvalidInput naming the first bad item) and counts. Under `stable`
// a second count runs when some scores tie across labels (Ts needs input order).
RankSumSummary summarize(const Input& input, Ties ties = Ties::average);

// The summary of the concatenation of two parts whose scores do not overlap (every score of one
// above every score of the other; either may be empty), in either argument order: n, P, T and
// Ts add, D = D_high + D_low + N_high * P_low, the top group is the higher part's. Throws
// std::invalid_argument when the score ranges overlap (a tie across the parts would need the
// items themselves) or the parts were counted for different tie policies.
RankSumSummary merge(const RankSumSummary& a, const RankSumSummary& b);

// The metric from a summary: the same final division as compute(), so the same bits.
double metric(const RankSumSummary& summary);

template <std::ranges::contiguous_range Labels, std::ranges::contiguous_range Scores>
RankSumSummary summarize(const Labels& labels, const Scores& scores, Ties ties = Ties::average) {
    using Label = std::remove_cv_t<std::ranges::range_value_t<Labels>>;
    using Score = std::remove_cv_t<std::ranges::range_value_t<Scores>>;
    return summarize(make_input(std::span<const Label>(std::ranges::data(labels), std::ranges::size(labels)),
                                std::span<const Score>(std::ranges::data(scores), std::ranges::size(scores))),
                     ties);
}

// The pieces an engine for partitioned data (the Python module's aucrecall.dask) computes the exact
// metric from, each partition counted where it lies. Scores compare through one 64-bit order key
// for float and double alike (a float converts exactly): a < b <=> score_key(a) < score_key(b),
// and -0.0 and 0.0 share a key.
namespace partitioned {

std::uint64_t score_key(double score) noexcept;

// Histogram bins are the top histogram_bits bits of the key: bins never split equal scores, and
// for scores in [0, 1) each binade is split into 2^(histogram_bits - 12) bins.
inline constexpr int histogram_bits = 20;

// One partition's first pass: the input checks (InvalidInput with the index inside the
// partition), n, P, the highest score's tie group, and the per-label histogram (distinct bins,
// ascending, with their counts).
struct PartitionScan {
    std::uint64_t n = 0;
    std::uint64_t positives = 0;
    std::uint64_t top_key = 0;  // meaningless when n = 0
    std::uint64_t top_size = 0;
    std::uint64_t top_positives = 0;
    bool top_first_positive = false;
    std::vector<std::uint32_t> bins;
    std::vector<std::uint64_t> bin_positives;
    std::vector<std::uint64_t> bin_negatives;
};
PartitionScan scan(const Input& input);

// The (negative, positive) pairs between the items of one class taken from the whole data set
// (their keys ascending, ties by global position: `positions`) and the items of the other class
// in one partition whose first row has global position `first_position`. `class_is_positive`
// says which class the given keys are. Ts (tied, negative first in global order) is counted
// under `stable` only.
struct PairTotals {
    unsigned __int128 discordant = 0;
    unsigned __int128 tied = 0;
    unsigned __int128 tied_negative_first = 0;
};
PairTotals count_against(const Input& partition, std::uint64_t first_position,
                         std::span<const std::uint64_t> keys, std::span<const std::uint64_t> positions,
                         bool class_is_positive, Ties ties);

// metric@K of a data set from the part of it that can reach rank K: `top` holds every item
// scoring at or above some threshold (so ranks 0..K-1 and the whole tie group at rank K-1), in
// input order; the data set's other `positives_elsewhere` positives rank below them and count
// only in P. 1 <= k <= top.n; validates `top`.
double compute_top(const Input& top, std::uint64_t k, std::uint64_t positives_elsewhere, Ties ties);

// The same when the tie group at rank K-1 is too large to gather: `top` holds every item scoring
// above that group's score and the group's first items in input order, at least enough to reach
// rank K-1; `tied_elsewhere` more items of the group (`tied_positives_elsewhere` of them
// positive) were left out. They follow the given ones in input order, so under `stable` they
// rank below K and count only in P; under `average` every rank of the group holds p_G / g of a
// positive, so they count in g and p_G (SPEC.md, closed form). Their positives are also in
// `positives_elsewhere`. Throws std::invalid_argument when tied_positives_elsewhere exceeds
// tied_elsewhere or positives_elsewhere.
double compute_top(const Input& top, std::uint64_t k, std::uint64_t positives_elsewhere, Ties ties,
                   std::uint64_t tied_elsewhere, std::uint64_t tied_positives_elsewhere);

}  // namespace partitioned

// ---- SIMD instruction sets -------------------------------------------------------------------
// SIMD kernels are compiled once per x86-64 instruction set; the best one the CPU supports is
// chosen at start-up. The environment variable AUCRECALL_ARCH (scalar, sse2, sse4_2, avx2,
// avx512) forces one; an unknown or unsupported value makes the first SIMD call throw.

// Every instruction set compiled in, best last ("scalar" first).
std::span<const std::string_view> simd_isas_compiled() noexcept;
// Those of simd_isas_compiled() this CPU can run.
std::vector<std::string_view> simd_isas_supported();
// The instruction set SIMD kernels use now. Throws std::runtime_error if AUCRECALL_ARCH is invalid.
std::string_view simd_isa_active();
// Forces an instruction set for this process (overrides AUCRECALL_ARCH). Throws
// std::invalid_argument naming the value if it is unknown or the CPU cannot run it.
void force_simd_isa(std::string_view isa);
// The instruction set whose code the last SIMD kernel call on this thread ran ("" before any):
// lets tests and tools prove that a forced instruction set is the one that ran.
std::string_view simd_isa_last_used() noexcept;

// ---- scratch memory ---------------------------------------------------------------------------
// The rank-sum kernels keep their large work arrays (up to 3 blocks of at most 256 MiB each) per
// thread between calls: allocating them afresh costs page faults on every call (measured ~40% of
// radix_rank at n = 100000). After a very large call that is up to 16 bytes per item kept; a
// caller that is done can hand it back.
// Bytes of scratch memory the calling thread keeps between calls.
std::size_t scratch_bytes() noexcept;
// Frees the calling thread's kept scratch memory and returns free heap pages to the system
// (glibc's malloc_trim); the next large call allocates it again.
void release_scratch() noexcept;

// Library version string.
std::string_view version() noexcept;

}  // namespace aucrecall
