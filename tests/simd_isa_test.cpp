// The per-instruction-set code of every kernel that goes through the SIMD dispatch: each
// instruction set the CPU can run, forced in turn, on odd lengths (vector tails) and on spans
// that do not start at a vector boundary; plus the force/report API and AUCRECALL_ARCH.
#include "kernel_checks.hpp"
#include "simd/dispatch.hpp"
#include "simd/entries.hpp"
#include "runtime/testing_hooks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <tuple>

namespace {

using namespace kernel_checks;
namespace data = aucrecall::data;
using data::Dist;

std::vector<std::string> dispatch_kernel_names() {
    std::vector<std::string> out;
    for (const Kernel& k : aucrecall::kernels())
        if (k.uses_simd_dispatch) out.emplace_back(k.name);
    return out;
}

std::vector<std::string> compiled_isas() {
    const auto compiled = aucrecall::simd_isas_compiled();
    return {compiled.begin(), compiled.end()};
}

bool cpu_runs(std::string_view isa) {
    const auto supported = aucrecall::simd_isas_supported();
    return std::find(supported.begin(), supported.end(), isa) != supported.end();
}

// Whatever a test forces, later tests start from the default: the best supported instruction set.
void restore_best_isa() { aucrecall::force_simd_isa(aucrecall::simd_isas_supported().back()); }

// Copies of labels and scores placed `offset` elements past a 64-byte boundary, so that a kernel
// loading vectors straight from the caller's arrays meets every misalignment a caller can produce
// (elements stay naturally aligned: anything else is undefined behaviour in C++ already).
template <class T>
class PlacedCopy {
public:
    PlacedCopy(std::span<const T> source, std::size_t offset)
        : storage_(new (std::align_val_t{64}) unsigned char[(source.size() + offset + 1) * sizeof(T) + 64]) {
        T* base = reinterpret_cast<T*>(storage_.get()) + offset;
        std::copy(source.begin(), source.end(), base);
        view_ = {base, source.size()};
    }
    std::span<const T> view() const noexcept { return view_; }

private:
    struct AlignedDelete {
        void operator()(unsigned char* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
    };
    std::unique_ptr<unsigned char[], AlignedDelete> storage_;
    std::span<const T> view_;
};

using Param = std::tuple<std::string, std::string>;  // kernel, instruction set

class SimdKernelPerIsa : public ::testing::TestWithParam<Param> {
protected:
    void SetUp() override {
        if (!cpu_runs(isa())) GTEST_SKIP() << "this CPU cannot run " << isa();
        aucrecall::force_simd_isa(isa());
    }
    void TearDown() override { restore_best_isa(); }
    const Kernel& kernel() const { return kernel_named(std::get<0>(GetParam())); }
    const std::string& isa() const { return std::get<1>(GetParam()); }
};

TEST_P(SimdKernelPerIsa, OddLengthsAndMisalignedSpans) {
    const Kernel& k = kernel();
    std::vector<std::size_t> lengths(67);
    for (std::size_t i = 0; i < lengths.size(); ++i) lengths[i] = i + 1;
    for (std::size_t prime : {89u, 127u, 251u, 509u, 1021u, 2039u, 4093u}) lengths.push_back(prime);

    for (LabelType label_type : all_label_types)
        for (ScoreType score_type : all_score_types)
            with_types(label_type, score_type, [&](auto label_tag, auto score_tag) {
                using Label = typename decltype(label_tag)::type;
                using Score = typename decltype(score_tag)::type;
                constexpr std::size_t score_lanes = 64 / sizeof(Score);
                constexpr std::size_t label_lanes = 64 / sizeof(Label);
                int failures = 0;
                for (std::size_t n : lengths)
                    for (Dist dist : data::all_dists) {
                        const std::uint64_t seed = data::default_seed + n;
                        const auto d = data::generate<Label, Score>(n, dist, seed);
                        // Aligned, and one misalignment per length (rotating through them all).
                        const std::size_t misaligned_scores = 1 + n % (score_lanes - 1);
                        const std::size_t misaligned_labels = 1 + (n / 3) % (label_lanes - 1);
                        for (auto [score_offset, label_offset] :
                             {std::pair{std::size_t{0}, std::size_t{0}}, std::pair{misaligned_scores, misaligned_labels}}) {
                            const PlacedCopy<Score> scores(d.scores(), score_offset);
                            const PlacedCopy<Label> labels(d.labels(), label_offset);
                            const std::string note = "isa " + isa() + ", scores at +" +
                                                     std::to_string(score_offset * sizeof(Score)) + " bytes, labels at +" +
                                                     std::to_string(label_offset * sizeof(Label)) + " bytes";
                            for (Ties ties : all_ties) {
                                const auto result = matches_reference(
                                    k, labels.view(), scores.view(),
                                    Case{.ties = ties, .dist = data::name(dist), .positives = "half", .seed = seed, .note = note});
                                EXPECT_TRUE(result);
                                if (!result && ++failures >= 10) return;
                            }
                        }
                    }
            });
}

// The proof that forcing works: the kernel reports the instruction set whose code it ran.
TEST_P(SimdKernelPerIsa, LastUsedIsTheForcedIsa) {
    EXPECT_EQ(aucrecall::simd_isa_active(), isa());
    // simd_from_n (the benchmark's @<isa> rows start there) and past it.
    for (std::size_t n : {std::max<std::size_t>(aucrecall::testing::simd_from_n(kernel()), 2), std::size_t{1000}})
    for (Ties ties : all_ties) {
        const auto d = data::generate<std::int64_t, double>(n, Dist::uniform, 7);
        // Run another instruction set first (when there is one) so a stale report cannot pass.
        const auto supported = aucrecall::simd_isas_supported();
        const auto other = std::find_if(supported.begin(), supported.end(), [&](auto s) { return s != isa(); });
        if (other != supported.end()) {
            aucrecall::force_simd_isa(*other);
            (void)kernel().run(aucrecall::make_input(d.labels(), d.scores()), ties);
            ASSERT_EQ(aucrecall::simd_isa_last_used(), *other);
            aucrecall::force_simd_isa(isa());
        }
        (void)kernel().run(aucrecall::make_input(d.labels(), d.scores()), ties);  // value checked below
        EXPECT_EQ(aucrecall::simd_isa_last_used(), isa())
            << kernel().name << " n=" << n << " ties=" << aucrecall::to_string(ties);
        EXPECT_TRUE(matches_reference(kernel(), d.labels(), d.scores(),
                                      Case{.ties = ties, .dist = "uniform", .seed = 7, .note = isa()}));
    }
}

// A kernel that checks its input in its own first pass (Kernel::checks_input) must reject
// exactly what validate() rejects, with the same message and index, under every instruction set:
// bad labels of every type and NaN scores at the edges of vectors, of the byte-count blocks and
// of the thread chunks, the label reported first when both are wrong (validate's order).
TEST_P(SimdKernelPerIsa, ChecksItsInputLikeValidate) {
    const Kernel& k = kernel();
    if (!k.checks_input) GTEST_SKIP() << k.name << " relies on compute()'s validation";
    for (LabelType lt : all_label_types)
        for (ScoreType st : all_score_types)
            with_types(lt, st, [&](auto label_tag, auto score_tag) {
        using Label = typename decltype(label_tag)::type;
        using Score = typename decltype(score_tag)::type;
        for (std::size_t n : {std::size_t{17}, std::size_t{131}, std::size_t{1021}, std::size_t{70'001}}) {
            const auto d = data::generate<Label, Score>(n, Dist::uniform, 11);
            std::vector<std::size_t> places = {0, 1, 7, 16, 63, n / 2, n - 2, n - 1};
            if (n > 1020 * 4) places.push_back(1020 * 4);  // where a byte counter block ends (AVX2)
            std::erase_if(places, [n](std::size_t at) { return at >= n; });
            auto expect_same_error = [&](std::span<const Label> labels, std::span<const Score> scores,
                                         const std::string& what) {
                const aucrecall::Input input = aucrecall::make_input(labels, scores);
                std::string expected;
                std::size_t expected_index = 0;
                try {
                    aucrecall::validate(input);
                    ADD_FAILURE() << "validate accepted " << what;
                    return;
                } catch (const aucrecall::InvalidInput& e) {
                    expected = e.what();
                    expected_index = e.index();
                }
                for (Ties ties : all_ties) {
                    try {
                        (void)k.run(input, ties);
                        ADD_FAILURE() << k.name << " accepted " << what << ", n " << n;
                    } catch (const aucrecall::InvalidInput& e) {
                        EXPECT_EQ(std::string(e.what()), expected) << k.name << ", " << what << ", n " << n;
                        EXPECT_EQ(e.index(), expected_index) << k.name << ", " << what << ", n " << n;
                    }
                }
            };
            for (std::size_t at : places) {
                std::vector<Score> nan_scores(d.scores().begin(), d.scores().end());
                nan_scores[at] = std::numeric_limits<Score>::quiet_NaN();
                expect_same_error(d.labels(), nan_scores, "NaN at " + std::to_string(at));
                if constexpr (std::is_same_v<Label, bool>) {
                    // A byte other than 0/1 viewed as bool: copied in as bytes, never as a bool value.
                    std::vector<std::uint8_t> bytes(n);
                    std::memcpy(bytes.data(), d.labels().data(), n);
                    bytes[at] = 2;
                    std::unique_ptr<bool[]> stored(new bool[n]);
                    std::memcpy(stored.get(), bytes.data(), n);
                    expect_same_error(std::span<const bool>(stored.get(), n), d.scores(),
                                      "bool byte 2 at " + std::to_string(at));
                } else {
                    std::vector<Label> labels(d.labels().begin(), d.labels().end());
                    for (Label bad : {Label(2), Label(-1)}) {
                        labels[at] = bad;
                        expect_same_error(labels, d.scores(), "label " + std::to_string(bad) + " at " + std::to_string(at));
                        // Both wrong: the label is named, wherever the NaN is.
                        expect_same_error(labels, nan_scores, "label and NaN at " + std::to_string(at));
                    }
                }
            }
        }
            });
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

// Instruction sets come from the compiled list (known before main); unsupported ones skip at run
// time, visibly, rather than disappearing from the list.
INSTANTIATE_TEST_SUITE_P(Dispatch, SimdKernelPerIsa,
                         ::testing::Combine(::testing::ValuesIn(dispatch_kernel_names()),
                                            ::testing::ValuesIn(compiled_isas())),
                         param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SimdKernelPerIsa);  // a registry without SIMD kernels

// ---- The ranked scan, per instruction set (scalar included) -------------------------------------
// compute_ranked's block scan has a copy per instruction set; each forced in turn must give the
// exact reference on every label type, at vector tails, block boundaries (2^16 ranks) and
// cutoffs inside blocks, from misaligned starts, and must name the first bad label.
class RankedScanPerIsa : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (!cpu_runs(GetParam())) GTEST_SKIP() << "this CPU cannot run " << GetParam();
        aucrecall::force_simd_isa(GetParam());
    }
    void TearDown() override { restore_best_isa(); }
};

template <class Label>
auto ranked_labels(std::size_t n, std::uint64_t seed) {
    return data::generate<Label, float>(n, Dist::uniform, seed);  // its labels(); no vector<bool>
}

TEST_P(RankedScanPerIsa, MatchesTheExactReferenceAtTailsBlocksAndCutoffs) {
    constexpr std::size_t block = std::size_t{1} << 16;
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 70; ++n) lengths.push_back(n);
    for (std::size_t n : {127u, 128u, 129u, 1021u})
        lengths.push_back(n);
    for (std::size_t n : {block - 1, block, block + 1, 2 * block + 37, 300'001ul}) lengths.push_back(n);
    for (LabelType label_type : all_label_types)
        with_types(label_type, aucrecall::ScoreType::f32, [&](auto label_tag, auto) {
            using Label = typename decltype(label_tag)::type;
            int failures = 0;
            for (std::size_t n : lengths) {
                const auto d = ranked_labels<Label>(n, data::default_seed + n);
                const std::span<const Label> labels = d.labels();
                const std::size_t offset = 1 + n % 7;  // a start that is not a vector boundary
                const PlacedCopy<Label> placed(labels, offset);
                for (std::uint64_t k : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{33},
                                        std::uint64_t{block - 1}, std::uint64_t{block}, std::uint64_t{block + 5},
                                        std::uint64_t{n > 0 ? n - 1 : 0}, std::uint64_t{n + 5}}) {
                    const double expected =
                        reference::to_double(reference::exact_ranked(labels, k));
                    for (std::span<const Label> view : {labels, placed.view()}) {
                        const double got = aucrecall::auc_recall_ranked(view, k);
                        const bool same = (std::isnan(expected) && std::isnan(got)) || got == expected;
                        EXPECT_TRUE(same) << "isa " << GetParam() << ", labels " << name(label_type) << ", n " << n
                                          << ", k " << k << ": got " << got << ", exact " << expected;
                        if (!same && ++failures >= 10) return;
                    }
                }
            }
        });
    EXPECT_EQ(aucrecall::simd_isa_last_used(), GetParam());
}

TEST_P(RankedScanPerIsa, NamesTheFirstLabelOtherThanZeroOrOne) {
    constexpr std::size_t n = 150'000;  // three blocks
    const auto d = ranked_labels<std::int64_t>(n, 21);
    const std::vector<std::int64_t> base(d.labels().begin(), d.labels().end());
    for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{64}, std::size_t{65'535},
                           std::size_t{65'536}, std::size_t{100'000}, n - 1})
        for (std::int64_t bad : {std::int64_t{2}, std::int64_t{-1}, std::int64_t{1} << 40}) {
            auto check = [&](auto typed, std::uint64_t k) {
                try {
                    (void)aucrecall::auc_recall_ranked(typed, k);
                    ADD_FAILURE() << "no error for " << bad << " at " << at << ", k " << k;
                } catch (const aucrecall::InvalidInput& e) {
                    EXPECT_EQ(e.index(), at) << e.what();
                }
            };
            std::vector<std::int64_t> wide = base;
            wide[at] = bad;
            std::vector<std::int32_t> mid(base.begin(), base.end());
            mid[at] = static_cast<std::int32_t>(bad == (std::int64_t{1} << 40) ? 7 : bad);
            std::vector<std::uint8_t> narrow(base.begin(), base.end());
            narrow[at] = static_cast<std::uint8_t>(bad == -1 ? 255 : 2);
            for (std::uint64_t k : {std::uint64_t{0}, std::uint64_t{10}}) {  // inside and past the cutoff
                check(wide, k);
                check(mid, k);
                check(narrow, k);
            }
        }
}

INSTANTIATE_TEST_SUITE_P(Dispatch, RankedScanPerIsa, ::testing::ValuesIn(compiled_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- radix_rank's record scan, per instruction set (scalar included) -----------------------------
// The entry that sums a run of records alone in their buckets, called directly: from every start
// position, on records whose buckets repeat rarely, often or never, against a loop written here.
// Suites that call one entry of an instruction set's table directly (no forcing): the parameter
// names the table.
class EntryTablePerIsa : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (!cpu_runs(GetParam())) GTEST_SKIP() << "this CPU cannot run " << GetParam();
    }
    const aucrecall::detail::SimdEntries& entries() const {
        for (std::size_t i = 0; i < aucrecall::detail::isa_count; ++i) {
            const auto isa = static_cast<aucrecall::detail::Isa>(i);
            if (aucrecall::detail::isa_name(isa) == GetParam()) return aucrecall::detail::simd_entries(isa);
        }
        throw std::invalid_argument("no instruction set " + GetParam());
    }
};

class RecordScanPerIsa : public EntryTablePerIsa {};

TEST_P(RecordScanPerIsa, SumsEveryRunLikeAPlainLoop) {
    const auto run = entries().singleton_run;
    std::mt19937_64 rng(77);
    int failures = 0;
    for (std::uint64_t shared_one_in : {0u, 3u, 40u})  // 0: every bucket distinct
        for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 8u, 9u, 16u, 17u, 33u, 64u, 65u, 1000u}) {
            // Sorted records (bucket << 32) | (index << 1) | label; a bucket repeats the previous
            // one with probability 1 / shared_one_in.
            std::vector<std::uint64_t> records(n);
            std::uint64_t bucket = 5;
            for (std::size_t i = 0; i < n; ++i) {
                if (i == 0 || shared_one_in == 0 || rng() % shared_one_in != 0) bucket += 1 + rng() % 3;
                records[i] = (bucket << 32) | (std::uint64_t{rng() % n} << 1) | (rng() & 1);
            }
            for (std::size_t end : {n, n > 3 ? n - 3 : n})
                for (std::size_t from = 0; from <= end; ++from) {
                    std::uint64_t positives = 0, position_sum = 0;
                    std::size_t stop = from;
                    while (stop < end && !(stop + 1 < end && (records[stop] >> 32) == (records[stop + 1] >> 32))) {
                        if (records[stop] & 1) {
                            ++positives;
                            position_sum += stop;
                        }
                        ++stop;
                    }
                    const auto got = run(records.data(), from, end);
                    const bool same = got.stop == stop && got.positives == positives && got.position_sum == position_sum;
                    EXPECT_TRUE(same) << "isa " << GetParam() << ", n " << n << ", 1 in " << shared_one_in
                                      << " shared, from " << from << ", end " << end << ": stop " << got.stop << " vs "
                                      << stop << ", positives " << got.positives << " vs " << positives
                                      << ", position sum " << got.position_sum << " vs " << position_sum;
                    if (!same && ++failures >= 10) return;
                }
        }
}

