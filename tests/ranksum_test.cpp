// Extra checks for the kernels that count the rank-sum identity's pairs without ranking every item
// (keysort, radix_rank, radix_rank_mt): the inputs that break bucket and radix methods, at sizes
// where they would show, thread counts forced through AUCRECALL_THREADS, counts beyond 32 bits,
// and `stable` ties whose answer depends on input order. The generic registry-driven sweep
// (kernels_test.cpp) already covers every kernel at sizes 0..300 and the study's sizes.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"
#include "kernel_checks.hpp"
#include "rank_sum/keysort_in_place.hpp"
#include "reference.hpp"
#include "runtime/scratch.hpp"
#include "scoped_env.hpp"

namespace {

using aucrecall::Ties;
using aucrecall::data::Dist;
using aucrecall::data::Positives;
using kernel_checks::Case;

// The sanitizer build is ~10x slower; the big cases shrink there but keep their shape.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t big_n = 200000;
#else
constexpr std::size_t big_n = 1000000;
#endif

constexpr const char* rank_count_kernels[] = {"keysort", "radix_rank", "radix_rank_mt"};

// AUCRECALL_THREADS for the scope of one check.
struct ThreadsOverride : ScopedEnv {
    explicit ThreadsOverride(const std::string& value) : ScopedEnv("AUCRECALL_THREADS", value) {}
};

template <class Label, class Score>
void expect_all_match(const aucrecall::data::Dataset<Label, Score>& data, Dist dist, Positives positives,
                      std::uint64_t seed) {
    for (const char* name : rank_count_kernels) {
        const auto& kernel = kernel_checks::kernel_named(name);
        for (Ties ties : kernel_checks::all_ties) {
            const Case c{.ties = ties, .dist = aucrecall::data::name(dist),
                         .positives = aucrecall::data::name(positives), .seed = seed};
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, data.labels(), data.scores(), c));
        }
    }
}

// Every distribution that defeats linear buckets or radix digits in some way: all equal, two
// values, already sorted / reversed, values spread over all binades (linear buckets collapse),
// a quarter infinities, subnormals (a range whose reciprocal overflows), signed zeros.
TEST(RankCount, AdversarialDistributionsMidSize) {
    for (Dist dist : aucrecall::data::all_dists)
        for (std::size_t n : {33u, 1000u, 65537u}) {
            const auto seed = aucrecall::data::default_seed + n;
            expect_all_match(aucrecall::data::generate<std::int64_t, double>(n, dist, seed), dist,
                             Positives::half, seed);
            expect_all_match(aucrecall::data::generate<std::uint8_t, float>(n, dist, seed), dist,
                             Positives::rare, seed);
        }
}

TEST(RankCount, AdversarialDistributionsLarge) {
    for (Dist dist : {Dist::uniform, Dist::exponential, Dist::constant, Dist::with_infinities,
                      Dist::denormals, Dist::reversed}) {
        const auto seed = aucrecall::data::default_seed;
        expect_all_match(aucrecall::data::generate<std::int64_t, double>(big_n, dist, seed), dist,
                         Positives::half, seed);
    }
    const auto seed = aucrecall::data::default_seed;
    expect_all_match(aucrecall::data::generate<bool, float>(big_n, Dist::uniform, seed), Dist::uniform,
                     Positives::half, seed);
}

