// Large arrays in transparent huge pages where the kernel offers them (Linux, `madvise` mode):
// the first write to each 4 KiB page of fresh memory faults, and on the machines measured those
// faults cost as much as the writes (the grouped scatter's copies, perf: a third of its time in
// the page-fault path). With 2 MiB pages one fault covers 512 of them. For the library's scratch
// blocks, which stay for the next call; the CLI, whose memory is fresh in every process, takes
// ordinary pages for its parsed rows (cli/csv_reader.hpp) and for the library's blocks
// (huge_pages_for_large_blocks below). Internal, not installed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif

namespace aucrecall::detail {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
// The base page: the unit the kernel faults in where no huge page was granted.
inline constexpr std::size_t base_page_bytes = 4096;

// Sizes worth a huge-page-aligned block: at least two huge pages (below that the rounding
// wastes more than it saves).
inline bool huge_worthy(std::size_t bytes) noexcept { return bytes >= 2 * huge_page_bytes; }

// Whether large blocks ask for huge pages: yes unless the process turned it off. The CLI does:
// it makes one call on memory that is fresh in every process, and on the VMs measured a fresh huge
// page was often slower to fault in than its 512 ordinary pages (free memory is handed back to
// the hypervisor in huge-page-sized blocks, and a huge page comes from such a block, while small
// allocations mostly reuse pages the guest still holds). The CLI's shuffled group file, 10M
// rows: the metric with its 90 MB of copies faulted in by the pass, 141 ms with huge pages and
// 118 ms without (medians of 10 alternating runs); earlier, the partition phase with 50 MB of
// gathering scratch, 96-112 against 55-64 ms. The TLB reach that huge pages buy pays off over a
// block's reuse, which a one-off call does not have.
inline std::atomic<bool> huge_pages_for_large_blocks{true};

// `bytes` of uninitialised memory, released with std::free; nullptr when none is left.
inline void* allocate_maybe_huge(std::size_t bytes) noexcept {
    if (!huge_worthy(bytes) || !huge_pages_for_large_blocks.load(std::memory_order_relaxed)) return std::malloc(bytes);
    const std::size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    void* p = std::aligned_alloc(huge_page_bytes, rounded);
#ifdef MADV_HUGEPAGE
    if (p != nullptr) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: the memory is the same without
#endif
    return p;
}

}  // namespace aucrecall::detail
