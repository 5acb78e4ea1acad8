// Many threads calling the library at once, each on its own input, must get exactly the results
// of sequential calls: kernels keep per-thread scratch memory and a process-wide SIMD choice, and
// radix_rank_mt runs its tasks on the process-wide thread pool. The `tsan` preset runs this file
// (and the thread-count and thread-pool tests) under ThreadSanitizer in the test command.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"

namespace {

namespace data = aucrecall::data;
using aucrecall::Ties;

struct Job {
    data::Dataset<std::int64_t, double> wide;
    data::Dataset<std::uint8_t, float> narrow;
};

std::vector<Job> jobs() {
    std::vector<Job> out;
    // Sizes on every path: the allocation-free tiny path, keysort, radix_rank, and (300000, over
    // tuning::threads_from_n) radix_rank_mt on the thread pool.
    std::uint64_t seed = 11;
    for (std::size_t n : {5u, 16u, 100u, 700u, 5000u, 300000u})
        for (data::Dist dist : {data::Dist::uniform, data::Dist::heavy_ties})
            out.push_back({data::generate<std::int64_t, double>(n, dist, ++seed),
                           data::generate<std::uint8_t, float>(n, dist, ++seed)});
    return out;
}

// Every kernel (practical sizes only) and the default entry point, both tie policies.
std::vector<std::uint64_t> results_of(const Job& job) {
    std::vector<std::uint64_t> bits;
    for (Ties ties : {Ties::average, Ties::stable}) {
        bits.push_back(std::bit_cast<std::uint64_t>(
            aucrecall::auc_recall(job.wide.labels(), job.wide.scores(), {.kernel = {}, .ties = ties})));
        bits.push_back(std::bit_cast<std::uint64_t>(
            aucrecall::auc_recall(job.narrow.labels(), job.narrow.scores(), {.kernel = {}, .ties = ties})));
        for (const aucrecall::Kernel& kernel : aucrecall::kernels()) {
            if (job.wide.labels().size() > std::min<std::size_t>(kernel.max_practical_n, 5000)) continue;
            bits.push_back(std::bit_cast<std::uint64_t>(aucrecall::auc_recall(
                job.wide.labels(), job.wide.scores(), {.kernel = kernel.name, .ties = ties})));
        }
    }
    return bits;
}

TEST(Concurrency, ManyThreadsGetTheSequentialResults) {
    const std::vector<Job> all = jobs();
    std::vector<std::vector<std::uint64_t>> expected;
    for (const Job& job : all) expected.push_back(results_of(job));

    constexpr unsigned thread_count = 8;
    constexpr unsigned rounds = 2;
    std::atomic<unsigned> mismatches{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < thread_count; ++t)
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();  // start together: maximum overlap
            for (unsigned round = 0; round < rounds; ++round)
                for (std::size_t j = 0; j < all.size(); ++j) {
                    const std::size_t pick = (j + t * 3) % all.size();  // different inputs at once
                    if (results_of(all[pick]) != expected[pick]) ++mismatches;
                }
        });
    go = true;
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0u);
}

// keysort's vqsort follows the forced instruction set by capping Highway's own dispatch under a
// lock (a Highway 1.0 Sorter's buffer only fits the vector width it was made for): sorts on
// several threads while another thread keeps switching the instruction set must stay exact, and
// the tsan preset checks the locking. (Highway's own code is not instrumented, so an overrun
// inside it would not be reported by AddressSanitizer; keysort.cpp's comment says why none
// happens.)
TEST(Concurrency, KeysortWhileTheInstructionSetChanges) {
    const auto d = data::generate<std::int64_t, double>(20000, data::Dist::uniform, 5);
    const auto expected = aucrecall::auc_recall(d.labels(), d.scores(), {.kernel = "keysort"});
    const auto supported = aucrecall::simd_isas_supported();
    std::atomic<bool> done{false};
    std::atomic<unsigned> mismatches{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 3; ++t)
        threads.emplace_back([&] {
            for (int call = 0; call < 40; ++call)
                if (aucrecall::auc_recall(d.labels(), d.scores(), {.kernel = "keysort"}) != expected) ++mismatches;
        });
    std::thread switcher([&] {
        for (std::size_t i = 0; !done.load(); ++i) {
            aucrecall::force_simd_isa(supported[i % supported.size()]);
            std::this_thread::yield();
        }
    });
    for (std::thread& thread : threads) thread.join();
    done = true;
    switcher.join();
    aucrecall::force_simd_isa(supported.back());
    EXPECT_EQ(mismatches.load(), 0u);
}

}  // namespace

namespace {

TEST(Scratch, KeptPerThreadAndReleasedOnRequest) {
    const auto d = aucrecall::data::generate<std::int64_t, double>(300000, aucrecall::data::Dist::uniform, 5);
    aucrecall::release_scratch();
    EXPECT_EQ(aucrecall::scratch_bytes(), 0u);
    const double first = aucrecall::auc_recall(d.labels(), d.scores(), {.kernel = "radix_rank"});
    // radix_rank keeps its two 8-byte-per-item arrays for the next call on this thread.
    EXPECT_GE(aucrecall::scratch_bytes(), 2 * 8 * d.size());
    std::size_t other_thread = 1;
    std::thread([&] { other_thread = aucrecall::scratch_bytes(); }).join();
    EXPECT_EQ(other_thread, 0u);  // per thread: a fresh thread keeps nothing
    aucrecall::release_scratch();
    EXPECT_EQ(aucrecall::scratch_bytes(), 0u);
    EXPECT_EQ(aucrecall::auc_recall(d.labels(), d.scores(), {.kernel = "radix_rank"}), first);
    aucrecall::release_scratch();
}

}  // namespace
