// Highway's vqsort capped at the dispatch table's entry in force (vqsort.hpp). Measured against
// the alternatives and across Highway targets: results/tuning.md.
#include "rank_sum/vqsort.hpp"
#include "simd/dispatch.hpp"

#include <hwy/contrib/sort/vqsort.h>
#include <hwy/targets.h>

#include <array>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace aucrecall::detail {
namespace {

// The best Highway target per entry of the dispatch table; `scalar` runs Highway's EMU128 (vqsort
// does not exist for HWY_SCALAR).
constexpr std::array<std::int64_t, isa_count> highway_best = {
    HWY_EMU128,
#define AUCRECALL_ISA(name, arch, flags, features, highway) highway,
#include "simd/isa_table.def"
#undef AUCRECALL_ISA
};

// vqsort with Highway's choice kept at or below the entry in force: every better target (a lower
// bit) is disabled, again only when the entry changed. Two Highway 1.0 details shape this:
// - A Sorter's scratch buffer is sized for the vector width of the target chosen when it is
//   constructed; a wider target would overrun it. So each thread keeps one Sorter per entry,
//   made under that entry's cap, and the cap cannot change while any sort runs (readers of
//   cap_mutex sort, the writer changes the cap).
// - DisableTargets makes Highway choose afresh on its next dispatch; hwy::SupportedTargets() must
//   not be called in between: it re-selects from every detected target (measured: the cap then
//   had no effect at all).
std::shared_mutex cap_mutex;
int capped_at = -1;  // the entry whose cap is applied; written under an exclusive lock

template <class Key>
void capped_vqsort_impl(Key* keys, std::size_t n) {
    const Isa isa = active_isa();
    note_isa_used(isa);
    const auto index = static_cast<std::size_t>(isa);
    std::shared_lock sorting(cap_mutex);
    while (capped_at != static_cast<int>(index)) {
        sorting.unlock();
        {
            const std::unique_lock changing(cap_mutex);
            if (capped_at != static_cast<int>(index)) {
                hwy::DisableTargets(highway_best[index] - 1);
                capped_at = static_cast<int>(index);
            }
        }
        sorting.lock();
    }
    thread_local std::array<std::unique_ptr<hwy::Sorter>, isa_count> sorters;
    if (!sorters[index]) sorters[index] = std::make_unique<hwy::Sorter>();
    (*sorters[index])(keys, n, hwy::SortAscending());
}

}  // namespace

void capped_vqsort(std::uint64_t* keys, std::size_t n) { capped_vqsort_impl(keys, n); }
void capped_vqsort(std::uint32_t* keys, std::size_t n) { capped_vqsort_impl(keys, n); }

void sort_keys_vectorized(std::uint64_t* keys, std::size_t n) {
    if (n <= tuning::vqsort_from_n) return std::sort(keys, keys + n);
    capped_vqsort(keys, n);
}
void sort_keys_vectorized(std::uint32_t* keys, std::size_t n) {
    if (n <= tuning::vqsort_from_n) return std::sort(keys, keys + n);
    capped_vqsort(keys, n);
}

}  // namespace aucrecall::detail
