#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <immintrin.h>
#include <pthread.h>

namespace aucrecall::detail {
namespace {

// The caller runs tasks too.
constexpr unsigned max_workers = max_threads - 1;
// How long a worker (or the waiting caller) polls before it sleeps on the condition variable.
// A kernel's phases follow each other within microseconds, and a futex wake-up on these VMs took
// tens of them; polling this long between phases keeps the second core busy for nothing at most
// 50 us after the last job.
constexpr std::chrono::microseconds spin_before_sleep{50};

template <class Done>
bool spin_until(Done&& done) {
    const auto until = std::chrono::steady_clock::now() + spin_before_sleep;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (done()) return true;
            _mm_pause();
        }
        if (std::chrono::steady_clock::now() >= until) return done();
    }
}

thread_local bool is_worker = false;

struct Job {
    void (*task)(void*, unsigned);
    void* context;
    unsigned tasks;
    std::atomic<unsigned> next{0};
    std::atomic<unsigned> finished{0};
    unsigned inside = 0;  // workers that joined this job and have not left it (under Pool::lock)

    void work() {
        for (unsigned t; (t = next.fetch_add(1, std::memory_order_relaxed)) < tasks;) {
            task(context, t);
            finished.fetch_add(1, std::memory_order_release);
        }
    }
};

class Pool {
public:
    explicit Pool(unsigned workers) {
        threads_.reserve(workers);
        for (unsigned w = 0; w < workers; ++w) threads_.emplace_back([this] { serve(); });
    }
    ~Pool() {
        {
            std::lock_guard guard(lock_);
            stop_ = true;
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        for (auto& t : threads_) t.join();
    }
    unsigned workers() const noexcept { return static_cast<unsigned>(threads_.size()); }

    void run(unsigned tasks, void (*task)(void*, unsigned), void* context) {
        std::unique_lock one_job(busy_, std::try_to_lock);
        if (!one_job.owns_lock() || threads_.empty()) {  // busy: run them here (workers never get here)
            for (unsigned t = 0; t < tasks; ++t) task(context, t);
            return;
        }
        Job job{task, context, tasks};
        {
            std::lock_guard guard(lock_);
            job_ = &job;
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        job.work();
        spin_until([&] { return job.finished.load(std::memory_order_acquire) == tasks; });
        std::unique_lock guard(lock_);
        job_ = nullptr;  // no worker joins from now on; wait for those inside to leave
        left_.wait(guard, [&] { return job.inside == 0; });
        // every task was taken (next >= tasks) and every taker has left: all are finished
    }

private:
    void serve() {
        is_worker = true;
        std::uint64_t seen = 0;
        for (;;) {
            spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
            std::unique_lock guard(lock_);
            wake_.wait(guard, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
            if (stop_) return;
            seen = generation_.load(std::memory_order_relaxed);
            Job* const job = job_;
            if (job == nullptr) continue;  // woke after its caller finished it
            ++job->inside;
            guard.unlock();
            job->work();
            guard.lock();
            if (--job->inside == 0) left_.notify_all();
        }
    }

    std::mutex busy_;  // held by the caller whose job runs
    std::mutex lock_;  // guards job_, stop_ and Job::inside
    std::condition_variable wake_, left_;
    std::atomic<std::uint64_t> generation_{0};
    Job* job_ = nullptr;
    bool stop_ = false;
    std::vector<std::thread> threads_;
};

// Started on first use and never destroyed: joining at exit would race with static destructors
// of the caller's program, and an idle worker holds no resources worth freeing then.
std::atomic<Pool*> process_pool{nullptr};
std::atomic<unsigned> started_workers{0};

Pool& pool() {
    if (Pool* p = process_pool.load(std::memory_order_acquire)) return *p;
    static std::once_flag at_fork_registered;
    std::call_once(at_fork_registered, [] {
        // The child of fork() has only the forking thread: forget the parent's pool (its
        // workers and locks are not usable there) and start a new one when needed.
        pthread_atfork(nullptr, nullptr, [] {
            process_pool.store(nullptr, std::memory_order_relaxed);
            started_workers.store(0, std::memory_order_relaxed);
        });
    });
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    auto* fresh = new Pool(std::min(hardware - 1, max_workers));
    Pool* expected = nullptr;
    if (!process_pool.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
        delete fresh;  // another thread started one first
        return *expected;
    }
    started_workers.store(fresh->workers(), std::memory_order_relaxed);
    return *fresh;
}

}  // namespace

void run_tasks(unsigned tasks, void (*task)(void*, unsigned), void* context) {
    if (tasks <= 1 || is_worker) {
        for (unsigned t = 0; t < tasks; ++t) task(context, t);
        return;
    }
    pool().run(tasks, task, context);
}

unsigned threads_available() {
    static const unsigned hardware =
        std::max(1u, std::min(std::thread::hardware_concurrency(), tuning::max_auto_threads));
    return hardware;
}

unsigned thread_count_for(std::size_t n, std::size_t per_thread) {
    if (const char* forced = std::getenv("AUCRECALL_THREADS"); forced != nullptr && *forced) {
        const std::string_view text(forced);
        unsigned value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > max_threads)
            throw std::invalid_argument("AUCRECALL_THREADS='" + std::string(text) + "' is not a thread count from 1 to " +
                                        std::to_string(max_threads));
        return value;
    }
    const std::size_t by_size = std::max<std::size_t>(1, n / per_thread);
    return static_cast<unsigned>(std::min<std::size_t>(threads_available(), by_size));
}

bool on_pool_worker() noexcept { return is_worker; }

unsigned pool_workers() noexcept { return started_workers.load(std::memory_order_relaxed); }

}  // namespace aucrecall::detail
