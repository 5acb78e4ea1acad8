// radix_rank on several threads: chunks of the input for the passes over items, ranges of
// buckets for the passes over buckets (radix_rank_impl.hpp). Only integer counts are combined,
// so the result equals radix_rank's bit for bit whatever the thread count.
#include "kernel_list.hpp"
#include "cutoff.hpp"
#include "radix_rank_impl.hpp"
#include "tuning.hpp"

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

namespace aucrecall::kernel_impl {
// hardware_concurrency() reads /sys on every call (~20 us measured): asked once.
unsigned threads_available() {
    static const unsigned hardware =
        std::max(1u, std::min(std::thread::hardware_concurrency(), tuning::max_auto_threads));
    return hardware;
}

// AUCRECALL_THREADS=k forces k threads (1..64) whatever n; otherwise the hardware's count,
// capped, and one thread per `per_thread` items.
unsigned thread_count_for(std::size_t n, std::size_t per_thread) {
    if (const char* forced = std::getenv("AUCRECALL_THREADS"); forced != nullptr && *forced) {
        const std::string_view text(forced);
        unsigned value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > 64)
            throw std::invalid_argument("AUCRECALL_THREADS='" + std::string(text) +
                                        "' is not a thread count from 1 to 64");
        return value;
    }
    const std::size_t by_size = std::max<std::size_t>(1, n / per_thread);
    return static_cast<unsigned>(std::min<std::size_t>(threads_available(), by_size));
}

namespace {
unsigned thread_count(std::size_t n) { return thread_count_for(n, tuning::items_per_thread); }
}  // namespace

double radix_rank_mt(const Input& input, Ties ties) { return radix_rank_mt_parts(input, ties).metric(); }

detail::RankSumParts radix_rank_mt_parts(const Input& input, Ties ties) {
    const unsigned threads = input.n <= rank_count::tiny_n ? 1 : thread_count(input.n);
    return detail::visit(input, [ties, threads](auto labels, auto scores) {
        return rank_count::radix_rank_parts(labels, scores, ties, threads);
    });
}

double radix_rank_mt_at(const Input& input, Ties ties, std::uint64_t k) {
    if (k == 0 || k >= input.n) return radix_rank_mt(input, ties);
    return detail::visit(input, [ties, k](auto labels, auto scores) {
        return cutoff::select_then_count(labels, scores, ties, k, [](auto l, auto s, Ties t) {
            return radix_rank_mt_parts(make_input(l, s), t);
        });
    });
}

}  // namespace aucrecall::kernel_impl