// Integer counts make the thread count invisible: 1, 2, 3 and 4 threads give the very same bits
// as the single-threaded kernel, on inputs whose chunk and bucket-range boundaries cut through
// tie groups (constant, two values) and through the infinities' buckets.
TEST(RankCount, ThreadCountsGiveIdenticalBits) {
    const auto& single = kernel_checks::kernel_named("radix_rank");
    const auto& threaded = kernel_checks::kernel_named("radix_rank_mt");
    for (Dist dist : {Dist::uniform, Dist::two_values, Dist::constant, Dist::heavy_ties,
                      Dist::with_infinities, Dist::exponential, Dist::sorted}) {
        for (std::size_t n : {33u, 1001u, 100003u}) {
            const auto data = aucrecall::data::generate<std::int32_t, double>(n, dist, n);
            const auto input = aucrecall::make_input(data.labels(), data.scores());
            for (Ties ties : kernel_checks::all_ties) {
                const double expected = single.run(input, ties);
                for (int threads : {1, 2, 3, 4}) {
                    ThreadsOverride forced(std::to_string(threads));
                    const double got = threaded.run(input, ties);
                    EXPECT_EQ(std::memcmp(&got, &expected, sizeof got), 0)
                        << "dist=" << aucrecall::data::name(dist) << " n=" << n << " ties="
                        << aucrecall::to_string(ties) << " threads=" << threads << ": " << got
                        << " vs single-threaded " << expected;
                }
            }
            const Case c{.dist = aucrecall::data::name(dist), .seed = n};
            EXPECT_TRUE(kernel_checks::matches_reference(single, data.labels(), data.scores(), c));
        }
    }
}

// From 2^20 float scores on, radix_rank buckets by the exact 32-bit key (every shared bucket is a
// tie group): the same bits for every thread count there too, and the reference's value.
TEST(RankCount, ThreadCountsGiveIdenticalBitsWithExactFloatKeys) {
    const auto& single = kernel_checks::kernel_named("radix_rank");
    const auto& threaded = kernel_checks::kernel_named("radix_rank_mt");
    constexpr std::size_t n = (std::size_t{1} << 20) + 3;
    for (Dist dist : {Dist::uniform, Dist::heavy_ties, Dist::with_infinities}) {
        const auto data = aucrecall::data::generate<std::uint8_t, float>(n, dist, 11);
        const auto input = aucrecall::make_input(data.labels(), data.scores());
        for (Ties ties : kernel_checks::all_ties) {
            const Case c{.ties = ties, .dist = aucrecall::data::name(dist), .seed = 11};
            EXPECT_TRUE(kernel_checks::matches_reference(single, data.labels(), data.scores(), c));
            const double expected = single.run(input, ties);
            for (int threads : {2, 3}) {
                ThreadsOverride forced(std::to_string(threads));
                const double got = threaded.run(input, ties);
                EXPECT_EQ(std::memcmp(&got, &expected, sizeof got), 0)
                    << "dist=" << aucrecall::data::name(dist) << " ties=" << aucrecall::to_string(ties)
                    << " threads=" << threads << ": " << got << " vs " << expected;
            }
        }
    }
}

TEST(RankCount, InvalidThreadCountIsNamed) {
    const auto data = aucrecall::data::generate<std::int64_t, double>(100, Dist::uniform);
    const auto input = aucrecall::make_input(data.labels(), data.scores());
    for (const char* bad : {"0", "-1", "two", "65", "4x"}) {
        ThreadsOverride forced(bad);
        try {
            kernel_checks::kernel_named("radix_rank_mt").run(input, Ties::average);
            ADD_FAILURE() << "AUCRECALL_THREADS=" << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
                << e.what();
        }
    }
}