INSTANTIATE_TEST_SUITE_P(Dispatch, RecordScanPerIsa, ::testing::ValuesIn(compiled_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- keysort's label split, per instruction set (scalar included) --------------------------------
// The entry called directly for every label width and score type: both lists in input order, the
// count, and nothing written past split_slack keys after either list.

// The order key written out here: larger scores, larger unsigned keys; both zeros one key.
template <class Key, class Score>
Key reference_order_key(Score x) {
    if (x == Score(0)) x = Score(0);
    Key bits;
    std::memcpy(&bits, &x, sizeof bits);
    const Key top = Key(1) << (8 * sizeof(Key) - 1);
    return (bits & top) != 0 ? Key(~bits) : Key(bits + top);
}
template <class Word, class Score>
void expect_split_like_a_plain_loop(const aucrecall::detail::SimdEntries& entries, const std::string& isa,
                                    std::mt19937_64& rng, int& failures) {
    using Key = aucrecall::label_split_detail::key_t<Score>;
    constexpr std::size_t slack = aucrecall::label_split_detail::split_slack, guard = 16;
    constexpr Key untouched = Key(0x5A5A5A5A5A5A5A5Aull);
    const auto split = std::get<aucrecall::detail::SplitByLabelFn<Word, Score>>(entries.split_by_label);
    const Score specials[] = {Score(-0.0), Score(0.0), std::numeric_limits<Score>::infinity(),
                              -std::numeric_limits<Score>::infinity(), std::numeric_limits<Score>::denorm_min(),
                              Score(-1.5), Score(1e30)};
    for (int pattern = 0; pattern < 5; ++pattern)
        for (std::size_t n : {0u, 1u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 64u, 65u, 1000u}) {
            std::vector<Word> labels(n);
            std::vector<Score> scores(n);
            for (std::size_t i = 0; i < n; ++i) {
                const bool positive = pattern == 0 ? (rng() & 1) != 0 : pattern == 1 ? true : pattern == 2 ? false
                                    : pattern == 3 ? i % 2 == 0 : i < n / 2;
                labels[i] = positive ? Word(rng() % 3 == 0 ? 0xFF : 1) : Word(0);  // any bits: positive
                scores[i] = rng() % 4 == 0 ? specials[rng() % std::size(specials)]
                                           : static_cast<Score>(static_cast<double>(rng() >> 11) * 0x1p-40 - 4096.0);
            }
            std::vector<Key> want_pos, want_neg;
            for (std::size_t i = 0; i < n; ++i)
                (labels[i] != 0 ? want_pos : want_neg).push_back(reference_order_key<Key>(scores[i]));
            std::vector<Key> pos(want_pos.size() + slack + guard, untouched), neg(want_neg.size() + slack + guard, untouched);
            const std::size_t got = split(labels.data(), scores.data(), n, pos.data(), neg.data());
            bool same = got == want_pos.size() && std::equal(want_pos.begin(), want_pos.end(), pos.begin()) &&
                        std::equal(want_neg.begin(), want_neg.end(), neg.begin());
            for (std::size_t k = want_pos.size() + slack; k < pos.size(); ++k) same &= pos[k] == untouched;
            for (std::size_t k = want_neg.size() + slack; k < neg.size(); ++k) same &= neg[k] == untouched;
            EXPECT_TRUE(same) << "isa " << isa << ", " << sizeof(Word) << "-byte labels, " << sizeof(Score)
                              << "-byte scores, pattern " << pattern << ", n " << n << ": " << got << " positives, want "
                              << want_pos.size();
            if (!same && ++failures >= 10) return;
        }
}

class LabelSplitPerIsa : public EntryTablePerIsa {};

TEST_P(LabelSplitPerIsa, KeysInInputOrderPerLabelLikeAPlainLoop) {
    const auto& table = entries();
    std::mt19937_64 rng(91);
    int failures = 0;
    expect_split_like_a_plain_loop<std::uint8_t, float>(table, GetParam(), rng, failures);
    expect_split_like_a_plain_loop<std::uint8_t, double>(table, GetParam(), rng, failures);
    expect_split_like_a_plain_loop<std::uint32_t, float>(table, GetParam(), rng, failures);
    expect_split_like_a_plain_loop<std::uint32_t, double>(table, GetParam(), rng, failures);
    expect_split_like_a_plain_loop<std::uint64_t, float>(table, GetParam(), rng, failures);
    expect_split_like_a_plain_loop<std::uint64_t, double>(table, GetParam(), rng, failures);
}

INSTANTIATE_TEST_SUITE_P(Dispatch, LabelSplitPerIsa, ::testing::ValuesIn(compiled_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- the grouped evaluation's split of the scores themselves, per instruction set ---------------
// Both lists bit for bit in input order (signed zeros and NaN kept as they are), the OR of every
// label's bits, the NaN flag wherever the NaN sits (in a whole vector or in the tail), and nothing
// written past split_scores_slack scores after either list.
template <class Word, class Score>
void expect_score_split_like_a_plain_loop(const aucrecall::detail::SimdEntries& entries, const std::string& isa,
                                          std::mt19937_64& rng, int& failures) {
    constexpr std::size_t slack = aucrecall::label_split_detail::split_scores_slack, guard = 16;
    const auto split = std::get<aucrecall::detail::SplitScoresFn<Word, Score>>(entries.split_scores);
    const Score untouched = Score(-12345.25);
    const Score specials[] = {Score(-0.0), Score(0.0), std::numeric_limits<Score>::infinity(),
                              -std::numeric_limits<Score>::infinity(), std::numeric_limits<Score>::denorm_min()};
    const Word stray[] = {Word(2), Word(0x80), Word(~Word(0)), Word(Word(1) << (8 * sizeof(Word) - 1))};
    auto same_bits = [](Score a, Score b) { return std::memcmp(&a, &b, sizeof a) == 0; };
    for (int pattern = 0; pattern < 7; ++pattern)
        for (std::size_t n : {0u, 1u, 3u, 4u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 100u, 1000u}) {
            std::vector<Word> labels(n);
            std::vector<Score> scores(n);
            for (std::size_t i = 0; i < n; ++i) {
                const bool positive = pattern == 1 ? true : pattern == 2 ? false : pattern == 3 ? i % 2 == 0
                                                                                                  : (rng() & 1) != 0;
                labels[i] = positive ? Word(1) : Word(0);
                scores[i] = rng() % 5 == 0 ? specials[rng() % std::size(specials)]
                                           : static_cast<Score>(static_cast<double>(rng() >> 11) * 0x1p-40 - 4096.0);
            }
            // 4: one stray label; 5: one NaN; 6: both, at the last item (a scalar tail, or a
            // vector's last lane when n is a multiple of the width).
            if (n > 0 && (pattern == 4 || pattern == 6))
                labels[pattern == 6 ? n - 1 : rng() % n] = stray[rng() % std::size(stray)];
            if (n > 0 && (pattern == 5 || pattern == 6))
                scores[pattern == 6 ? n - 1 : rng() % n] = std::numeric_limits<Score>::quiet_NaN();
            std::vector<Score> want_pos, want_neg;
            std::uint64_t want_bits = 0;
            bool want_nan = false;
            for (std::size_t i = 0; i < n; ++i) {
                (labels[i] != 0 ? want_pos : want_neg).push_back(scores[i]);
                want_bits |= labels[i];
                want_nan |= std::isnan(scores[i]);
            }
            std::vector<Score> pos(want_pos.size() + slack + guard, untouched),
                neg(want_neg.size() + slack + guard, untouched);
            const auto got = split(labels.data(), scores.data(), n, pos.data(), neg.data());
            bool same = got.positives == want_pos.size() && got.label_bits == want_bits && got.nan == want_nan;
            for (std::size_t k = 0; same && k < want_pos.size(); ++k) same = same_bits(pos[k], want_pos[k]);
            for (std::size_t k = 0; same && k < want_neg.size(); ++k) same = same_bits(neg[k], want_neg[k]);
            for (std::size_t k = want_pos.size() + slack; k < pos.size(); ++k) same &= same_bits(pos[k], untouched);
            for (std::size_t k = want_neg.size() + slack; k < neg.size(); ++k) same &= same_bits(neg[k], untouched);
            EXPECT_TRUE(same) << "isa " << isa << ", " << sizeof(Word) << "-byte labels, " << sizeof(Score)
                              << "-byte scores, pattern " << pattern << ", n " << n << ": " << got.positives
                              << " positives (want " << want_pos.size() << "), label bits " << got.label_bits
                              << " (want " << want_bits << "), nan " << got.nan << " (want " << want_nan << ")";
            if (!same && ++failures >= 10) return;
        }
}

class ScoreSplitPerIsa : public EntryTablePerIsa {};

TEST_P(ScoreSplitPerIsa, ScoresLabelBitsAndNanLikeAPlainLoop) {
    const auto& table = entries();
    std::mt19937_64 rng(17);
    int failures = 0;
    expect_score_split_like_a_plain_loop<std::uint8_t, float>(table, GetParam(), rng, failures);
    expect_score_split_like_a_plain_loop<std::uint8_t, double>(table, GetParam(), rng, failures);
    expect_score_split_like_a_plain_loop<std::uint32_t, float>(table, GetParam(), rng, failures);
    expect_score_split_like_a_plain_loop<std::uint32_t, double>(table, GetParam(), rng, failures);
    expect_score_split_like_a_plain_loop<std::uint64_t, float>(table, GetParam(), rng, failures);
    expect_score_split_like_a_plain_loop<std::uint64_t, double>(table, GetParam(), rng, failures);
}

INSTANTIATE_TEST_SUITE_P(Dispatch, ScoreSplitPerIsa, ::testing::ValuesIn(compiled_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The grouped evaluation's pair counter: NaN padding past each list (its contract), blocks of
// four positives with a partial last block, ties, signed zeros, infinities, one-label lists.
template <class Score>
void expect_pair_counts_like_a_plain_loop(const aucrecall::detail::SimdEntries& entries, const std::string& isa,
                                          std::mt19937_64& rng, int& failures) {
    constexpr std::size_t pad = aucrecall::pair_count_detail::pair_pad;
    const auto count = std::get<aucrecall::detail::CountPairsFn<Score>>(entries.count_pairs);
    const Score specials[] = {Score(-0.0), Score(0.0), std::numeric_limits<Score>::infinity(),
                              -std::numeric_limits<Score>::infinity(), Score(0.5), Score(-1.5)};
    for (int pattern = 0; pattern < 3; ++pattern)  // distinct scores, a few values, specials mixed in
        for (std::size_t p : {0u, 1u, 3u, 4u, 5u, 8u, 17u, 33u})
            for (std::size_t q : {0u, 1u, 2u, 7u, 8u, 9u, 16u, 31u, 64u}) {
                if (p + q == 0) continue;
                auto draw = [&]() -> Score {
                    if (pattern == 1) return Score(static_cast<double>(rng() % 4));
                    if (pattern == 2 && rng() % 3 == 0) return specials[rng() % std::size(specials)];
                    return static_cast<Score>(static_cast<double>(rng() >> 11) * 0x1p-40);
                };
                std::vector<Score> pos(p + pad), neg(q + pad);
                for (std::size_t i = 0; i < p; ++i) pos[i] = draw();
                for (std::size_t j = 0; j < q; ++j) neg[j] = draw();
                std::fill(pos.begin() + p, pos.end(), std::numeric_limits<Score>::quiet_NaN());
                std::fill(neg.begin() + q, neg.end(), std::numeric_limits<Score>::quiet_NaN());
                std::uint64_t higher = 0, equal = 0, top_pos = 0, top_neg = 0;
                for (std::size_t i = 0; i < p; ++i)
                    for (std::size_t j = 0; j < q; ++j) higher += neg[j] > pos[i], equal += neg[j] == pos[i];
                Score top = -std::numeric_limits<Score>::infinity();
                for (std::size_t i = 0; i < p; ++i) top = std::max(top, pos[i]);
                for (std::size_t j = 0; j < q; ++j) top = std::max(top, neg[j]);
                for (std::size_t i = 0; i < p; ++i) top_pos += pos[i] == top;
                for (std::size_t j = 0; j < q; ++j) top_neg += neg[j] == top;
                const auto got = count(pos.data(), p, neg.data(), q);
                const bool same = got.higher == higher && got.equal == equal && got.top_positives == top_pos &&
                                  got.top_negatives == top_neg;
                EXPECT_TRUE(same) << "isa " << isa << ", " << sizeof(Score) << "-byte scores, pattern " << pattern
                                  << ", p " << p << ", q " << q << ": higher " << got.higher << " want " << higher
                                  << ", equal " << got.equal << " want " << equal << ", top " << got.top_positives
                                  << "+" << got.top_negatives << " want " << top_pos << "+" << top_neg;
                if (!same && ++failures >= 10) return;
            }
}

class PairCountPerIsa : public EntryTablePerIsa {};

TEST_P(PairCountPerIsa, CountsEveryPairAndTheTopGroupLikeAPlainLoop) {
    std::mt19937_64 rng(53);
    int failures = 0;
    expect_pair_counts_like_a_plain_loop<float>(entries(), GetParam(), rng, failures);
    expect_pair_counts_like_a_plain_loop<double>(entries(), GetParam(), rng, failures);
}

INSTANTIATE_TEST_SUITE_P(Dispatch, PairCountPerIsa, ::testing::ValuesIn(compiled_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- The instruction-set API -------------------------------------------------------------------

class SimdIsaApi : public ::testing::Test {
protected:
    void TearDown() override { restore_best_isa(); }
};

TEST_F(SimdIsaApi, SupportedIsAnOrderedSubsetOfCompiledStartingWithScalar) {
    const auto compiled = aucrecall::simd_isas_compiled();
    const auto supported = aucrecall::simd_isas_supported();
    ASSERT_FALSE(compiled.empty());
    ASSERT_FALSE(supported.empty());
    EXPECT_EQ(compiled.front(), "scalar");
    EXPECT_EQ(supported.front(), "scalar");  // the fallback always runs
    auto position = compiled.begin();
    for (std::string_view isa : supported) {
        position = std::find(position, compiled.end(), isa);
        ASSERT_NE(position, compiled.end()) << isa << " supported but not compiled, or out of order";
    }
}

// The dispatch table (kernels/src/simd/isa_table.def) drives the build and the run-time check: every
// instruction set it lists is compiled, in its order, and the run-time check knows every CPU
// feature it names (an unknown name would make that set silently unsupported everywhere).
TEST_F(SimdIsaApi, TheDispatchTableIsWhatIsCompiledAndEveryFeatureIsKnown) {
    const auto compiled = aucrecall::simd_isas_compiled();
    ASSERT_EQ(compiled.size(), aucrecall::detail::isa_count);
    for (std::size_t i = 0; i < compiled.size(); ++i) {
        const auto isa = static_cast<aucrecall::detail::Isa>(i);
        EXPECT_EQ(compiled[i], aucrecall::detail::isa_name(isa));
        EXPECT_TRUE(aucrecall::detail::features_known(isa))
            << compiled[i] << ": '" << aucrecall::detail::isa_features(isa) << "'";
        EXPECT_EQ(aucrecall::detail::isa_features(isa).empty(), i == 0) << compiled[i];
    }
    // The AVX-512 unit is compiled with -mavx512vl, so the check must require VL.
    const auto avx512 = std::find(compiled.begin(), compiled.end(), "avx512");
    ASSERT_NE(avx512, compiled.end());
    const auto features = aucrecall::detail::isa_features(
        static_cast<aucrecall::detail::Isa>(avx512 - compiled.begin()));
    EXPECT_NE(features.find("avx512vl"), std::string_view::npos) << features;
}

TEST_F(SimdIsaApi, ForcingEverySupportedIsaMakesItActive) {
    for (std::string_view isa : aucrecall::simd_isas_supported()) {
        aucrecall::force_simd_isa(isa);
        EXPECT_EQ(aucrecall::simd_isa_active(), isa);
    }
}

// The message must name the rejected value so that a typo in a script is obvious.
void expect_rejected(std::string_view value) {
    const std::string before(aucrecall::simd_isa_active());
    try {
        aucrecall::force_simd_isa(value);
        ADD_FAILURE() << "force_simd_isa(\"" << value << "\") did not throw";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(value), std::string::npos)
            << "message does not name '" << value << "': " << e.what();
    }
    EXPECT_EQ(aucrecall::simd_isa_active(), before) << "a rejected value changed the active instruction set";
}

TEST_F(SimdIsaApi, ForceRejectsUnknownNames) {
    expect_rejected("bogus");
    expect_rejected("sse5");
    expect_rejected("avx2-please");
}

TEST_F(SimdIsaApi, ForceRejectsCompiledButUnsupportedIsas) {
    int unsupported = 0;
    for (std::string_view isa : aucrecall::simd_isas_compiled())
        if (!cpu_runs(isa)) {
            ++unsupported;
            expect_rejected(isa);
        }
    if (unsupported == 0) GTEST_SKIP() << "this CPU runs every compiled instruction set";
}

// ---- AUCRECALL_ARCH ----------------------------------------------------------------------------
// The variable is read once per process, on the first SIMD call, so each case runs in a fresh
// child process: gtest's "threadsafe" death-test style re-executes this binary for the statement.

class AucrecallArchEnv : public ::testing::Test {
protected:
    void SetUp() override {
        GTEST_FLAG_SET(death_test_style, "threadsafe");
        if (dispatch_kernel_names().empty()) GTEST_SKIP() << "no kernel uses the SIMD dispatch";
    }
};

// Runs in the child: the first dispatch kernel on the study example.
[[noreturn]] void child_exit(bool ok, const std::string& detail) {
    if (!ok) std::fprintf(stderr, "child check failed: %s\n", detail.c_str());
    std::fflush(stderr);
    std::_Exit(ok ? 0 : 1);
}

double run_first_dispatch_kernel() {
    const auto d = data::study_example<std::int64_t, double>();
    return kernel_named(dispatch_kernel_names().front()).run(aucrecall::make_input(d.labels(), d.scores()),
                                                              Ties::average);
}

TEST_F(AucrecallArchEnv, UnsetPicksTheBestSupported) {
    EXPECT_EXIT(
        {
            unsetenv("AUCRECALL_ARCH");
            run_first_dispatch_kernel();
            const std::string used(aucrecall::simd_isa_last_used());
            const std::string best(aucrecall::simd_isas_supported().back());
            child_exit(used == best, "ran " + used + ", best supported is " + best);
        },
        ::testing::ExitedWithCode(0), "");
}

TEST_F(AucrecallArchEnv, EverySupportedValueIsTheOneThatRuns) {
    for (std::string_view isa : aucrecall::simd_isas_supported()) {
        const std::string wanted(isa);
        EXPECT_EXIT(
            {
                setenv("AUCRECALL_ARCH", wanted.c_str(), 1);
                run_first_dispatch_kernel();
                const std::string used(aucrecall::simd_isa_last_used());
                const std::string active(aucrecall::simd_isa_active());
                child_exit(used == wanted && active == wanted,
                           "AUCRECALL_ARCH=" + wanted + " but ran " + used + ", active " + active);
            },
            ::testing::ExitedWithCode(0), "")
            << "AUCRECALL_ARCH=" << wanted;
    }
}

// An invalid value is an error on the first SIMD call, naming the variable and the value (never a
// silent fallback to another instruction set).
void expect_env_rejected(const std::string& value) {
    EXPECT_EXIT(
        {
            setenv("AUCRECALL_ARCH", value.c_str(), 1);
            try {
                (void)aucrecall::simd_isa_active();
                child_exit(false, "simd_isa_active() accepted AUCRECALL_ARCH=" + value);
            } catch (const std::runtime_error& e) {
                const std::string what = e.what();
                if (what.find(value) == std::string::npos || what.find("AUCRECALL_ARCH") == std::string::npos)
                    child_exit(false, "message does not name AUCRECALL_ARCH=" + value + ": " + what);
            }
            try {
                run_first_dispatch_kernel();
                child_exit(false, "a SIMD kernel ran with AUCRECALL_ARCH=" + value);
            } catch (const std::runtime_error&) {
            }
            child_exit(true, "");
        },
        ::testing::ExitedWithCode(0), "")
        << "AUCRECALL_ARCH=" << value;
}

TEST_F(AucrecallArchEnv, UnknownValueIsAnError) { expect_env_rejected("bogus"); }

TEST_F(AucrecallArchEnv, UnsupportedValueIsAnError) {
    int unsupported = 0;
    for (std::string_view isa : aucrecall::simd_isas_compiled())
        if (!cpu_runs(isa)) {
            ++unsupported;
            expect_env_rejected(std::string(isa));
        }
    if (unsupported == 0) GTEST_SKIP() << "this CPU runs every compiled instruction set";
}

TEST_F(AucrecallArchEnv, ForceOverridesTheVariable) {
    EXPECT_EXIT(
        {
            setenv("AUCRECALL_ARCH", "bogus", 1);
            aucrecall::force_simd_isa("scalar");
            run_first_dispatch_kernel();
            const std::string used(aucrecall::simd_isa_last_used());
            child_exit(used == "scalar", "forced scalar under AUCRECALL_ARCH=bogus, ran " + used);
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
