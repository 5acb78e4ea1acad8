// Text keys to dense ids in order of first appearance: the CLI's group column and the Python
// module's arrays of str both number their keys here, then hand the ids to compute_grouped_ids.
// Internal, not installed.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/thread_pool.hpp"

namespace aucrecall::detail {

static_assert(std::endian::native == std::endian::little, "keys are read as little-endian words");

// The n <= 8 bytes at p as a little-endian word, zero-padded: what a memcpy of n bytes into a
// zeroed word gives, made with fixed-size loads inside [p, p + n). A memcpy of a length known only
// at run time is a library call whose bytes then reach the word through memory, a failed
// store-to-load forward. With interleaved group rows every row's key is hashed and copied: on the
// CLI's 10M shuffled rows those two stalls were half of what the parse spent beyond the grouped
// file's (perf), and without them the parse took 523 instead of 634 ms (12 alternating runs).
inline std::uint64_t padded_word(const char* p, std::size_t n) noexcept {
    if (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        return w;
    }
    if (n >= 4) {  // two 4-byte loads that overlap in the middle: the shared bytes are equal
        std::uint32_t low, high;
        std::memcpy(&low, p, 4);
        std::memcpy(&high, p + n - 4, 4);
        return low | std::uint64_t{high} << (8 * (n - 4));
    }
    if (n == 0) return 0;
    const auto byte_at = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i); };
    return byte_at(0) | byte_at(n / 2) | byte_at(n - 1);  // 1 to 3 bytes, each set where it belongs
}

