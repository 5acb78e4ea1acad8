// The CLI's CSV reader. Speed matters (ten million rows should take well under a second to
// parse), so the input is read in multi-megabyte chunks, lines are found with memchr and numbers
// are parsed in place with std::from_chars: no iostreams, no per-line allocation.
#include "csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace aucrecall::cli {
namespace {

constexpr std::size_t read_chunk_bytes = std::size_t{4} << 20;

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

// Offending text as it goes into a message: bounded in length, and with control bytes, NULs and
// non-ASCII shown as \xNN so binary junk cannot garble the terminal.
std::string quote(std::string_view text) {
    constexpr std::size_t shown = 40;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < shown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out += text.size() > shown ? "'..." : "'";
    return out;
}

enum class Parsed : std::uint8_t { ok, not_a_number, out_of_range };

// std::from_chars over the whole field. It rejects a leading '+', which writers such as
// printf("%+g") emit, so one '+' is skipped first; "+-1" and "++1" stay malformed.
Parsed parse_double(std::string_view text, double& value) noexcept {
    if (text.size() > 1 && text[0] == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
    const char* const last = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (ptr != last) return Parsed::not_a_number;
    if (ec == std::errc::result_out_of_range) return Parsed::out_of_range;
    return ec == std::errc{} ? Parsed::ok : Parsed::not_a_number;
}

// Whether a score is written as an integer: [+-]digits.
bool integer_digits(std::string_view text) noexcept {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

// An integer score's exact value when it fits int64.
enum class IntegerText : std::uint8_t { no, fits, too_wide };
IntegerText parse_integer(std::string_view text, std::int64_t& value) noexcept {
    if (!integer_digits(text)) return IntegerText::no;
    if (text[0] == '+') text.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size() ? IntegerText::fits : IntegerText::too_wide;
}

// Whether an integer score's text is exactly its parsed double (digits compared, sign and
// leading zeros aside).
bool exact_as_double(std::string_view text, double value) noexcept {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
    while (text.size() > 1 && text[0] == '0') text.remove_prefix(1);
    char digits[400];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, std::fabs(value), std::chars_format::fixed, 0);
    return ec == std::errc{} && std::string_view(digits, static_cast<std::size_t>(end - digits)) == text;
}

// Beyond this magnitude float64 no longer holds every integer.
constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53

enum class Label : std::uint8_t { zero, one, not_a_number, not_binary };

Label parse_label(std::string_view text) noexcept {
    if (text.size() == 1 && (text[0] == '0' || text[0] == '1'))  // the common case, kept cheap
        return text[0] == '1' ? Label::one : Label::zero;
    if (equals_ignoring_case(text, "true")) return Label::one;
    if (equals_ignoring_case(text, "false")) return Label::zero;
    double value = 0;
    switch (parse_double(text, value)) {
        case Parsed::not_a_number: return Label::not_a_number;
        case Parsed::out_of_range: return Label::not_binary;
        case Parsed::ok: break;
    }
    if (value == 0) return Label::zero;  // also -0
    if (value == 1) return Label::one;
    return Label::not_binary;
}

// Group key text -> dense id, looked up by string_view without building a string per row.
struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using GroupIndex = std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>>;

// Splits off the next field at a comma; `rest` keeps what follows the comma (nullopt-like: npos).
struct Fields {
    std::string_view line;
    std::size_t next = 0;  // start of the next field; npos after the last
    bool more() const noexcept { return next != std::string_view::npos; }
    std::string_view take() noexcept {
        const std::size_t comma = line.find(',', next);
        const std::string_view field = line.substr(next, comma == std::string_view::npos ? std::string_view::npos : comma - next);
        next = comma == std::string_view::npos ? std::string_view::npos : comma + 1;
        return field;
    }
};

const char* ordinal(std::size_t i) noexcept {
    static constexpr const char* names[] = {"first", "second", "third", "fourth"};
    return i < 4 ? names[i] : "further";
}

class Reader {
public:
    Reader(const std::string& name, std::uint64_t size_hint, CsvFormat format)
        : name_(name), size_hint_(size_hint), format_(format) {}

    LabelScoreTable read(std::FILE* stream) {
        // One buffer for the whole input: a chunk of new bytes follows the unfinished last line
        // of the previous chunk, which is never longer than max_line_bytes.
        // (Not value-initialised: zeroing megabytes would cost more than parsing a small file.)
        // A known small input needs no multi-megabyte chunk (the allocation, not the parse, was
        // most of a tiny file's cost); the line allowance stays, so a file that grew since its
        // size was taken is still read correctly, chunk by chunk.
        const std::size_t chunk =
            size_hint_ > 0 ? static_cast<std::size_t>(std::min<std::uint64_t>(read_chunk_bytes, size_hint_ + 1))
                           : read_chunk_bytes;
        const std::size_t capacity = chunk + max_line_bytes;
        const auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
        std::size_t filled = 0;
        bool at_start = true;
        for (;;) {
            const std::size_t want = capacity - filled;
            const std::size_t got = std::fread(buffer.get() + filled, 1, want, stream);
            if (got < want && std::ferror(stream))
                throw InputError(name_ + ": cannot read: " + std::strerror(errno));
            const bool at_end = got < want;
            const char* p = buffer.get();
            const char* const end = p + filled + got;
            if (at_start && end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
            at_start = false;
            while (const void* newline = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
                const char* line_end = static_cast<const char*>(newline);
                // The same limit whether or not the line happened to fit into one chunk.
                if (static_cast<std::size_t>(line_end - p) > max_line_bytes) fail_line_too_long();
                parse_line(std::string_view(p, static_cast<std::size_t>(line_end - p)));
                p = line_end + 1;
            }
            const auto rest = static_cast<std::size_t>(end - p);
            if (rest > max_line_bytes) fail_line_too_long();
            if (at_end) {
                if (rest > 0) parse_line(std::string_view(p, rest));
                break;
            }
            if (!reserved_) reserve_for_whole_input(static_cast<std::size_t>(p - buffer.get()));
            std::memmove(buffer.get(), p, rest);
            filled = rest;
        }
        if (table_.labels.empty()) throw InputError(name_ + ": no data rows");
        return std::move(table_);
    }

private:
    // Extrapolates the rows of the first chunk to the whole input: growing two ten-million-entry
    // arrays by doubling costs about as much page-faulting and copying as parsing them. An
    // estimate off the mark only costs memory or a later reallocation. Never more rows than
    // the shortest possible row ("0,1\n", 4 bytes) allows.
    void reserve_for_whole_input(std::size_t bytes_parsed) {
        reserved_ = true;
        if (size_hint_ == 0 || bytes_parsed == 0) return;
        const double rows_per_byte = static_cast<double>(table_.scores.size()) / static_cast<double>(bytes_parsed);
        const double estimate = 1.02 * rows_per_byte * static_cast<double>(size_hint_) + 1024;
        const auto rows = static_cast<std::size_t>(std::min(estimate, static_cast<double>(size_hint_ / 4 + 1)));
        table_.labels.reserve(rows);
        if (!format_.ranked) table_.scores.reserve(rows);
        if (format_.groups) table_.group_ids.reserve(rows);
    }

    [[noreturn]] void fail_line_too_long() const {
        throw InputError(name_ + ":" + std::to_string(table_.lines + 1) + ": line is longer than " +
                         std::to_string(max_line_bytes) + " bytes");
    }

    [[noreturn]] void fail(std::string_view line, std::string_view at, const std::string& what) const {
        const auto column = static_cast<std::size_t>(at.data() - line.data()) + 1;
        throw InputError(name_ + ":" + std::to_string(table_.lines) + ":" + std::to_string(column) +
                         ": " + what);
    }

    // Fields of this format in order, for messages.
    std::size_t field_count() const noexcept { return (format_.groups ? 1 : 0) + 1 + (format_.ranked ? 0 : 1); }
    std::string expected() const { return "expected '" + std::string(format_text(format_)) + "'"; }

    void parse_line(std::string_view line) {
        ++table_.lines;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) return;  // blank line

        // Split into the format's fields; a missing or extra one is reported where it would be.
        Fields fields{line};
        std::string_view raw[3];
        const std::size_t want = field_count();
        for (std::size_t f = 0; f < want; ++f) {
            if (!fields.more()) {
                const std::string_view last = trim(raw[f - 1]);
                static constexpr const char* names_scored[] = {"label", "score"};
                static constexpr const char* names_grouped[] = {"group", "label", "score"};
                const char* missing = (format_.groups ? names_grouped : names_scored)[f];
                fail(line, line.substr(static_cast<std::size_t>(last.data() + last.size() - line.data())),
                     std::string("missing ") + missing + ": " + expected() + ", found " +
                         (f == 1 ? "one field " + quote(trim(line)) : std::to_string(f) + " fields"));
            }
            raw[f] = fields.take();
        }
        if (fields.more()) {
            const std::string_view extra = line.substr(fields.next - 1);
            fail(line, extra,
                 "extra field: " + expected() + ", found a " + ordinal(want) + " field " +
                     quote(trim(line.substr(fields.next))));
        }
        std::size_t f = 0;
        const std::string_view group_text = format_.groups ? trim(raw[f++]) : std::string_view();
        const std::string_view label_field = raw[f++];
        const std::string_view score_field = format_.ranked ? std::string_view() : raw[f++];
        const std::string_view label_text = trim(label_field);
        const std::string_view score_text = trim(score_field);
        // Where an empty field would have been: at its start.
        const std::string_view label_at = label_text.empty() ? label_field : label_text;
        const std::string_view score_at = score_text.empty() ? score_field : score_text;

        const bool first_content_line = !seen_content_;
        seen_content_ = true;

        const Label label = parse_label(label_text);
        double score = 0;
        const Parsed parsed = format_.ranked ? Parsed::ok : parse_double(score_text, score);
        if (first_content_line && label == Label::not_a_number && !label_text.empty() &&
            (format_.ranked || (parsed == Parsed::not_a_number && !score_text.empty())) &&
            (!format_.groups || !group_text.empty())) {
            table_.header_line = table_.lines;
            return;
        }

        if (format_.groups && group_text.empty())
            fail(line, raw[0].empty() ? line : raw[0], "empty group key");
        if (label_text.empty()) fail(line, label_at, "empty label: labels must be 0 or 1");
        if (label == Label::not_a_number)
            fail(line, label_at, "label " + quote(label_text) + " is not a number (labels must be 0 or 1)");
        if (label == Label::not_binary)
            fail(line, label_at, "label " + quote(label_text) + " is not 0 or 1");
        if (!format_.ranked) {
            if (score_text.empty()) fail(line, score_at, "empty score");
            if (parsed == Parsed::not_a_number)
                fail(line, score_at, "score " + quote(score_text) + " is not a number");
            if (parsed == Parsed::out_of_range)
                fail(line, score_at, "score " + quote(score_text) + " is outside the range of double");
            if (std::isnan(score))
                fail(line, score_at, "score " + quote(score_text) + " is NaN; NaN scores cannot be ranked");
        }
        if (format_.groups) table_.group_ids.push_back(group_id(group_text));
        table_.labels.push_back(label == Label::one ? 1 : 0);
        if (!format_.ranked) keep_score(line, score_at, score_text, score);
    }

    // Scores go to `scores` as doubles while they are exact there; an integer beyond +-2^53 moves
    // the column to int64 (every earlier score is then an exact integer double) for good.
    void keep_score(std::string_view line, std::string_view score_at, std::string_view text, double score) {
        // At 2^53 and beyond the parsed double may already be a rounded integer.
        const bool wide = score >= exact_integer_limit || score <= -exact_integer_limit;
        if (!wide && integer_line_ == 0) {  // the common case: one compare once a decimal was seen
            table_.scores.push_back(score);
            if (all_integers_ && !integer_digits(text)) all_integers_ = false, decimal_line_ = table_.lines;
            return;
        }
        std::int64_t value = 0;
        const IntegerText integer = parse_integer(text, value);
        if (integer == IntegerText::no) {
            if (integer_line_ != 0)
                fail(line, score_at, "score " + quote(text) + " is not an integer, but line " + std::to_string(integer_line_) +
                                         " has an integer score beyond +-2^53, which a double would round; "
                                         "write every score as an integer, or scale the scores");
            if (all_integers_) all_integers_ = false, decimal_line_ = table_.lines;
            table_.scores.push_back(score);
            return;
        }
        if (!all_integers_ && exact_as_double(text, score)) {  // 1e20 written out: no rounding happened
            table_.scores.push_back(score);
            return;
        }
        if (integer == IntegerText::too_wide)
            fail(line, score_at, "score " + quote(text) + " is an integer beyond the range of int64; a double would round it");
        if (!wide) {  // below 2^53: exact either way
            if (integer_line_ != 0) table_.integer_scores.push_back(value);
            else table_.scores.push_back(score);
            return;
        }
        if (!all_integers_)
            fail(line, score_at, "score " + quote(text) + " is an integer beyond +-2^53, which a double would round, but line " +
                                     std::to_string(decimal_line_) + " has a non-integer score; write every score as an integer");
        if (integer_line_ == 0) {  // every score so far is an integer within 2^53: exact as int64
            integer_line_ = table_.lines;
            table_.integer_scores.reserve(table_.scores.capacity());
            for (double s : table_.scores) table_.integer_scores.push_back(static_cast<std::int64_t>(s));
            std::vector<double>().swap(table_.scores);
        }
        table_.integer_scores.push_back(value);
    }

    // Rows of one group usually come together: the previous row's key is checked first.
    std::uint32_t group_id(std::string_view key) {
        if (!table_.group_keys.empty() && key == table_.group_keys[last_group_]) return last_group_;
        auto it = groups_.find(key);
        if (it == groups_.end()) {
            const auto id = static_cast<std::uint32_t>(table_.group_keys.size());
            if (table_.group_keys.size() >= 0xFFFFFFFFu)
                throw InputError(name_ + ":" + std::to_string(table_.lines) + ": more than 4294967295 groups");
            it = groups_.emplace(std::string(key), id).first;
            table_.group_keys.emplace_back(key);
            table_.group_first_line.push_back(table_.lines);
        }
        last_group_ = it->second;
        return last_group_;
    }

    const std::string& name_;
    const std::uint64_t size_hint_;
    const CsvFormat format_;
    GroupIndex groups_;
    std::uint32_t last_group_ = 0;
    bool reserved_ = false;
    LabelScoreTable table_;
    bool seen_content_ = false;
    bool all_integers_ = true;        // every score so far written as an integer that fits int64
    std::size_t decimal_line_ = 0;    // the first line with a score that is not, or 0
    std::size_t integer_line_ = 0;    // the first line with an integer score beyond +-2^53, or 0
};

}  // namespace

std::string_view format_text(CsvFormat format) noexcept {
    if (format.groups) return format.ranked ? "group,label" : "group,label,score";
    return format.ranked ? "label" : "label,score";
}

LabelScoreTable read_label_score_csv(std::FILE* stream, const std::string& name,
                                     std::uint64_t size_hint, CsvFormat format) {
    return Reader(name, size_hint, format).read(stream);
}

}  // namespace aucrecall::cli
