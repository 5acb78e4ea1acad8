// The three functions of a rank-sum kernel (api/kernel_record.hpp), written once: a kernel is a
// function object that counts the rank-sum identity's integers for typed spans,
//   RankSumParts operator()(std::span<const Label>, std::span<const Score>, Ties) const,
// and from it follow the metric (run), metric@K (run_at: select the items that can reach rank K,
// count them with the same object, add the straddling tie group; evaluation/cutoff.hpp) and the
// counts themselves (parts: what the library's own cutoff path and mergeable summaries use).
#pragma once

#include "api/input.hpp"
#include "evaluation/cutoff.hpp"
#include "rank_sum/identity.hpp"

#include <cstdint>

namespace aucrecall::kernel_impl {

template <class TypedParts>
struct RankSumKernel {
    static detail::RankSumParts parts(const Input& input, Ties ties) {
        return detail::visit(input, [ties](auto labels, auto scores) { return TypedParts{}(labels, scores, ties); });
    }
    static double run(const Input& input, Ties ties) { return parts(input, ties).metric(); }
    static double run_at(const Input& input, Ties ties, std::uint64_t k) {
        if (k == 0 || k >= input.n) return run(input, ties);
        return detail::visit(input, [ties, k](auto labels, auto scores) {
            return cutoff::select_then_count(labels, scores, ties, k, TypedParts{});
        });
    }
};

}  // namespace aucrecall::kernel_impl
