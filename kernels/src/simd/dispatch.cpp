#include "simd/dispatch.hpp"
#include "simd/entries.hpp"

#include "aucrecall/aucrecall.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

namespace aucrecall::detail {
namespace {

constexpr std::array<std::string_view, isa_count> names = {
    "scalar",
#define AUCRECALL_ISA(name, arch, flags, features, highway) #name,
#include "simd/isa_table.def"
#undef AUCRECALL_ISA
};

// The CPU features the table lists, space-separated, per instruction set ("" for scalar).
constexpr std::array<std::string_view, isa_count> required_features = {
    "",
#define AUCRECALL_ISA(name, arch, flags, features, highway) features,
#include "simd/isa_table.def"
#undef AUCRECALL_ISA
};

// __builtin_cpu_supports takes only string literals, so each feature a table entry may name is
// spelled here once; a name not listed is reported as absent (a test checks that every feature
// of the table is known).
int cpu_has(std::string_view feature) noexcept {
#define AUCRECALL_FEATURE(literal) \
    if (feature == literal) return __builtin_cpu_supports(literal) ? 1 : 0;
    AUCRECALL_FEATURE("sse2")
    AUCRECALL_FEATURE("sse4.2")
    AUCRECALL_FEATURE("avx2")
    AUCRECALL_FEATURE("fma")
    AUCRECALL_FEATURE("avx512f")
    AUCRECALL_FEATURE("avx512cd")
    AUCRECALL_FEATURE("avx512dq")
    AUCRECALL_FEATURE("avx512bw")
    AUCRECALL_FEATURE("avx512vl")
#undef AUCRECALL_FEATURE
    return -1;
}

// Calls fn(feature) for every space-separated name in `features`; false as soon as fn is false.
template <class Fn>
bool all_features(std::string_view features, Fn&& fn) {
    while (!features.empty()) {
        const std::size_t end = std::min(features.find(' '), features.size());
        if (end > 0 && !fn(features.substr(0, end))) return false;
        features.remove_prefix(std::min(end + 1, features.size()));
    }
    return true;
}

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
    if (isa >= Isa::count) return false;
    return all_features(required_features[static_cast<std::size_t>(isa)],
                        [](std::string_view feature) { return cpu_has(feature) == 1; });
}

bool features_known(Isa isa) noexcept {
    if (isa >= Isa::count) return false;
    return all_features(required_features[static_cast<std::size_t>(isa)],
                        [](std::string_view feature) { return cpu_has(feature) >= 0; });
}

std::string_view isa_features(Isa isa) noexcept { return required_features[static_cast<std::size_t>(isa)]; }

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

const SimdEntries& simd_entries(Isa isa) noexcept {
    static constexpr std::array<const SimdEntries*, isa_count> by_isa = {
        &simd_entries_scalar,
#define AUCRECALL_ISA(name, arch, flags, features, highway) &simd_entries_##name,
#include "simd/isa_table.def"
#undef AUCRECALL_ISA
    };
    return *by_isa[static_cast<std::size_t>(isa)];
}

const SimdEntries& use_active_entries() {
    const Isa isa = active_isa();
    note_isa_used(isa);
    return simd_entries(isa);
}

}  // namespace aucrecall::detail

namespace aucrecall {

std::string_view simd_isa_last_used() noexcept {
    return detail::last_used < 0 ? std::string_view{} : detail::isa_name(static_cast<detail::Isa>(detail::last_used));
}

std::span<const std::string_view> simd_isas_compiled() noexcept { return detail::names; }

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
