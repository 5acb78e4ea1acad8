// The `scalar` entry table (entries.hpp): every per-instruction-set entry point written one
// item at a time. kernels/CMakeLists.txt compiles this file without auto-vectorisation, so the
// @scalar rows measure scalar code and the per-instruction-set rows are compared with it, not
// with what the compiler made of it. It is also the fallback for AUCRECALL_ARCH=scalar.
#include "simd/entries.hpp"
#include "simd/ops/bucket_records.hpp"
#include "simd/ops/input_stats.hpp"
#include "simd/ops/label_split.hpp"
#include "simd/ops/ranked_scan.hpp"
#include "simd/ops/record_scan.hpp"

#include <algorithm>

namespace aucrecall::detail {
namespace {

using std::uint8_t, std::uint32_t, std::uint64_t;

// simd_scan's prefix sum, recall and ideal curves and their area ratio.
double curves(double* ranked, std::size_t n, double positives) {
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

template <class Score>
pair_count_detail::PairTotals count_pairs(const Score* pos, std::size_t p, const Score* neg, std::size_t q) {
    pair_count_detail::PairTotals t;
    for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j < q; ++j) {
            t.higher += neg[j] > pos[i];
            t.equal += neg[j] == pos[i];
        }
    if (p + q == 0) return t;
    Score top = p > 0 ? pos[0] : neg[0];
    for (std::size_t i = 0; i < p; ++i) top = pos[i] > top ? pos[i] : top;
    for (std::size_t j = 0; j < q; ++j) top = neg[j] > top ? neg[j] : top;
    for (std::size_t i = 0; i < p; ++i) t.top_positives += pos[i] == top;
    for (std::size_t j = 0; j < q; ++j) t.top_negatives += neg[j] == top;
    return t;
}

template <class Word>
ranked_detail::BlockSums ranked_block(const Word* y, std::uint32_t count) {
    ranked_detail::BlockSums sums;
    ranked_detail::scalar_tail(y, 0, count, sums);
    return sums;
}

template <class Word, class Score>
input_stats_detail::InputStats input_stats(const Word* labels, const Score* scores, std::size_t n) {
    input_stats_detail::InputStats s = input_stats_detail::no_items;
    input_stats_detail::scalar_stats(labels, scores, 0, n, s);
    return s;
}

template <class Score>
void linear_records(const Score* scores, std::size_t n, std::uint64_t first_index,
                    bucket_detail::LinearMap map, std::uint64_t* out) {
    bucket_detail::scalar_linear_records(scores, n, first_index, map, out);
}

record_scan_detail::RunSums singleton_run(const std::uint64_t* records, std::size_t from, std::size_t end) {
    return record_scan_detail::scalar_run(records, from, end, {0, 0, 0});
}

template <class Word, class Score>
std::size_t split_by_label(const Word* labels, const Score* scores, std::size_t n,
                           label_split_detail::key_t<Score>* pos, label_split_detail::key_t<Score>* neg) {
    return label_split_detail::scalar_split(labels, scores, 0, n, pos, neg, 0, 0);
}

template <class Word, class Score>
label_split_detail::ScoreSplit split_scores(const Word* labels, const Score* scores, std::size_t n, Score* pos,
                                            Score* neg) {
    return label_split_detail::scalar_split_scores(labels, scores, 0, n, pos, neg, {0, 0, false}, 0);
}

#define AUCRECALL_STRINGIFY_VALUE(x) #x
#define AUCRECALL_STRINGIFY(x) AUCRECALL_STRINGIFY_VALUE(x)
constexpr const char* compiled_xsimd_version = AUCRECALL_STRINGIFY(XSIMD_VERSION_MAJOR) "." AUCRECALL_STRINGIFY(
    XSIMD_VERSION_MINOR) "." AUCRECALL_STRINGIFY(XSIMD_VERSION_PATCH);
#undef AUCRECALL_STRINGIFY
#undef AUCRECALL_STRINGIFY_VALUE

}  // namespace

// This unit includes xsimd (through ops/), so it answers for the whole library.
std::string_view xsimd_version() noexcept { return compiled_xsimd_version; }

const SimdEntries simd_entries_scalar = {
    .curves = curves,
    .count_pairs = {count_pairs<float>, count_pairs<double>},
    .ranked_block = {ranked_block<uint8_t>, ranked_block<uint32_t>, ranked_block<uint64_t>},
    .input_stats = {input_stats<uint8_t, float>, input_stats<uint8_t, double>, input_stats<uint32_t, float>,
                    input_stats<uint32_t, double>, input_stats<uint64_t, float>, input_stats<uint64_t, double>},
    .linear_records = {linear_records<float>, linear_records<double>},
    .singleton_run = singleton_run,
    .split_by_label = {split_by_label<uint8_t, float>, split_by_label<uint8_t, double>, split_by_label<uint32_t, float>,
                       split_by_label<uint32_t, double>, split_by_label<uint64_t, float>, split_by_label<uint64_t, double>},
    .split_scores = {split_scores<uint8_t, float>, split_scores<uint8_t, double>, split_scores<uint32_t, float>,
                     split_scores<uint32_t, double>, split_scores<uint64_t, float>, split_scores<uint64_t, double>},
};

}  // namespace aucrecall::detail