// n = 200000 with every positive below every negative: D = P * N = 10^10 pairs, beyond any
// 32-bit counter. The expected value comes from the closed form, not from a kernel:
// S = sum of ranks N..n-1 = P*N + P(P-1)/2, y0 = 0. All-equal scores give T = P * N instead.
template <class Label, class Score>
void expect_wide_counts() {
    constexpr std::size_t n = 200000, positives = n / 2, negatives = n - positives;
    aucrecall::data::Dataset<Label, Score> ranked(n), tied(n);
    for (std::size_t i = 0; i < n; ++i) {
        ranked.scores()[i] = static_cast<Score>(n - i);  // descending: rank i, exact in float too
        ranked.labels()[i] = static_cast<Label>(i >= negatives);
        tied.scores()[i] = Score(1);
        tied.labels()[i] = static_cast<Label>(i % 2 == 1);
    }
    using reference::i128;
    const i128 nn = n, p = positives, q = negatives;
    const i128 den = 2 * nn * p - p * p - 1;
    // ranked: 2S = 2PN + P(P-1); y0 = 0
    const double ranked_expected = reference::to_double({2 * nn * p - (2 * p * q + p * (p - 1)) - p, den});
    // tied (average): 2E[S] = P(P-1) + T with T = PN; E[y0] = P/n
    const double tied_average =
        reference::to_double({(2 * nn * p - (p * (p - 1) + p * q) - p) * nn - p, den * nn});
    // tied (stable): negatives sit at even indices, so each positive at index 2k+1 has k+1
    // negatives before it: Ts = sum_{k<P} (k+1) = P(P+1)/2; y0 = label of index 0 = 0
    const double tied_stable = reference::to_double({2 * nn * p - (p * (p - 1) + p * (p + 1)) - p, den});
    for (const char* name : rank_count_kernels) {
        const auto& kernel = kernel_checks::kernel_named(name);
        const auto r = aucrecall::make_input(std::as_const(ranked).labels(), std::as_const(ranked).scores());
        const auto t = aucrecall::make_input(std::as_const(tied).labels(), std::as_const(tied).scores());
        for (Ties ties : kernel_checks::all_ties)
            EXPECT_EQ(kernel.run(r, ties), ranked_expected) << name << " ties=" << aucrecall::to_string(ties);
        EXPECT_EQ(kernel.run(t, Ties::average), tied_average) << name;
        EXPECT_EQ(kernel.run(t, Ties::stable), tied_stable) << name;
        for (int threads : {2, 3}) {
            if (std::string(name) != "radix_rank_mt") break;
            ThreadsOverride forced(std::to_string(threads));
            EXPECT_EQ(kernel.run(r, Ties::average), ranked_expected) << name << " threads=" << threads;
            EXPECT_EQ(kernel.run(t, Ties::stable), tied_stable) << name << " threads=" << threads;
        }
    }
    // The closed forms themselves agree with the reference.
    EXPECT_EQ(reference::metric(std::as_const(ranked).labels(), std::as_const(ranked).scores(), Ties::average), ranked_expected);
    EXPECT_EQ(reference::metric(std::as_const(tied).labels(), std::as_const(tied).scores(), Ties::stable), tied_stable);
}

TEST(RankCount, PairCountsBeyond32Bits) {
    expect_wide_counts<std::int64_t, double>();
    expect_wide_counts<std::uint8_t, float>();
}

