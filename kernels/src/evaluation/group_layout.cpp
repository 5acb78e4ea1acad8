// Group keys to dense ids (group_layout.hpp).
#include "evaluation/group_layout.hpp"

#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

#include <algorithm>
#include <bit>
#include <type_traits>

namespace aucrecall::groups {
namespace {

// Dense ids for 64-bit keys. Linear probing at most half full; Fibonacci hashing spreads
// sequential and strided keys (query ids are often both) over the table. A key and its id share
// one 16-byte slot, so a probe touches one cache line, and prefetch() starts that line's load for
// a key the caller will look up soon: with 10^5 groups the table (4 MB) is out of L2, and rows of
// interleaved groups look up a new key per item.
class KeyIds {
public:
    // Room for `expected` keys without growing (the table doubles as it fills otherwise).
    explicit KeyIds(std::size_t expected = 512) { resize(std::bit_ceil(std::max<std::size_t>(2 * expected, 1024))); }
    // The key's id; a new key gets the next id and *inserted = true.
    u32 id_of(u64 key, bool* inserted) {
        std::size_t slot = slot_of(key);
        while (slots_[slot].id != empty) {
            if (slots_[slot].key == key) {
                *inserted = false;
                return slots_[slot].id;
            }
            slot = (slot + 1) & mask_;
        }
        *inserted = true;
        const u32 id = count_++;
        slots_[slot] = {key, id};
        if (2 * static_cast<std::size_t>(count_) > slots_.size()) resize(2 * slots_.size());
        return id;
    }
    void prefetch(u64 key) const noexcept { __builtin_prefetch(&slots_[slot_of(key)]); }
    std::size_t size() const noexcept { return count_; }

private:
    static constexpr u32 empty = std::numeric_limits<u32>::max();
    struct Slot {
        u64 key;
        u32 id;
    };
    std::size_t slot_of(u64 key) const noexcept {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void resize(std::size_t slot_count) {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(slot_count, Slot{0, empty});
        mask_ = slot_count - 1;
        shift_ = 64 - std::countr_zero(slot_count);
        for (const Slot& entry : old) {
            if (entry.id == empty) continue;
            std::size_t slot = slot_of(entry.key);
            while (slots_[slot].id != empty) slot = (slot + 1) & mask_;
            slots_[slot] = entry;
        }
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    u32 count_ = 0;
};

template <class Key>
u64 key_bits(Key key) noexcept {
    // Signed keys go through int64 first so that -1 of int8 and of int64 are the same pattern.
    return std::is_signed_v<Key> ? static_cast<u64>(static_cast<std::int64_t>(key)) : static_cast<u64>(key);
}

// One chunk of the keys, hashed on its own (by one thread): its groups in order of first
// appearance within the chunk, each run of equal keys hashed once. The per-item ids (local to the
// chunk) go to the caller's array only from the first run of a key seen before in the chunk:
// every earlier run was a new group, so the earlier ids are the run numbers, filled in then, and
// a chunk whose groups are all single runs writes no ids (4 bytes per item of stores saved).
struct Chunk {
    std::size_t begin = 0, end = 0;
    std::vector<u64> keys;        // key bits per local group
    std::vector<u64> first_item;  // input index of each local group's first item
    std::vector<u64> counts;      // items per local group
    bool contiguous = true;       // every local group one run (then the chunk's ids are unwritten)
};

template <class Key>
void scan_chunk(const Key* keys, Chunk& chunk, u32* ids) {
    KeyIds table;
    const std::size_t stop = chunk.end;
    for (std::size_t start = chunk.begin; start < stop;) {
        if (start + tuning::key_prefetch_distance < stop)
            table.prefetch(key_bits(keys[start + tuning::key_prefetch_distance]));
        std::size_t end = start + 1;
        while (end < stop && keys[end] == keys[start]) ++end;
        bool inserted = false;
        const u64 bits = key_bits(keys[start]);
        const u32 id = table.id_of(bits, &inserted);
        if (inserted) {
            chunk.keys.push_back(bits);
            chunk.first_item.push_back(start);
            chunk.counts.push_back(0);
        } else if (chunk.contiguous) {
            chunk.contiguous = false;
            for (u32 g = 0; g < static_cast<u32>(chunk.counts.size()); ++g)
                std::fill(ids + chunk.first_item[g], ids + chunk.first_item[g] + chunk.counts[g], g);
        }
        chunk.counts[id] += end - start;
        if (!chunk.contiguous) std::fill(ids + start, ids + end, id);
        start = end;
    }
}

// The layout in three steps: chunks hashed in parallel; their groups merged in chunk order into
// global ids (order of first appearance is kept: chunk order is input order); then, only when
// some group is not one run, each chunk's ids translated to global ones in parallel. A key met
// again in a later chunk keeps the layout contiguous only where it continues the run that ended
// the previous chunk. One chunk is the serial layout itself (its ids are the global ones).
// Whether chunks pay. Serially, the layout hashes one key per run; in chunks each thread hashes
// its runs, and the merge hashes each chunk's groups once more, on one thread. With runs of a few
// items that are mostly new groups (10^6 groups of 10: 50 ms threaded against 33 ms serial on 2
// threads), the merge costs what the threads saved; with long runs, or keys that keep returning
// (interleaved rows), it is small. A sample of the first keys tells which.
template <class Key>
bool chunks_pay(const Key* keys, std::size_t n) {
    const std::size_t sample = std::min(n, tuning::layout_sample_items);
    std::size_t runs = 0;
    KeyIds distinct(sample);
    bool inserted = false;
    for (std::size_t start = 0; start < sample;) {
        std::size_t end = start + 1;
        while (end < sample && keys[end] == keys[start]) ++end;
        ++runs;
        (void)distinct.id_of(key_bits(keys[start]), &inserted);
        start = end;
    }
    const std::size_t groups = distinct.size();
    return sample >= tuning::layout_chunk_min_run * runs || 2 * groups <= runs;
}

template <class Key>
Layout layout_from_keys(const Key* keys, std::size_t n, unsigned threads) {
    const unsigned chunk_count = threads > 1 && chunks_pay(keys, n) ? threads : 1;
    std::vector<Chunk> chunks(chunk_count);
    for (unsigned t = 0; t < chunk_count; ++t) {
        chunks[t].begin = static_cast<std::size_t>(static_cast<unsigned __int128>(n) * t / chunk_count);
        chunks[t].end = static_cast<std::size_t>(static_cast<unsigned __int128>(n) * (t + 1) / chunk_count);
    }
    detail::Buffer<u32> ids(n);
    detail::parallel_for(chunk_count, [&](unsigned t) { scan_chunk(keys, chunks[t], ids.data()); });

    Layout layout;
    std::vector<u64> counts;
    bool contiguous = true;
    std::vector<std::vector<u32>> global_ids(chunk_count);
    if (chunk_count == 1) {
        layout.first_item = std::move(chunks[0].first_item);
        counts = std::move(chunks[0].counts);
        contiguous = chunks[0].contiguous;
    } else {
        std::size_t local_groups = 0;
        for (const Chunk& chunk : chunks) local_groups += chunk.keys.size();
        KeyIds table(local_groups);
        for (unsigned t = 0; t < chunk_count; ++t) {
            const Chunk& chunk = chunks[t];
            contiguous = contiguous && chunk.contiguous;
            global_ids[t].resize(chunk.keys.size());
            for (std::size_t j = 0; j < chunk.keys.size(); ++j) {
                if (j + tuning::key_prefetch_distance < chunk.keys.size())
                    table.prefetch(chunk.keys[j + tuning::key_prefetch_distance]);
                bool inserted = false;
                const u32 id = table.id_of(chunk.keys[j], &inserted);
                if (inserted) {
                    layout.first_item.push_back(chunk.first_item[j]);
                    counts.push_back(0);
                } else if (!(j == 0 && chunk.begin > 0 && key_bits(keys[chunk.begin - 1]) == chunk.keys[0])) {
                    contiguous = false;
                }
                counts[id] += chunk.counts[j];
                global_ids[t][j] = id;
            }
        }
        if (!contiguous)
            detail::parallel_for(chunk_count, [&](unsigned t) {
                const Chunk& chunk = chunks[t];
                const u32* to_global = global_ids[t].data();
                u32* chunk_ids = ids.data();
                if (chunk.contiguous) {
                    for (std::size_t j = 0; j < chunk.keys.size(); ++j)
                        std::fill(chunk_ids + chunk.first_item[j], chunk_ids + chunk.first_item[j] + chunk.counts[j],
                                  to_global[j]);
                } else {
                    for (std::size_t i = chunk.begin; i < chunk.end; ++i) chunk_ids[i] = to_global[chunk_ids[i]];
                }
            });
    }
    const std::size_t groups = counts.size();
    layout.offsets.resize(groups + 1);
    layout.offsets[0] = 0;
    for (std::size_t g = 0; g < groups; ++g) layout.offsets[g + 1] = layout.offsets[g] + counts[g];
    if (!contiguous) layout.ids = std::move(ids);
    return layout;
}

}  // namespace

Layout layout_from(const GroupedInput& in, unsigned threads) {
    const std::size_t n = in.items.n;
    switch (in.key_type) {
        case GroupKeyType::i8: return layout_from_keys(static_cast<const std::int8_t*>(in.keys), n, threads);
        case GroupKeyType::u8: return layout_from_keys(static_cast<const std::uint8_t*>(in.keys), n, threads);
        case GroupKeyType::i16: return layout_from_keys(static_cast<const std::int16_t*>(in.keys), n, threads);
        case GroupKeyType::u16: return layout_from_keys(static_cast<const std::uint16_t*>(in.keys), n, threads);
        case GroupKeyType::i32: return layout_from_keys(static_cast<const std::int32_t*>(in.keys), n, threads);
        case GroupKeyType::u32: return layout_from_keys(static_cast<const std::uint32_t*>(in.keys), n, threads);
        case GroupKeyType::i64: return layout_from_keys(static_cast<const std::int64_t*>(in.keys), n, threads);
        case GroupKeyType::u64: break;
    }
    return layout_from_keys(static_cast<const std::uint64_t*>(in.keys), n, threads);
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
