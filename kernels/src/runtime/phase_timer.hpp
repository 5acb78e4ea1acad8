// Phase timing inside a kernel's own calls (the benchmark's phases/ rows, chart 5): a kernel marks
// the end of each phase, and when the calling thread has a PhaseLog installed the time since the
// previous mark is added to that phase's total. Without a log a mark is one thread-local load
// and a branch, a handful of times per call, so the library keeps the marks in every build.
//
// The log is per thread: a kernel's phases run on the calling thread (their parallel parts are
// pool tasks inside one phase), and concurrent callers never share a log.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace aucrecall::testing {

// Totals per phase name over every call made while installed, in order of first appearance.
struct PhaseLog {
    static constexpr int max_phases = 8;
    struct Phase {
        std::string_view name;
        std::int64_t nanoseconds = 0;
    };
    Phase phases[max_phases];
    int count = 0;
    std::chrono::steady_clock::time_point last{};

    void add(std::string_view name, std::chrono::steady_clock::time_point now) noexcept {
        const std::int64_t elapsed =
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count();
        last = now;
        for (int i = 0; i < count; ++i)
            if (phases[i].name == name) {
                phases[i].nanoseconds += elapsed;
                return;
            }
        if (count < max_phases) phases[count++] = {name, elapsed};
    }
};

// Installs `log` for the calling thread (nullptr: none) and returns the previous one.
PhaseLog* set_phase_log(PhaseLog* log) noexcept;

}  // namespace aucrecall::testing

namespace aucrecall::detail {

inline thread_local testing::PhaseLog* phase_log = nullptr;

// At a kernel's entry: the first phase is timed from here.
inline void phase_start() noexcept {
    if (testing::PhaseLog* log = phase_log) log->last = std::chrono::steady_clock::now();
}
// At the end of phase `name` (a string literal: the log keeps the view).
inline void phase_end(std::string_view name) noexcept {
    if (testing::PhaseLog* log = phase_log) log->add(name, std::chrono::steady_clock::now());
}

}  // namespace aucrecall::detail