// `stable` depends on where the negatives of a tie group sit relative to its positives. Groups of
// every size (pairs compared directly up to 16 per bucket, sorted beyond), a mixed top group
// (y0 = the first of its items in input order), and the same multiset in two orders, which must
// give different answers.
TEST(RankCount, StableTiesFollowInputOrder) {
    aucrecall::data::Rng rng(7);
    for (std::size_t group : {2u, 5u, 17u, 40u, 300u}) {
        const std::size_t n = group * 25;
        aucrecall::data::Dataset<std::int64_t, double> data(n);
        for (std::size_t i = 0; i < n; ++i) {
            data.scores()[i] = static_cast<double>(rng.below(n / group));  // ~group items per value
            data.labels()[i] = static_cast<std::int64_t>(rng.below(2));
        }
        // Make the top value a mixed group whose first item is a negative, then a positive.
        for (Ties ties : kernel_checks::all_ties)
            for (const char* name : rank_count_kernels) {
                const Case c{.ties = ties, .seed = 7, .note = "random tie groups"};
                EXPECT_TRUE(kernel_checks::matches_reference(kernel_checks::kernel_named(name),
                                                             std::as_const(data).labels(), std::as_const(data).scores(), c));
            }
        std::vector<std::int64_t> labels(data.labels().begin(), data.labels().end());
        std::vector<double> scores(data.scores().begin(), data.scores().end());
        const double top = *std::max_element(scores.begin(), scores.end()) + 1;
        scores[3] = top, labels[3] = 1;
        scores[n - 2] = top, labels[n - 2] = 0;
        for (const char* name : rank_count_kernels) {
            const auto& kernel = kernel_checks::kernel_named(name);
            const Case c{.ties = Ties::stable, .seed = 7, .note = "mixed top group, positive first"};
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, std::span<const std::int64_t>(labels),
                                                         std::span<const double>(scores), c));
            std::swap(labels[3], labels[n - 2]);  // now the negative comes first
            const Case d{.ties = Ties::stable, .seed = 7, .note = "mixed top group, negative first"};
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, std::span<const std::int64_t>(labels),
                                                         std::span<const double>(scores), d));
            std::swap(labels[3], labels[n - 2]);
        }
        // Reversing the input keeps the scores' multiset but flips the order inside every tie
        // group: the stable answers differ (so a kernel ignoring order fails one of them).
        std::vector<std::int64_t> rev_labels(labels.rbegin(), labels.rend());
        std::vector<double> rev_scores(scores.rbegin(), scores.rend());
        const double forward = reference::metric(std::span<const std::int64_t>(labels),
                                                 std::span<const double>(scores), Ties::stable);
        const double backward = reference::metric(std::span<const std::int64_t>(rev_labels),
                                                  std::span<const double>(rev_scores), Ties::stable);
        EXPECT_NE(forward, backward) << "group " << group << ": the case does not exercise order";
        for (const char* name : rank_count_kernels) {
            const auto& kernel = kernel_checks::kernel_named(name);
            EXPECT_EQ(kernel.run(aucrecall::make_input(std::span<const std::int64_t>(rev_labels),
                                                       std::span<const double>(rev_scores)),
                                 Ties::stable),
                      backward)
                << name << " group " << group;
        }
    }
}

// One positive among many equal scores, and one score above many equal ones: the top group and
// the single-bucket paths at both ends.
TEST(RankCount, LoneItemsAgainstBigTieGroups) {
    for (std::size_t n : {100u, 5000u}) {
        aucrecall::data::Dataset<std::int32_t, float> data(n);
        for (std::size_t i = 0; i < n; ++i) data.scores()[i] = 2.0f, data.labels()[i] = 0;
        for (std::size_t where : {std::size_t{0}, n / 2, n - 1}) {
            for (float lone_score : {2.0f, 3.0f, 1.0f, std::numeric_limits<float>::infinity()}) {
                data.labels()[where] = 1;
                data.scores()[where] = lone_score;
                for (Ties ties : kernel_checks::all_ties)
                    for (const char* name : rank_count_kernels) {
                        const Case c{.ties = ties, .note = "one positive, all other scores equal"};
                        EXPECT_TRUE(kernel_checks::matches_reference(kernel_checks::kernel_named(name),
                                                                     std::as_const(data).labels(),
                                                                     std::as_const(data).scores(), c));
                    }
                data.labels()[where] = 0;
                data.scores()[where] = 2.0f;
            }
        }
    }
}

