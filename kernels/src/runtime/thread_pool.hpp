// One process-wide pool of worker threads shared by the multithreaded kernels.
//
// Starting std::threads in every phase cost tens of microseconds per phase (radix_rank has five
// or six phases), so two threads only paid from about 2^18 items. The workers here are started
// once, on first use, and wait for the next job; a job is `tasks` numbered calls fn(0..tasks-1)
// that the caller and the workers take one at a time from a shared counter. Which thread runs
// task t never matters to the kernels: every task writes only its own slot, and they combine the
// slots in task order, so the result is the same for any number of workers (or none).
//
// One job runs at a time. A caller that finds the pool busy (another thread's job, or a task
// calling back into the pool) runs its tasks itself, in order: never a deadlock, the same result.
// After fork() the child starts a fresh pool on first use (the parent's workers do not exist in
// it).
#pragma once

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>
#include <vector>

namespace aucrecall::detail {

// The most threads one job can use, the caller included: the limit of AUCRECALL_THREADS and of
// any kernel's split (the pool starts at most max_threads - 1 workers).
inline constexpr unsigned max_threads = 64;

// The hardware's threads, capped at tuning::max_auto_threads (asked once: hardware_concurrency()
// reads /sys on every call, ~20 us measured).
unsigned threads_available();
// Threads for a job of n items: AUCRECALL_THREADS when set (1..max_threads, else throws
// std::invalid_argument), otherwise threads_available(), at most one per `per_thread` items.
unsigned thread_count_for(std::size_t n, std::size_t per_thread);

// run_tasks() calls task(context, t) for t = 0 .. tasks-1, on the calling thread and the pool's
// workers, and returns when all are done. Exceptions are the caller's business (parallel_for).
void run_tasks(unsigned tasks, void (*task)(void*, unsigned), void* context);

// Whether the calling thread is one of the pool's workers (their scratch memory is not kept
// between calls: release_scratch() on the caller's thread could not reach it).
bool on_pool_worker() noexcept;

// Workers the pool has started in this process (0 before the first parallel job).
unsigned pool_workers() noexcept;

// Runs fn(t) for t = 0 .. tasks-1 and rethrows the exception of the lowest-numbered task that
// threw, after every task has finished.
template <class Fn>
void parallel_for(unsigned tasks, Fn&& fn) {
    if (tasks <= 1) {
        fn(0u);
        return;
    }
    std::vector<std::exception_ptr> errors(tasks);
    struct Context {
        std::remove_reference_t<Fn>* fn;
        std::exception_ptr* errors;
    } context{&fn, errors.data()};
    run_tasks(tasks, [](void* raw, unsigned t) {
        auto* c = static_cast<Context*>(raw);
        try {
            (*c->fn)(t);
        } catch (...) {
            c->errors[t] = std::current_exception();
        }
    }, &context);
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace aucrecall::detail
