// The layout of a grouped input (SPEC.md "Groups"): group keys to dense ids in order of first
// appearance, group sizes, and whether each group's rows are contiguous. evaluation/groups.cpp
// evaluates the groups from it. Internal, not installed.
#pragma once

#include "aucrecall/aucrecall.hpp"
#include "runtime/scratch.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace aucrecall::groups {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

// Group g is items offsets[g] .. offsets[g+1]-1: of the input itself when `ids` is empty
// (contiguous groups), else of the input scattered into group order by `ids`.
struct Layout {
    std::vector<u64> offsets;      // groups + 1 entries
    std::vector<u64> first_item;   // per group
    detail::Buffer<u32> ids;   // per item, when groups are not contiguous (else empty)
    const u32* caller_ids = nullptr;  // the caller's ids in place of `ids` (compute_grouped_ids)
    // The caller's arrays (items and ids) may be handed back to the system once the pass into
    // partitions has read them (evaluation/groups.hpp: compute_grouped_ids_releasing_input).
    bool release_input = false;

    bool contiguous() const noexcept { return ids.size() == 0 && caller_ids == nullptr; }
    const u32* item_ids() const noexcept { return caller_ids != nullptr ? caller_ids : ids.data(); }
};

// Grouped evaluation indexes items with 32 bits (ids and the reordering): 4 bytes per item.
inline constexpr u64 max_grouped_items = std::numeric_limits<u32>::max();

// One pass over the keys, split over `threads` tasks of the library's pool: ids in order of
// first appearance, group sizes, first items, and the per-item ids when some group's rows are
// not contiguous. The same layout for every thread count.
Layout layout_from(const GroupedInput& input, unsigned threads);

// The key of `item` as text, for messages (UndefinedGroup).
std::string key_text(const GroupedInput& input, u64 item);

}  // namespace aucrecall::groups