// The command-line tool's keysort in its own parsed arrays (rank_sum/keysort_in_place.hpp): the
// exact reference's value, bit for bit, for the distributions that stress ties, zeros and
// infinities, in every size class (the tiny path, std::sort lists, vqsort lists), with one label
// only or the positives crowded into one half (the chunks' join moves all or none of them), on
// 1, 2, 3 and 7 threads (chunks, sorts and merge ranges), and the same value as the library's
// keysort. The labels are left as they were.
TEST(RankCount, KeysortInPlaceMatchesTheReference) {
    const auto& keysort = kernel_checks::kernel_named("keysort");
    for (Dist dist : {Dist::uniform, Dist::heavy_ties, Dist::small_ints, Dist::constant, Dist::signed_zeros,
                      Dist::with_infinities, Dist::exponential, Dist::denormals})
        for (std::size_t n : {1u, 5u, 16u, 17u, 300u, 5000u, 70000u}) {
            const auto data = aucrecall::data::generate<std::uint8_t, double>(n, dist, 40 + n);
            const std::vector<double> scores(data.scores().begin(), data.scores().end());
            // as generated, all negative, all positive, positives only in the first / second half
            for (int pattern : {-1, 0, 1, 2, 3}) {
                std::vector<std::uint8_t> labels(data.labels().begin(), data.labels().end());
                if (pattern == 0 || pattern == 1) std::fill(labels.begin(), labels.end(), static_cast<std::uint8_t>(pattern));
                if (pattern >= 2)
                    for (std::size_t i = 0; i < n; ++i)
                        if ((i < n / 2) != (pattern == 2)) labels[i] = 0;
                const double want = reference::metric(std::span<const std::uint8_t>(labels),
                                                      std::span<const double>(scores), Ties::average);
                const double library = keysort.run(aucrecall::make_input(std::span<const std::uint8_t>(labels),
                                                                         std::span<const double>(scores)),
                                                   Ties::average);
                for (const char* threads : {"1", "2", "3", "7"}) {
                    const ThreadsOverride forced(threads);
                    std::vector<double> own_scores = scores;
                    const double got = aucrecall::detail::keysort_parts_in_place(labels, own_scores).metric();
                    const std::string what = std::string(aucrecall::data::name(dist)) + " n " + std::to_string(n) +
                                             " labels " + std::to_string(pattern) + " threads " + threads;
                    if (std::isnan(want)) {
                        EXPECT_TRUE(std::isnan(got)) << what;
                    } else {
                        EXPECT_EQ(got, want) << what;
                        EXPECT_EQ(got, library) << what;
                    }
                }
            }
        }
}

// A block allocated for a buffer is fresh and gets its pages written on the pool's threads; a
// block drawn from the thread's cache is not fresh and keeps what was written in it.
TEST(Scratch, FreshBlocksAreFaultedInAndCachedOnesLeftAlone) {
    aucrecall::release_scratch();
    constexpr std::size_t n = std::size_t{3} << 20;  // 24 MiB of uint64_t: huge-page sized
    {
        aucrecall::detail::Buffer<std::uint64_t> fresh(n);
        ASSERT_TRUE(fresh.fresh());
        std::memset(fresh.data(), 0xAB, n * sizeof(std::uint64_t));
        aucrecall::detail::fault_in_on_threads(fresh, 3);
        std::size_t written = 0;
        const auto* bytes = reinterpret_cast<const unsigned char*>(fresh.data());
        for (std::size_t at = 0; at < n * sizeof(std::uint64_t); at += 4096) written += bytes[at] == 0;
        EXPECT_EQ(written, n * sizeof(std::uint64_t) / 4096);  // every page touched
        std::fill_n(fresh.data(), n, std::uint64_t{42});
    }
    aucrecall::detail::Buffer<std::uint64_t> cached(n);
    EXPECT_FALSE(cached.fresh());
    aucrecall::detail::fault_in_on_threads(cached, 3);
    EXPECT_EQ(std::count(cached.data(), cached.data() + n, std::uint64_t{42}), static_cast<std::ptrdiff_t>(n));
    aucrecall::release_scratch();
}

// The scratch blocks are reused between calls: a big call followed by smaller ones (and by a
// different key width) must not see stale data.
TEST(RankCount, ReusedScratchGivesFreshResults) {
    const auto big = aucrecall::data::generate<std::int64_t, double>(50000, Dist::uniform, 1);
    const auto small = aucrecall::data::generate<std::int64_t, double>(1000, Dist::heavy_ties, 2);
    const auto narrow = aucrecall::data::generate<std::uint8_t, float>(3000, Dist::small_ints, 3);
    for (const char* name : rank_count_kernels) {
        const auto& kernel = kernel_checks::kernel_named(name);
        for (int round = 0; round < 2; ++round) {
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, big.labels(), big.scores(), Case{}));
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, small.labels(), small.scores(),
                                                         Case{.ties = Ties::stable}));
            EXPECT_TRUE(kernel_checks::matches_reference(kernel, narrow.labels(), narrow.scores(), Case{}));
        }
    }
}

}  // namespace
