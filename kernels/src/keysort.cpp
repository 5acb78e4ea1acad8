// Key-only sort: scores become order-preserving unsigned keys (64-bit for double, 32-bit for
// float), split by label (per instruction set: label_split_impl.hpp), sorted without any payload,
// then one merge counts the pairs of the rank-sum identity (rank_count.hpp). Compared with sorting (score, index) pairs it moves a
// quarter (float) to a half (double) of the bytes and never looks at an index.
//
// The sort is Highway's vqsort (SIMD quicksort, instruction set chosen at run time) for lists
// where it beat our LSD radix sort; measured (uniform double keys, medians): 50000 keys: vqsort
// 564 us, radix 695 us, std::sort 2552 us; 5*10^6 keys: 78.5 ms, 128 ms, 355 ms.
//
// Highway dispatches vqsort itself; the entry of the dispatch table in force (AUCRECALL_ARCH,
// force_simd_isa) caps the Highway target it may choose (isa_table.def's last column), so keysort
// is compared across instruction sets like the kernels with their own per-ISA code. 1e5 uint64
// keys, one Sorter, medians: EMU128 7.8 ms, SSSE3 10.5, SSE4 3.1, AVX2 1.3 (2026-11-27).
#include "kernel_list.hpp"
#include "cutoff.hpp"
#include "rank_count.hpp"
#include "simd_dispatch.hpp"

#include <hwy/contrib/sort/vqsort.h>
#include <hwy/targets.h>

#include <array>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace aucrecall::kernel_impl {
namespace {

// The best Highway target per entry of the dispatch table; `scalar` runs Highway's EMU128 (vqsort
// does not exist for HWY_SCALAR).
constexpr std::array<std::int64_t, detail::isa_count> highway_best = {
    HWY_EMU128,
#define AUCRECALL_ISA(name, arch, flags, features, highway) highway,
#include "isa_table.def"
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
void capped_vqsort(Key* keys, std::size_t n) {
    const detail::Isa isa = detail::active_isa();
    detail::note_isa_used(isa);
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
    thread_local std::array<std::unique_ptr<hwy::Sorter>, detail::isa_count> sorters;
    if (!sorters[index]) sorters[index] = std::make_unique<hwy::Sorter>();
    (*sorters[index])(keys, n, hwy::SortAscending());
}

struct VectorizedSort {
    // Short lists keep sort_keys (insertion sort / std::sort).
    static constexpr std::size_t vqsort_from_n = tuning::vqsort_from_n;
    template <class Key>
    void operator()(Key* keys, Key* scratch, std::size_t n) const {
        if (n <= vqsort_from_n) return rank_count::SortKeysInPlace{}(keys, scratch, n);
        capped_vqsort(keys, n);
    }
};

}  // namespace

void sort_keys_vectorized(std::uint64_t* keys, std::size_t n) {
    if (n <= VectorizedSort::vqsort_from_n) return std::sort(keys, keys + n);
    VectorizedSort{}(keys, static_cast<std::uint64_t*>(nullptr), n);
}
void sort_keys_vectorized(std::uint32_t* keys, std::size_t n) {
    if (n <= VectorizedSort::vqsort_from_n) return std::sort(keys, keys + n);
    VectorizedSort{}(keys, static_cast<std::uint32_t*>(nullptr), n);
}

double keysort(const Input& input, Ties ties) { return keysort_parts(input, ties).metric(); }

detail::RankSumParts keysort_parts(const Input& input, Ties ties) {
    return detail::visit(input, [ties](auto labels, auto scores) {
        return rank_count::keysort_parts(labels, scores, ties, VectorizedSort{});
    });
}

double keysort_at(const Input& input, Ties ties, std::uint64_t k) {
    if (k == 0 || k >= input.n) return keysort(input, ties);
    return detail::visit(input, [ties, k](auto labels, auto scores) {
        return cutoff::select_then_count(labels, scores, ties, k, [](auto l, auto s, Ties t) {
            return rank_count::keysort_parts(l, s, t, VectorizedSort{});
        });
    });
}

}  // namespace aucrecall::kernel_impl
