#include "simd_dispatch.hpp"

#include "aucrecall/aucrecall.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

namespace aucrecall::detail {
namespace {

constexpr std::array<std::string_view, isa_count> names = {"scalar", "sse2", "sse4_2", "avx2",
                                                           "avx512"};

// -1: not chosen yet. The choice is made once; force_simd_isa() may replace it later.
std::atomic<int> chosen{-1};
std::once_flag env_read;
thread_local int last_used = -1;

Isa parse_supported(std::string_view value, const char* origin) {
    for (std::size_t i = 0; i < isa_count; ++i) {
        if (names[i] != value) continue;
        const Isa isa = static_cast<Isa>(i);
        if (!cpu_supports(isa))
            throw std::invalid_argument(std::string(origin) + "=" + std::string(value) +
                                        ": this CPU does not support that instruction set");
        return isa;
    }
    std::string known;
    for (auto name : names) known += (known.empty() ? "" : ", ") + std::string(name);
    throw std::invalid_argument(std::string(origin) + "=" + std::string(value) +
                                ": unknown instruction set (known: " + known + ")");
}

Isa best_supported() noexcept {
    for (std::size_t i = isa_count; i-- > 0;)
        if (cpu_supports(static_cast<Isa>(i))) return static_cast<Isa>(i);
    return Isa::scalar;
}

}  // namespace

std::string_view isa_name(Isa isa) noexcept { return names[static_cast<std::size_t>(isa)]; }

bool cpu_supports(Isa isa) noexcept {
#if defined(__x86_64__) || defined(__i386__)
    switch (isa) {
        case Isa::scalar: return true;
        case Isa::sse2: return __builtin_cpu_supports("sse2");
        case Isa::sse4_2: return __builtin_cpu_supports("sse4.2");
        case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        // Every feature the AVX-512 translation unit is compiled with (kernels/CMakeLists.txt:
        // F, CD, DQ, BW, VL, FMA): the compiler may use any of them, VL for 128/256-bit operations
        // included, so a CPU without one of them (Knights Landing has no VL) must not run it.
        case Isa::avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                   __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
        case Isa::count: break;
    }
    return false;
#else
    return isa == Isa::scalar;
#endif
}

Isa active_isa() {
    int current = chosen.load(std::memory_order_acquire);
    if (current >= 0) return static_cast<Isa>(current);
    std::call_once(env_read, [] {
        const char* env = std::getenv("AUCRECALL_ARCH");
        int expected = -1;
        if (env == nullptr || *env == '\0') {
            chosen.compare_exchange_strong(expected, static_cast<int>(best_supported()));
            return;
        }
        Isa isa;
        try {
            isa = parse_supported(env, "AUCRECALL_ARCH");
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(e.what());  // call_once retries on the next call: still an error
        }
        chosen.compare_exchange_strong(expected, static_cast<int>(isa));
    });
    return static_cast<Isa>(chosen.load(std::memory_order_acquire));
}

void note_isa_used(Isa isa) noexcept { last_used = static_cast<int>(isa); }

}  // namespace aucrecall::detail

namespace aucrecall {

std::string_view simd_isa_last_used() noexcept {
    return detail::last_used < 0 ? std::string_view{} : detail::isa_name(static_cast<detail::Isa>(detail::last_used));
}

std::span<const std::string_view> simd_isas_compiled() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    return detail::names;
#else
    return std::span<const std::string_view>(detail::names).first(1);
#endif
}

std::vector<std::string_view> simd_isas_supported() {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < simd_isas_compiled().size(); ++i)
        if (detail::cpu_supports(static_cast<detail::Isa>(i))) out.push_back(detail::names[i]);
    return out;
}

std::string_view simd_isa_active() { return detail::isa_name(detail::active_isa()); }

void force_simd_isa(std::string_view isa) {
    const detail::Isa parsed = detail::parse_supported(isa, "isa");
    detail::chosen.store(static_cast<int>(parsed), std::memory_order_release);
}

}  // namespace aucrecall