inline std::uint64_t hash_text(std::string_view s) noexcept {
    // 8 bytes at a time, multiply-xorshift mixing: keys are short and hashed once per row.
    const std::size_t n = s.size();
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    if (i < n) {
        // The last 1 to 7 bytes, zero-padded; after whole words, the string's last 8 bytes shifted.
        std::uint64_t w;
        if (i == 0) {
            w = padded_word(s.data(), n);
        } else {
            std::memcpy(&w, s.data() + n - 8, 8);
            w >>= 8 * (8 - (n - i));
        }
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
    // A key as a slot holds it: the text's bytes 0-18 zero-padded, then its length (long_key: the
    // text is only in the list), so one fixed-size compare tells a short key apart. Made and
    // compared as two 8-byte words and a 4-byte one (bytes 16-18 and the length), in registers:
    // a 16-byte load of what was just stored as two words is a failed store-to-load forward.
    struct ShortKey {
        std::uint32_t words[5];  // 4-byte aligned, so a 32-byte slot holds it after a hash and an id

        std::size_t length() const noexcept { return words[4] >> 24; }
        const char* text() const noexcept { return reinterpret_cast<const char*>(words); }
        friend bool operator==(const ShortKey& a, const ShortKey& b) noexcept {
            std::uint64_t a0, a1, b0, b1;
            std::memcpy(&a0, a.words, 8);
            std::memcpy(&a1, a.words + 2, 8);
            std::memcpy(&b0, b.words, 8);
            std::memcpy(&b1, b.words + 2, 8);
            return ((a0 ^ b0) | (a1 ^ b1) | (a.words[4] ^ b.words[4])) == 0;
        }
    };
    static_assert(inline_bytes == 19, "ShortKey holds 19 bytes of text and the length");
    static ShortKey short_key(std::string_view key) noexcept {
        const std::size_t n = key.size();
        std::uint64_t head = 0, middle = 0;
        std::uint32_t last = std::uint32_t{long_key} << 24;
        if (n <= inline_bytes) {
            const char* p = key.data();
            head = padded_word(p, std::min<std::size_t>(n, 8));
            if (n > 8) middle = padded_word(p + 8, std::min<std::size_t>(n - 8, 8));
            last = static_cast<std::uint32_t>(n > 16 ? padded_word(p + 16, n - 16) : 0) | static_cast<std::uint32_t>(n) << 24;
        }
        ShortKey k;
        std::memcpy(k.words, &head, 8);
        std::memcpy(k.words + 2, &middle, 8);
        k.words[4] = last;
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
                keys_.emplace_back(form.length() == long_key ? key : std::string_view(form.text(), form.length()));
                first_line_.push_back(line);
                return slot.id;
            }
            if (slot.hash == hash && slot.key == form && (form.length() != long_key || keys_[slot.id] == key))
                return slot.id;
        }
    }

    // The id of `key`, or not_found; the index is not changed (other threads may look up at once).
    static constexpr std::uint32_t not_found = 0xFFFFFFFFu;
    std::uint32_t find(std::string_view key, const ShortKey& form, std::uint64_t hash) const noexcept {
        if (slots_.empty()) return not_found;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
            const Slot& slot = slots_[s];
            if (slot.id == empty) return not_found;
            if (slot.hash == hash && slot.key == form && (form.length() != long_key || keys_[slot.id] == key))
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

// Keys numbered in consecutive chunks, each by its own KeyIndex (ids in the chunk's order of first
// appearance; first lines are positions in the whole input), renumbered over the whole input in
// order of first appearance: the first chunk's keys keep their ids, then each later chunk's keys
// not seen in an earlier chunk take the next ids in that chunk's order. Returns maps[c][chunk c's
// id] = the id over all chunks, for c >= 1 (maps[0] is empty: the first chunk's ids are already
// right). The key texts and first lines of the whole input, by id, go to `keys` and `first_lines`
// when given (the first chunk's are moved out). Each later chunk's keys are looked up, without
// changing any index, in the earlier chunks' indexes on `threads` threads; only counting is serial.
// (Inserting them all into one index cost more: with one group's rows together nearly every key is
// new, and the table that grows to hold them is fresh memory, 1.7 ns per byte on the VMs measured.)
template <class FailFull>
std::vector<std::vector<std::uint32_t>> merge_chunk_keys(std::span<KeyIndex> chunks, unsigned threads,
                                                         FailFull&& fail_full, std::vector<std::string>* keys = nullptr,
                                                         std::vector<std::size_t>* first_lines = nullptr) {
    std::vector<std::vector<std::uint32_t>> maps(chunks.size());
    // Where each later chunk's key was first seen: (chunk, id there), or chunk == c (new in c).
    struct Seen {
        std::uint32_t chunk, id;
    };
    std::vector<std::vector<Seen>> seen(chunks.size());
    std::vector<std::size_t> starts{0};  // the later chunks' keys as one list, split between threads
    for (std::size_t c = 1; c < chunks.size(); ++c) {
        seen[c].resize(chunks[c].size());
        starts.push_back(starts.back() + chunks[c].size());
    }
    const std::size_t total = starts.back();
    if (total > 0) {
        const unsigned tasks = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, total)));
        parallel_for(tasks, [&](unsigned t) {
            const std::size_t begin = total * t / tasks, end = total * (t + 1) / tasks;
            std::size_t c = 1;
            for (std::size_t k = begin; k < end; ++k) {
                while (k >= starts[c]) ++c;
                const auto id = static_cast<std::uint32_t>(k - starts[c - 1]);
                const std::string_view key = chunks[c].key(id);
                const KeyIndex::ShortKey form = KeyIndex::short_key(key);
                const std::uint64_t hash = hash_text(key);
                Seen where{static_cast<std::uint32_t>(c), id};
                for (std::size_t earlier = 0; earlier < c; ++earlier) {
                    const std::uint32_t found = chunks[earlier].find(key, form, hash);
                    if (found != KeyIndex::not_found) {
                        where = {static_cast<std::uint32_t>(earlier), found};
                        break;
                    }
                }
                seen[c][id] = where;
            }
        });
    }
    std::size_t next = chunks[0].size();
    if (keys != nullptr) *keys = std::move(chunks[0].keys());
    if (first_lines != nullptr) *first_lines = std::move(chunks[0].first_lines());
    for (std::size_t c = 1; c < chunks.size(); ++c) {
        maps[c].resize(chunks[c].size());
        for (std::uint32_t id = 0; id < chunks[c].size(); ++id) {
            const Seen where = seen[c][id];
            if (where.chunk == c) {
                if (next >= 0xFFFFFFFFu - 1) fail_full();
                maps[c][id] = static_cast<std::uint32_t>(next++);
                if (keys != nullptr) keys->push_back(std::move(chunks[c].keys()[id]));
                if (first_lines != nullptr) first_lines->push_back(chunks[c].first_line(id));
            } else {
                maps[c][id] = where.chunk == 0 ? where.id : maps[where.chunk][where.id];
            }
        }
    }
    return maps;
}

// The ids of rows [begin, end) rewritten through `map` (a chunk's map from merge_chunk_keys).
inline void remap_ids(std::uint32_t* ids, std::size_t begin, std::size_t end, const std::uint32_t* map) noexcept {
    for (std::size_t i = begin; i < end; ++i) ids[i] = map[ids[i]];
}

// Each chunk's per-row ids rewritten through its map (merge_chunk_keys), on `threads` threads
// that split the rows after the first chunk evenly, whatever the chunks' sizes. bounds[c] is where
// chunk c starts in `ids`, bounds.back() the end.
inline void remap_chunk_ids(std::uint32_t* ids, std::span<const std::size_t> bounds,
                            const std::vector<std::vector<std::uint32_t>>& maps, unsigned threads) {
    const std::size_t chunks = bounds.size() - 1;
    if (chunks < 2) return;
    const std::size_t from = bounds[1], rows = bounds.back() - from;
    parallel_for(threads, [&](unsigned t) {
        const std::size_t begin = from + rows * t / threads, end = from + rows * (t + 1) / threads;
        for (std::size_t c = 1; c < chunks; ++c) {
            const std::size_t lo = std::max(begin, bounds[c]), hi = std::min(end, bounds[c + 1]);
            if (lo < hi) remap_ids(ids, lo, hi, maps[c].data());
        }
    });
}

}  // namespace aucrecall::detail
