// Run-time choice of the instruction set for SIMD kernels (see aucrecall.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace aucrecall::detail {

// scalar, then the dispatch table's entries (isa_table.def) in its order: later entries are
// preferred when the CPU supports them.
enum class Isa : unsigned char {
    scalar,
#define AUCRECALL_ISA(name, arch, flags, features, highway) name,
#include "simd/isa_table.def"
#undef AUCRECALL_ISA
    count
};
inline constexpr std::size_t isa_count = static_cast<std::size_t>(Isa::count);

std::string_view isa_name(Isa isa) noexcept;
// Whether the CPU has every feature the table lists for `isa`.
bool cpu_supports(Isa isa) noexcept;
// The table's feature list for `isa`, and whether the run-time check knows every name in it.
std::string_view isa_features(Isa isa) noexcept;
bool features_known(Isa isa) noexcept;
// The instruction set in force: forced by force_simd_isa(), else AUCRECALL_ARCH, else the best
// the CPU supports. Throws std::runtime_error when AUCRECALL_ARCH is unknown or unsupported.
Isa active_isa();
// SIMD kernels call this with the instruction set whose code they are about to run.
void note_isa_used(Isa isa) noexcept;
// The version of xsimd the entry tables were compiled with, "major.minor.patch" (for result files).
std::string_view xsimd_version() noexcept;

}  // namespace aucrecall::detail
