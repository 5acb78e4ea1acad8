// The process-wide thread pool behind radix_rank_mt (kernels/src/runtime/thread_pool.hpp): every task runs
// exactly once whoever runs it, errors come back to the caller, a busy or nested pool runs the
// tasks on the caller, and a forked child gets a pool of its own. The `tsan` preset runs the
// ThreadPool tests under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "runtime/thread_pool.hpp"
#include "aucrecall/aucrecall.hpp"
#include "aucrecall/datagen.hpp"
#include "scoped_env.hpp"

namespace {

using aucrecall::detail::parallel_for;

TEST(ThreadPool, EveryTaskRunsExactlyOnce) {
    for (unsigned tasks : {1u, 2u, 3u, 17u, 64u, 200u}) {
        std::vector<std::atomic<int>> runs(tasks);
        for (int round = 0; round < 50; ++round)
            parallel_for(tasks, [&](unsigned t) { runs[t].fetch_add(1, std::memory_order_relaxed); });
        for (unsigned t = 0; t < tasks; ++t) EXPECT_EQ(runs[t].load(), 50) << "task " << t << " of " << tasks;
    }
    if (std::thread::hardware_concurrency() > 1) {
        EXPECT_GE(aucrecall::detail::pool_workers(), 1u) << "the jobs above should have started the pool";
    }
}

TEST(ThreadPool, TheLowestFailingTaskIsRethrownAfterAllRan) {
    std::atomic<int> ran{0};
    try {
        parallel_for(8, [&](unsigned t) {
            ran.fetch_add(1);
            if (t == 5) throw std::runtime_error("task 5");
            if (t == 3) throw std::invalid_argument("task 3");
        });
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "task 3");
    }
    EXPECT_EQ(ran.load(), 8);
    // The pool is usable afterwards.
    std::atomic<int> after{0};
    parallel_for(4, [&](unsigned) { after.fetch_add(1); });
    EXPECT_EQ(after.load(), 4);
}

TEST(ThreadPool, NestedJobsRunOnTheTaskThatStartsThem) {
    std::vector<std::atomic<int>> cells(6 * 5);
    parallel_for(6, [&](unsigned outer) {
        parallel_for(5, [&](unsigned inner) { cells[outer * 5 + inner].fetch_add(1); });
    });
    for (auto& c : cells) EXPECT_EQ(c.load(), 1);
}

TEST(ThreadPool, ConcurrentCallersEachGetTheirOwnTasksDone) {
    // Only one job uses the workers at a time; the others run theirs on their own thread.
    constexpr unsigned callers = 8, rounds = 200, tasks = 7;
    std::vector<std::uint64_t> sums(callers, 0);
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < callers; ++c)
        threads.emplace_back([&, c] {
            for (unsigned r = 0; r < rounds; ++r) {
                std::uint64_t part[tasks] = {};
                parallel_for(tasks, [&](unsigned t) { part[t] = (c + 1) * 1000 + t; });
                for (auto v : part) sums[c] += v;
            }
        });
    for (auto& t : threads) t.join();
    for (unsigned c = 0; c < callers; ++c)
        EXPECT_EQ(sums[c], std::uint64_t{rounds} * (tasks * (c + 1) * 1000 + tasks * (tasks - 1) / 2));
}

// Not a ThreadPool test: ThreadSanitizer does not support fork() in a multithreaded process.
TEST(ForkedChild, StartsAPoolOfItsOwn) {
    const auto d = aucrecall::data::generate<std::int64_t, double>(200000, aucrecall::data::Dist::uniform, 3);
    const ScopedEnv two("AUCRECALL_THREADS", "2");
    const aucrecall::Options threaded{.kernel = "radix_rank_mt"};
    const double parent = aucrecall::auc_recall(d.labels(), d.scores(), threaded);  // pool started
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        alarm(60);  // a child waiting on the parent's workers would hang: die instead
        const double again = aucrecall::auc_recall(d.labels(), d.scores(), threaded);
        _exit(again == parent ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child was killed (signal " << WTERMSIG(status) << ")";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child computed another value";
}

}  // namespace
