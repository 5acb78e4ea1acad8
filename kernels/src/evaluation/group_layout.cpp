// Group keys to dense ids (group_layout.hpp).
#include "evaluation/group_layout.hpp"

#include <bit>
#include <type_traits>

namespace aucrecall::groups {
namespace {

// Dense ids for 64-bit keys. Linear probing at most half full; Fibonacci hashing spreads
// sequential and strided keys (query ids are often both) over the table.
class KeyIds {
public:
    KeyIds() { resize(1024); }
    // The key's id; a new key gets the next id and *inserted = true.
    u32 id_of(u64 key, bool* inserted) {
        std::size_t slot = slot_of(key);
        while (ids_[slot] != empty) {
            if (keys_[slot] == key) {
                *inserted = false;
                return ids_[slot];
            }
            slot = (slot + 1) & mask_;
        }
        *inserted = true;
        const u32 id = count_++;
        keys_[slot] = key;
        ids_[slot] = id;
        if (2 * static_cast<std::size_t>(count_) > keys_.size()) resize(2 * keys_.size());
        return id;
    }

private:
    static constexpr u32 empty = std::numeric_limits<u32>::max();
    std::size_t slot_of(u64 key) const noexcept {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void resize(std::size_t slots) {
        std::vector<u64> old_keys = std::move(keys_);
        std::vector<u32> old_ids = std::move(ids_);
        keys_.assign(slots, 0);
        ids_.assign(slots, empty);
        mask_ = slots - 1;
        shift_ = 64 - std::countr_zero(slots);
        for (std::size_t i = 0; i < old_ids.size(); ++i) {
            if (old_ids[i] == empty) continue;
            std::size_t slot = slot_of(old_keys[i]);
            while (ids_[slot] != empty) slot = (slot + 1) & mask_;
            keys_[slot] = old_keys[i];
            ids_[slot] = old_ids[i];
        }
    }
    std::vector<u64> keys_;
    std::vector<u32> ids_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    u32 count_ = 0;
};

template <class Key>
u64 key_bits(Key key) noexcept {
    // Signed keys go through int64 first so that -1 of int8 and of int64 are the same pattern.
    return std::is_signed_v<Key> ? static_cast<u64>(static_cast<std::int64_t>(key)) : static_cast<u64>(key);
}

// One pass hashes each run of equal keys once: ids in order of first appearance, group sizes,
// and whether every group is one run (the contiguous layout, which needs nothing more). The
// per-item ids, needed only for the scatter of interleaved groups, go to uninitialised scratch
// kept per thread between calls (rank_count.hpp): no zero-filling or page faults per call.
template <class Key>
Layout layout_from_keys(const Key* keys, std::size_t n) {
    Layout layout;
    std::vector<u64> counts;
    KeyIds table;
    bool contiguous = true;
    detail::Buffer<u32> ids(n);
    for (std::size_t start = 0; start < n;) {
        std::size_t end = start + 1;
        while (end < n && keys[end] == keys[start]) ++end;
        bool inserted = false;
        const u32 id = table.id_of(key_bits(keys[start]), &inserted);
        if (inserted) {
            layout.first_item.push_back(start);
            counts.push_back(0);
        } else {
            contiguous = false;
        }
        counts[id] += end - start;
        for (std::size_t i = start; i < end; ++i) ids[i] = id;
        start = end;
    }
    const std::size_t groups = counts.size();
    layout.offsets.resize(groups + 1);
    layout.offsets[0] = 0;
    for (std::size_t g = 0; g < groups; ++g) layout.offsets[g + 1] = layout.offsets[g] + counts[g];
    if (!contiguous) layout.ids = std::move(ids);
    return layout;
}

}  // namespace

Layout layout_from(const GroupedInput& in) {
    const std::size_t n = in.items.n;
    switch (in.key_type) {
        case GroupKeyType::i8: return layout_from_keys(static_cast<const std::int8_t*>(in.keys), n);
        case GroupKeyType::u8: return layout_from_keys(static_cast<const std::uint8_t*>(in.keys), n);
        case GroupKeyType::i16: return layout_from_keys(static_cast<const std::int16_t*>(in.keys), n);
        case GroupKeyType::u16: return layout_from_keys(static_cast<const std::uint16_t*>(in.keys), n);
        case GroupKeyType::i32: return layout_from_keys(static_cast<const std::int32_t*>(in.keys), n);
        case GroupKeyType::u32: return layout_from_keys(static_cast<const std::uint32_t*>(in.keys), n);
        case GroupKeyType::i64: return layout_from_keys(static_cast<const std::int64_t*>(in.keys), n);
        case GroupKeyType::u64: break;
    }
    return layout_from_keys(static_cast<const std::uint64_t*>(in.keys), n);
}

std::string key_text(const GroupedInput& in, u64 item) {
    switch (in.key_type) {
        case GroupKeyType::i8: return std::to_string(static_cast<const std::int8_t*>(in.keys)[item]);
        case GroupKeyType::u8: return std::to_string(static_cast<const std::uint8_t*>(in.keys)[item]);
        case GroupKeyType::i16: return std::to_string(static_cast<const std::int16_t*>(in.keys)[item]);
        case GroupKeyType::u16: return std::to_string(static_cast<const std::uint16_t*>(in.keys)[item]);
        case GroupKeyType::i32: return std::to_string(static_cast<const std::int32_t*>(in.keys)[item]);
        case GroupKeyType::u32: return std::to_string(static_cast<const std::uint32_t*>(in.keys)[item]);
        case GroupKeyType::i64: return std::to_string(static_cast<const std::int64_t*>(in.keys)[item]);
        case GroupKeyType::u64: break;
    }
    return std::to_string(static_cast<const std::uint64_t*>(in.keys)[item]);
}

}  // namespace aucrecall::groups
