// The text keys' index (runtime/text_keys.hpp), white-box: the zero-padded words it reads keys as,
// the hash, the slot form of a short key and its compare, and the ids of a mix of keys. The CLI
// tests and the module's pytest check the ids end to end; these check the pieces that read key
// bytes with fixed-size loads, against byte-wise definitions written here. Each key is copied
// into a buffer of exactly its size, so AddressSanitizer reports any read past its end.
#include "runtime/text_keys.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using aucrecall::detail::hash_text;
using aucrecall::detail::KeyIndex;
using aucrecall::detail::padded_word;

// The definitions: bytes copied one by one into zeroed words.
std::uint64_t padded_word_reference(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n && i < 8; ++i) w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    return w;
}

std::uint64_t hash_reference(const std::string& s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xff51afd7ed558ccdull);
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        h = (h ^ padded_word_reference(s.data() + i, 8)) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    if (i < s.size()) h = (h ^ padded_word_reference(s.data() + i, s.size() - i)) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

// A key in a heap block of exactly its size (one byte for the empty key, which is not read).
struct ExactBuffer {
    explicit ExactBuffer(const std::string& key) : bytes(new char[std::max<std::size_t>(1, key.size())]), size(key.size()) {
        std::memcpy(bytes.get(), key.data(), key.size());
    }
    std::string_view view() const { return {bytes.get(), size}; }
    std::unique_ptr<char[]> bytes;
    std::size_t size;
};

std::string random_key(std::mt19937_64& rng, std::size_t length) {
    std::string key(length, '\0');
    // Every byte value, zero and 0xFF among them: the padding must not be confused with the text.
    for (char& c : key) c = static_cast<char>(rng() & 0xFF);
    return key;
}

TEST(TextKeys, PaddedWordsAndHashMatchTheByteWiseDefinition) {
    std::mt19937_64 rng(20221);
    for (std::size_t length = 0; length <= 40; ++length) {
        for (int trial = 0; trial < 200; ++trial) {
            const std::string key = random_key(rng, length);
            const ExactBuffer buffer(key);
            const char* p = buffer.view().data();
            for (std::size_t n = 0; n <= std::min<std::size_t>(length, 8); ++n)
                ASSERT_EQ(padded_word(p, n), padded_word_reference(p, n)) << "length " << length << " n " << n;
            ASSERT_EQ(hash_text(buffer.view()), hash_reference(key)) << "length " << length;
        }
    }
}

TEST(TextKeys, ShortKeysKeepTheirTextAndCompareByEveryByte) {
    std::mt19937_64 rng(7);
    for (std::size_t length = 0; length <= KeyIndex::inline_bytes + 5; ++length) {
        for (int trial = 0; trial < 50; ++trial) {
            const std::string key = random_key(rng, length);
            const ExactBuffer buffer(key);
            const KeyIndex::ShortKey form = KeyIndex::short_key(buffer.view());
            if (length > KeyIndex::inline_bytes) {
                ASSERT_EQ(form.length(), 0xFFu) << "a long key's form says so";
                continue;
            }
            ASSERT_EQ(form.length(), length);
            ASSERT_EQ(std::string(form.text(), form.length()), key);
            ASSERT_TRUE(form == KeyIndex::short_key(std::string(key)));
            // One byte changed anywhere, or one byte more or less: a different form.
            for (std::size_t at = 0; at < length; ++at) {
                std::string other = key;
                other[at] = static_cast<char>(other[at] ^ 0x01);
                ASSERT_FALSE(form == KeyIndex::short_key(other)) << "byte " << at << " of " << length;
            }
            if (length > 0) {
                ASSERT_FALSE(form == KeyIndex::short_key(key.substr(0, length - 1)));
            }
            std::string longer = key;
            longer.push_back('\0');
            ASSERT_FALSE(form == KeyIndex::short_key(longer)) << "a trailing zero byte is text, not padding";
        }
    }
}

TEST(TextKeys, IdsInOrderOfFirstAppearanceForShortAndLongKeys) {
    std::mt19937_64 rng(99);
    // Keys that are prefixes of each other, hold zero bytes, or are empty, at every length around
    // the inline limit; each seen several times in a shuffled order.
    std::vector<std::string> distinct = {"", std::string(1, '\0'), std::string(2, '\0'), "a", std::string("a\0", 2)};
    for (std::size_t length = 1; length <= KeyIndex::inline_bytes + 4; ++length) {
        const std::string base = random_key(rng, length);
        distinct.push_back(base);
        distinct.push_back(base + "x");
        std::string numbered = "q";  // the common form of keys: a letter and a number
        numbered += std::to_string(length * 1000003);
        distinct.push_back(numbered);
    }
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    std::vector<std::string> rows;
    for (int copy = 0; copy < 4; ++copy) rows.insert(rows.end(), distinct.begin(), distinct.end());
    std::shuffle(rows.begin(), rows.end(), rng);

    KeyIndex index;
    std::vector<std::string> first_seen;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto seen = std::find(first_seen.begin(), first_seen.end(), rows[r]);
        const std::uint32_t want = static_cast<std::uint32_t>(seen - first_seen.begin());
        if (seen == first_seen.end()) first_seen.push_back(rows[r]);
        const ExactBuffer buffer(rows[r]);
        ASSERT_EQ(index.id_of(buffer.view(), r, [] { FAIL() << "full"; }), want) << "row " << r;
        ASSERT_EQ(index.find(buffer.view(), KeyIndex::short_key(buffer.view()), hash_text(buffer.view())), want);
    }
    ASSERT_EQ(index.size(), first_seen.size());
    for (std::uint32_t id = 0; id < index.size(); ++id) EXPECT_EQ(index.key(id), first_seen[id]);
    EXPECT_EQ(index.find("never seen", KeyIndex::short_key("never seen"), hash_text("never seen")), KeyIndex::not_found);
}

}  // namespace
