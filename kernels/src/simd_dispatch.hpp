// Run-time choice of the instruction set for SIMD kernels (see aucrecall.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace aucrecall::detail {

// Order matters: later entries are preferred when the CPU supports them.
enum class Isa : unsigned char { scalar, sse2, sse4_2, avx2, avx512, count };
inline constexpr std::size_t isa_count = static_cast<std::size_t>(Isa::count);

std::string_view isa_name(Isa isa) noexcept;
bool cpu_supports(Isa isa) noexcept;
// The instruction set in force: forced by force_simd_isa(), else AUCRECALL_ARCH, else the best
// the CPU supports. Throws std::runtime_error when AUCRECALL_ARCH is unknown or unsupported.
Isa active_isa();
// SIMD kernels call this with the instruction set whose code they are about to run.
void note_isa_used(Isa isa) noexcept;

}  // namespace aucrecall::detail
