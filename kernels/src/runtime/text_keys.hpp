// Text keys to dense ids in order of first appearance: the CLI's group column and the Python
// module's arrays of str both number their keys here, then hand the ids to compute_grouped_ids.
// Internal, not installed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace aucrecall::detail {

inline std::uint64_t hash_text(std::string_view s) noexcept {
    // 8 bytes at a time, multiply-xorshift mixing: keys are short and hashed once per row.
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xff51afd7ed558ccdull);
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * 0x94d049bb133111ebull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

// Key text -> dense id in order of first appearance: open addressing over 32-byte slots (two per
// cache line) holding the hash, the id and, for keys of up to inline_bytes, the text itself; the
// texts also go to one list, copied once when first seen. With rows of many groups interleaved
// every row's lookup lands in a random slot: a short key found in its slot costs that one cache
// miss (the CLI's parser prefetches it rows ahead), where comparing against the list's string cost a
// second (results/tuning.md).
class KeyIndex {
public:
    static constexpr std::size_t inline_bytes = 19;
    // A key as a slot holds it: length and text zero-padded, or length long_key (the text is only
    // in the list), so one fixed-size compare tells a short key apart.
    struct ShortKey {
        std::uint8_t length;
        char text[inline_bytes];
    };
    static ShortKey short_key(std::string_view key) noexcept {
        ShortKey k{};
        if (key.size() > inline_bytes) {
            k.length = long_key;
        } else {
            k.length = static_cast<std::uint8_t>(key.size());
            std::memcpy(k.text, key.data(), key.size());
        }
        return k;
    }

    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(keys_.size()); }
    const std::string& key(std::uint32_t id) const noexcept { return keys_[id]; }
    std::size_t first_line(std::uint32_t id) const noexcept { return first_line_[id]; }
    std::vector<std::string>& keys() noexcept { return keys_; }
    std::vector<std::size_t>& first_lines() noexcept { return first_line_; }

    void prefetch(std::uint64_t hash) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    }

    // The id of `key`, adding it (first seen at `line`: the caller's position, a line or an index)
    // when new. `fail_full` when 2^32 - 1 keys exist.
    template <class FailFull>
    std::uint32_t id_of(std::string_view key, std::size_t line, FailFull&& fail_full) {
        return id_of(key, short_key(key), hash_text(key), line, fail_full);
    }
    // The same with the key's slot form and hash_text(key) already made; `key` is read only for
    // long keys.
    template <class FailFull>
    std::uint32_t id_of(std::string_view key, const ShortKey& form, std::uint64_t hash, std::size_t line,
                        FailFull&& fail_full) {
        if (keys_.size() * 2 >= slots_.size()) grow();
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
            Slot& slot = slots_[s];
            if (slot.id == empty) {
                if (keys_.size() >= 0xFFFFFFFFu - 1) fail_full();
                slot.hash = hash;
                slot.id = static_cast<std::uint32_t>(keys_.size());
                slot.key = form;
                keys_.emplace_back(form.length == long_key ? key : std::string_view(form.text, form.length));
                first_line_.push_back(line);
                return slot.id;
            }
            if (slot.hash == hash && std::memcmp(&slot.key, &form, sizeof form) == 0 &&
                (form.length != long_key || keys_[slot.id] == key))
                return slot.id;
        }
    }

private:
    static constexpr std::uint32_t empty = 0xFFFFFFFFu;
    static constexpr std::uint8_t long_key = 0xFF;
    struct alignas(32) Slot {
        std::uint64_t hash = 0;
        std::uint32_t id = empty;
        ShortKey key{};
    };
    static_assert(sizeof(Slot) == 32);
    void grow() {
        std::vector<Slot> bigger(std::max<std::size_t>(64, slots_.size() * 2));
        const std::size_t mask = bigger.size() - 1;
        for (const Slot& slot : slots_) {
            if (slot.id == empty) continue;
            std::size_t s = slot.hash & mask;
            while (bigger[s].id != empty) s = (s + 1) & mask;
            bigger[s] = slot;
        }
        slots_.swap(bigger);
    }
    std::vector<Slot> slots_;
    std::vector<std::string> keys_;
    std::vector<std::size_t> first_line_;
};

}  // namespace aucrecall::detail
