// Scratch memory of the kernels: uninitialised arrays drawn from a per-thread cache of blocks,
// so that repeated calls do not page-fault fresh memory in. aucrecall::release_scratch() empties
// the calling thread's cache (api/registry.cpp). Internal, not installed.
#pragma once

#include "runtime/huge_pages.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace aucrecall::detail {

// Large scratch arrays are kept per thread between calls: a fresh multi-megabyte allocation is
// mmap'ed and page-faulted in on every call (perf: clear_page_erms, exc_page_fault; the share
// of radix_rank's time is in tuning.hpp). Blocks up to tuning::cache_max_bytes are kept, at most
// tuning::cache_max_blocks of them per thread.
struct FreeBlock {
    void operator()(std::byte* p) const noexcept { std::free(p); }
};
struct CachedBlock {
    std::unique_ptr<std::byte[], FreeBlock> data;  // from allocate_maybe_huge (runtime/huge_pages.hpp)
    std::size_t bytes = 0;
};
inline std::vector<CachedBlock>& thread_block_cache() {
    thread_local std::vector<CachedBlock> cache;
    return cache;
}

// An uninitialised array (the kernels write every element before reading it; zero-filling would
// cost a pass over memory) drawn from and returned to the calling thread's block cache.
template <class T>
class Buffer {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

public:
    Buffer() = default;
    explicit Buffer(std::size_t n) : size_(n) {
        if (n == 0) return;
        const std::size_t bytes = n * sizeof(T);
        auto& cache = thread_block_cache();
        auto best = cache.end();
        for (auto it = cache.begin(); it != cache.end(); ++it)
            if (it->bytes >= bytes && (best == cache.end() || it->bytes < best->bytes)) best = it;
        if (best != cache.end()) {
            block_ = std::move(*best);
            cache.erase(best);
        } else {
            block_.data.reset(static_cast<std::byte*>(allocate_maybe_huge(bytes)));
            if (!block_.data) throw std::bad_alloc();
            block_.bytes = bytes;
            fresh_ = true;
        }
    }
    Buffer(Buffer&& other) noexcept : block_(std::move(other.block_)), size_(other.size_), fresh_(other.fresh_) {
        other.block_.bytes = 0;
        other.size_ = 0;
        other.fresh_ = false;
    }
    Buffer& operator=(Buffer&& other) noexcept {
        if (this != &other) {
            release();
            block_ = std::move(other.block_);
            size_ = other.size_;
            fresh_ = other.fresh_;
            other.block_.bytes = 0;
            other.size_ = 0;
            other.fresh_ = false;
        }
        return *this;
    }
    ~Buffer() { release(); }

    T* data() noexcept { return reinterpret_cast<T*>(block_.data.get()); }
    const T* data() const noexcept { return reinterpret_cast<const T*>(block_.data.get()); }
    std::size_t size() const noexcept { return size_; }
    // Whether the block was allocated for this buffer (not drawn from the cache): its pages are
    // not yet in memory.
    bool fresh() const noexcept { return fresh_; }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    void reserve_at_least(std::size_t n) {
        if (n > size_) *this = Buffer(n);
    }

private:
    void release() noexcept {
        // A pool worker's cache could not be released by the caller (release_scratch() frees
        // the calling thread's): workers free their blocks.
        if (!block_.data || block_.bytes > tuning::cache_max_bytes || on_pool_worker()) {
            block_ = {};
            return;
        }
        try {
            auto& cache = thread_block_cache();
            cache.push_back(std::move(block_));
            if (cache.size() > tuning::cache_max_blocks) {  // drop the smallest
                auto smallest = std::min_element(cache.begin(), cache.end(),
                    [](const CachedBlock& a, const CachedBlock& b) { return a.bytes < b.bytes; });
                cache.erase(smallest);
            }
        } catch (...) {  // no room to remember it: just free it
        }
        block_ = {};
    }

    CachedBlock block_;
    std::size_t size_ = 0;
    bool fresh_ = false;
};

// Faults a fresh buffer's pages in on `threads` of the pool's threads, before a pass that writes
// it on one thread: the kernel clears each new page in the faulting thread, which on the VMs
// measured costs about as much as the pass itself (1.5 s per GB on one thread, half on two).
// A buffer from the cache is already in memory and is left alone.
template <class T>
void fault_in_on_threads(Buffer<T>& buffer, unsigned threads) {
    if (!buffer.fresh() || threads <= 1) return;
    auto* const bytes = reinterpret_cast<volatile unsigned char*>(buffer.data());
    const std::size_t size = buffer.size() * sizeof(T);
    constexpr std::size_t page = base_page_bytes;
    const std::size_t pages = (size + page - 1) / page;
    parallel_for(threads, [&](unsigned t) {
        for (std::size_t i = pages * t / threads; i < pages * (t + 1) / threads; ++i) bytes[i * page] = 0;
    });
}

}  // namespace aucrecall::detail
