// The CLI's CSV reader. Speed matters (the reader, not the metric, was most of the command's
// time), so a regular file is mapped and split at row boundaries over the parsing threads, each
// reading its range in place; numbers are parsed in place (plain_decimal.hpp, std::from_chars),
// and rows found with memchr, except the common `label,score` row, whose end its parse finds: no
// iostreams, no per-row allocation (a group key's text is copied once, when first seen). A pipe
// is read in blocks and parsed by one thread as it arrives.
#include "csv_reader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "plain_decimal.hpp"
#include "runtime/text_keys.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

namespace aucrecall::cli {
namespace {


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

// ---- fields -----------------------------------------------------------------------------------

// One field of a row as RFC 4180 writes it: `raw` is its bytes in the line (for positions in
// messages), `text` its content without surrounding blanks and quotes. A quoted field's doubled
// quotes are still doubled in `text` (`escaped`): only group keys need them undone.
struct Field {
    std::string_view raw;
    std::string_view text;
    bool quoted = false;
    bool escaped = false;
};

// Splits a row at commas outside quotes. A quoted field runs from its opening quote to the
// quote that is not doubled; only blanks may follow it before the comma.
class Fields {
public:
    explicit Fields(std::string_view line) noexcept : line_(line) {}
    bool more() const noexcept { return next_ != std::string_view::npos; }
    std::size_t next() const noexcept { return next_; }

    // Throws through `fail` (line, where, message) for a quote left open or text after one.
    template <class Fail>
    Field take(Fail&& fail) {
        const std::size_t start = next_;
        std::size_t at = start;
        while (at < line_.size() && is_blank(line_[at])) ++at;
        Field f;
        if (at < line_.size() && line_[at] == '"') {
            const std::size_t open = at;
            std::size_t close = at + 1;
            for (;;) {
                close = line_.find('"', close);
                if (close == std::string_view::npos)
                    fail(line_.substr(open), "unterminated quoted field: no closing '\"' before the end of the input");
                if (close + 1 < line_.size() && line_[close + 1] == '"') {
                    f.escaped = true;
                    close += 2;
                    continue;
                }
                break;
            }
            f.quoted = true;
            f.text = line_.substr(open + 1, close - open - 1);
            std::size_t after = close + 1;
            while (after < line_.size() && is_blank(line_[after])) ++after;
            if (after < line_.size() && line_[after] != ',')
                fail(line_.substr(after), "text after the closing quote of a quoted field");
            f.raw = line_.substr(start, after - start);
            next_ = after < line_.size() ? after + 1 : std::string_view::npos;
            return f;
        }
        const std::size_t comma = line_.find(',', start);
        f.raw = line_.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        f.text = trim(f.raw);
        next_ = comma == std::string_view::npos ? std::string_view::npos : comma + 1;
        return f;
    }

private:
    std::string_view line_;
    std::size_t next_ = 0;  // start of the next field; npos after the last
};

std::string unescape(std::string_view quoted_text) {
    std::string out;
    out.reserve(quoted_text.size());
    for (std::size_t i = 0; i < quoted_text.size(); ++i) {
        out += quoted_text[i];
        if (quoted_text[i] == '"') ++i;  // a doubled quote stands for one
    }
    return out;
}

const char* ordinal(std::size_t i) noexcept {
    static constexpr const char* names[] = {"first", "second", "third", "fourth"};
    return i < 4 ? names[i] : "further";
}

// ---- which field is which ---------------------------------------------------------------------

constexpr std::size_t absent = static_cast<std::size_t>(-1);

// Field positions (0-based) of a row. `exact` (no column chosen): a row holds these fields and no
// others; otherwise it holds at least `wanted` fields and the others are ignored.
struct Layout {
    std::size_t group = absent, label = absent, score = absent;
    std::size_t wanted = 0;
    bool exact = true;
    bool by_name = false;  // the first non-blank line is the header, always
    std::string label_name, score_name, group_name;  // for messages when chosen
};

Layout positional_layout(const CsvFormat& format) {
    Layout l;
    std::size_t f = 0;
    if (format.groups) l.group = f++;
    l.label = f++;
    if (!format.ranked) l.score = f++;
    l.wanted = f;
    return l;
}

// The layout of chosen columns; by_name when some column is chosen by name (or defaults to its
// header name), resolved by resolve_header() on the header line.
Layout chosen_layout(const CsvFormat& format) {
    Layout l;
    l.exact = false;
    auto pick = [&](const std::optional<ColumnChoice>& choice, bool needed, const char* default_name,
                    std::size_t& at, std::string& name) {
        if (!needed) return;
        if (choice && choice->number > 0) {
            at = choice->number - 1;
            name = "column " + std::to_string(choice->number);
        } else {
            name = choice ? choice->name : default_name;
            l.by_name = true;
        }
    };
    pick(format.label_column, true, "label", l.label, l.label_name);
    pick(format.score_column, !format.ranked, "score", l.score, l.score_name);
    pick(format.group_column, format.groups, "group", l.group, l.group_name);
    return l;
}

void set_wanted(Layout& l) {
    l.wanted = 0;
    for (std::size_t at : {l.group, l.label, l.score})
        if (at != absent) l.wanted = std::max(l.wanted, at + 1);
}

// ---- group keys: runtime/text_keys.hpp ---------------------------------------------------------

using detail::hash_text;
using detail::KeyIndex;

// ---- byte sources -----------------------------------------------------------------------------

// A regular file mapped for reading. Each parsing thread reads its own byte range in place (a
// read into a buffer copied every byte once more: a tenth of the CLI's time) and hands back the
// pages it has passed, so the file's pages never count in full towards the process's memory.
// A file truncated while it is mapped would make reads past its new end fault (SIGBUS): that
// ends the process with a message and exit status 1 (see map_file).
class MappedFile {
public:
    MappedFile() = default;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();
    // The whole file, or nothing (data() == nullptr) where it cannot be mapped.
    static std::unique_ptr<MappedFile> map(int fd, std::uint64_t size, const std::string& name);
    const char* data() const noexcept { return data_; }
    std::uint64_t size() const noexcept { return size_; }
    // The caller is done with [from, to) (see the definition for the pages at its edges).
    void release(const char* from, const char* to) const noexcept;

private:
    const char* data_ = nullptr;
    std::uint64_t size_ = 0;
    struct sigaction previous_bus_action_ {};
};

// A stream (a pipe, a terminal), read in order.
struct StreamSource {
    std::FILE* stream;
    const std::string* name;
    std::size_t read(char* into, std::size_t want) {
        const std::size_t got = std::fread(into, 1, want, stream);
        if (got < want && std::ferror(stream)) throw InputError(*name + ": cannot read: " + std::strerror(errno));
        return got;
    }
};

// Calls on_row(row, newlines_inside) for every complete row in [p, end): rows end at a line
// break outside quotes (a quoted field may span lines). Before each row is looked for,
// take_rows(p, end) may consume whole rows from p (ending before end) itself and returns the
// first row it left (RangeParser::take_rows says why). Returns the start of the row that `end`
// cuts; when `at_end`, that row is a last row without a line break and is passed too. Throws
// through fail_too_long(extra_lines) for a row over max_line_bytes.
template <class OnRow, class FailTooLong, class TakeRows>
const char* scan_rows(const char* p, const char* const end, bool at_end, OnRow& on_row, FailTooLong& fail_too_long,
                      TakeRows& take_rows) {
    for (;;) {
        p = take_rows(p, end);
        const void* newline = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (newline == nullptr) break;
        const char* row_end = static_cast<const char*>(newline);
        std::size_t inside = 0;  // line breaks inside quoted fields of this row
        if (std::memchr(p, '"', static_cast<std::size_t>(row_end - p)) != nullptr) {
            std::size_t quotes = static_cast<std::size_t>(std::count(p, row_end, '"'));
            while (quotes % 2 == 1) {  // a quoted field holds this line break: extend the row
                const void* next = std::memchr(row_end + 1, '\n', static_cast<std::size_t>(end - row_end - 1));
                if (next == nullptr) break;
                quotes += static_cast<std::size_t>(std::count(row_end + 1, static_cast<const char*>(next), '"'));
                row_end = static_cast<const char*>(next);
                ++inside;
            }
            if (quotes % 2 == 1) break;  // the row goes on past `end`
        }
        if (static_cast<std::size_t>(row_end - p) > max_line_bytes) fail_too_long(inside);
        on_row(std::string_view(p, static_cast<std::size_t>(row_end - p)), inside);
        p = row_end + 1;
    }
    const auto rest = static_cast<std::size_t>(end - p);
    if (rest > max_line_bytes) fail_too_long(static_cast<std::size_t>(std::count(p, end, '\n')));
    if (at_end && rest > 0) {
        on_row(std::string_view(p, rest), static_cast<std::size_t>(std::count(p, end, '\n')));
        return end;
    }
    return p;
}

// Bytes looked at a time: a window of the mapped file, or a read from a stream. One row may go
// on past it by up to max_line_bytes.
constexpr std::size_t block_bytes = std::size_t{1} << 20;

// A UTF-8 byte order mark at the very start of the input is skipped.
const char* after_byte_order_mark(const char* p, const char* end) noexcept {
    return end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? p + 3 : p;
}

inline constexpr auto no_fast_rows = [](const char* p, const char*) { return p; };

// Every row of mapped bytes [begin, end), a byte order mark skipped first when `at_file_start`;
// the pages passed are handed back to `file` as the rows go.
template <class OnRow, class FailTooLong, class TakeRows = decltype(no_fast_rows)>
void for_each_row(const MappedFile& file, const char* begin, const char* const end, bool at_file_start, OnRow&& on_row,
                  FailTooLong&& fail_too_long, TakeRows take_rows = no_fast_rows) {
    const char* p = at_file_start ? after_byte_order_mark(begin, end) : begin;
    const char* released = p;
    for (;;) {
        // The same reach as a stream's buffer: a block, plus the longest row that may start in it.
        const std::size_t reach = block_bytes + max_line_bytes + 1;
        const bool at_end = static_cast<std::size_t>(end - p) <= reach;
        const char* const window_end = at_end ? end : p + reach;
        p = scan_rows(p, window_end, at_end, on_row, fail_too_long, take_rows);
        if (at_end) break;
        file.release(released, p);
        released = p;
    }
}

// Every row of a stream, read in blocks; see scan_rows.
template <class OnRow, class FailTooLong, class TakeRows = decltype(no_fast_rows)>
void for_each_row(StreamSource& source, OnRow&& on_row, FailTooLong&& fail_too_long, TakeRows take_rows = no_fast_rows) {
    const std::size_t capacity = block_bytes + max_line_bytes + 1;
    const auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
    std::size_t filled = 0;
    bool first = true;
    for (;;) {
        const std::size_t want = capacity - filled;
        const std::size_t got = source.read(buffer.get() + filled, want);
        const bool at_end = got < want;
        const char* const end = buffer.get() + filled + got;
        const char* p = first ? after_byte_order_mark(buffer.get(), end) : buffer.get();
        first = false;
        p = scan_rows(p, end, at_end, on_row, fail_too_long, take_rows);
        if (at_end) return;
        const auto rest = static_cast<std::size_t>(end - p);
        std::memmove(buffer.get(), p, rest);
        filled = rest;
    }
}

// The file and the message a fault in its mapping prints (set before the mapping exists; one
// file is mapped at a time).
char bus_error_message[512];
std::size_t bus_error_length = 0;

extern "C" void on_bus_error(int) {
    // Only async-signal-safe calls here.
    [[maybe_unused]] const ssize_t written = ::write(2, bus_error_message, bus_error_length);
    ::_exit(1);
}

std::unique_ptr<MappedFile> MappedFile::map(int fd, std::uint64_t size, const std::string& name) {
    if (size > std::numeric_limits<std::size_t>::max()) return nullptr;
    const std::string message = name + ": the file changed (shrank?) while it was read\n";
    bus_error_length = std::min(message.size(), sizeof bus_error_message);
    std::memcpy(bus_error_message, message.data(), bus_error_length);
    auto file = std::make_unique<MappedFile>();
    struct sigaction action {};
    action.sa_handler = on_bus_error;
    sigemptyset(&action.sa_mask);
    if (::sigaction(SIGBUS, &action, &file->previous_bus_action_) != 0) return nullptr;
    void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        ::sigaction(SIGBUS, &file->previous_bus_action_, nullptr);
        return nullptr;
    }
    file->data_ = static_cast<const char*>(p);
    file->size_ = size;
    return file;
}

MappedFile::~MappedFile() {
    if (data_ == nullptr) return;
    ::munmap(const_cast<char*>(data_), static_cast<std::size_t>(size_));
    ::sigaction(SIGBUS, &previous_bus_action_, nullptr);
}

void MappedFile::release(const char* from, const char* to) const noexcept {
    // From the page holding `from` to the one holding `to`, that one excluded: consecutive calls
    // leave no page out between them (with one page left mapped between windows, 207 of a 213 MB
    // file stayed resident, on Linux 6.18 whose page cache held it in large folios; 3 MB without
    // gaps). A page dropped while a neighbouring range still reads it is read in again, no more.
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(from) / page * page;
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(to) / page * page;
    // Dropped from this process only: the pages stay in the page cache, and are read in again if
    // touched. Advice: nothing changes if the kernel declines.
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// ---- one range of rows ------------------------------------------------------------------------

// A score worth naming later: its line, column and text.
struct Mark {
    std::size_t line = 0;  // 0: none
    std::size_t column = 0;
    std::string text;
    bool decimal = false;  // (for not-int64 marks) not written as an integer
};

// Where rows go: arrays sized in advance (a file's counted lines), or grown (a stream).
struct RowArrays {
    RowArray<std::uint8_t>* labels;
    RowArray<double>* scores;          // nullptr when ranked
    RowArray<std::uint32_t>* ids;      // nullptr without groups
    std::size_t base = 0;              // this range's first row
    std::size_t capacity = 0;          // rows it may write from base
    bool growable = false;
};

// What parsing one range of rows found, beside its rows.
struct RangeResult {
    std::size_t rows = 0;
    std::size_t lines = 0;
    std::size_t header_line = 0;
    Mark inexact_integer;   // first integer score without an exact double (fits int64)
    Mark not_int64;         // first score that is not an integer of int64
    std::vector<std::pair<std::size_t, std::int64_t>> exact_integers;  // (row from base, value) of those
    KeyIndex keys;          // this range's group keys (ids are range-local until merged)
};

class RangeParser {
public:
    RangeParser(const std::string& name, const Layout& layout, bool header_possible, std::size_t first_line,
                RowArrays out)
        : name_(name), layout_(layout), header_possible_(header_possible), line_(first_line - 1), out_(out) {}

    void row(std::string_view line, std::size_t newlines_inside) {
        ++line_;
        parse(line);
        line_ += newlines_inside;
    }
    [[noreturn]] void fail_too_long(std::size_t) const {
        throw InputError(name_ + ":" + std::to_string(line_ + 1) + ": line is longer than " +
                         std::to_string(max_line_bytes) + " bytes");
    }
    RangeResult& result() {
        while (pending_count_ != 0) resolve_oldest_key();
        result_.lines = line_;
        return result_;
    }
    const Layout& layout() const noexcept { return layout_; }

private:
    [[noreturn]] void fail(std::string_view line, std::string_view at, const std::string& what) const {
        const auto column = static_cast<std::size_t>(at.data() - line.data()) + 1;
        throw InputError(name_ + ":" + std::to_string(line_) + ":" + std::to_string(column) + ": " + what);
    }

    std::string expected() const {
        if (!layout_.exact) return "expected at least " + std::to_string(layout_.wanted) + " fields";
        std::string text = "expected '";
        if (layout_.group != absent) text += "group,";
        text += "label";
        if (layout_.score != absent) text += ",score";
        return text + "'";
    }

    const char* field_name(std::size_t f) const noexcept {
        if (f == layout_.group) return "group";
        if (f == layout_.label) return "label";
        return "score";
    }

    void parse(std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) return;  // blank line
        const auto failer = [&](std::string_view at, const std::string& what) { fail(line, at, what); };

        if (layout_.by_name && !layout_resolved_) {  // a stream's header: names become positions
            resolve(line);
            return;
        }
        // The wanted fields; a missing or extra one is reported where it would be.
        Fields fields{line};
        Field group, label, score;
        Field previous;
        for (std::size_t f = 0; f < layout_.wanted; ++f) {
            if (!fields.more()) {
                const std::string_view last = trim(previous.raw);
                const std::string_view at = line.substr(static_cast<std::size_t>(last.data() + last.size() - line.data()));
                if (!layout_.exact) {
                    std::size_t missing = absent;
                    for (std::size_t at_field : {layout_.group, layout_.label, layout_.score})
                        if (at_field != absent && at_field >= f) missing = std::min(missing, at_field);
                    fail(line, at, std::string("missing ") + field_name(missing) + ": it is column " +
                                       std::to_string(missing + 1) + ", the row has " + std::to_string(f) +
                                       (f == 1 ? " field" : " fields"));
                }
                fail(line, at, std::string("missing ") + field_name(f) + ": " + expected() + ", found " +
                                   (f == 1 ? "one field " + quote(trim(line)) : std::to_string(f) + " fields"));
            }
            previous = fields.take(failer);
            if (f == layout_.group) group = previous;
            else if (f == layout_.label) label = previous;
            else if (f == layout_.score) score = previous;
        }
        if (layout_.exact && fields.more()) {
            const std::string_view extra = line.substr(fields.next() - 1);
            fail(line, extra,
                 "extra field: " + expected() + ", found a " + ordinal(layout_.wanted) + " field " +
                     quote(trim(line.substr(fields.next()))) +
                     " (columns are chosen with --label-column, --score-column, --group-column)");
        }
        const bool scored = layout_.score != absent;
        const bool grouped = layout_.group != absent;
        // Where an empty field would have been: at its start.
        const std::string_view label_at = label.text.empty() ? label.raw : label.text;
        const std::string_view score_at = score.text.empty() ? score.raw : score.text;

        const bool first_content_line = !seen_content_;
        seen_content_ = true;

        const Label parsed_label = parse_label(label.text);
        double value = 0;
        const Parsed parsed = scored ? parse_double(score.text, value) : Parsed::ok;
        if (first_content_line && header_possible_ && parsed_label == Label::not_a_number && !label.text.empty() &&
            (!scored || (parsed == Parsed::not_a_number && !score.text.empty())) &&
            (!grouped || !group.text.empty())) {
            result_.header_line = line_;
            return;
        }

        if (grouped && group.text.empty() && !group.quoted) fail(line, group.raw.empty() ? line : group.raw, "empty group key");
        if (label.text.empty()) fail(line, label_at, "empty label: labels must be 0 or 1");
        if (parsed_label == Label::not_a_number)
            fail(line, label_at, "label " + quote(label.text) + " is not a number (labels must be 0 or 1)");
        if (parsed_label == Label::not_binary) fail(line, label_at, "label " + quote(label.text) + " is not 0 or 1");
        if (scored) {
            if (score.text.empty()) fail(line, score_at, "empty score");
            if (parsed == Parsed::not_a_number) fail(line, score_at, "score " + quote(score.text) + " is not a number");
            if (parsed == Parsed::out_of_range)
                fail(line, score_at, "score " + quote(score.text) + " is outside the range of double");
            if (std::isnan(value))
                fail(line, score_at, "score " + quote(score.text) + " is NaN; NaN scores cannot be ranked");
        }
        const std::size_t row = next_row();
        (*out_.labels)[row] = parsed_label == Label::one ? 1 : 0;
        if (scored) {
            (*out_.scores)[row] = value;
            note_integer(line, score_at, score.text, value, row);
        }
        if (grouped) {
            const std::string unescaped = group.escaped ? unescape(group.text) : std::string();
            const std::string_view key = group.escaped ? std::string_view(unescaped) : group.text;
            if (key.size() <= KeyIndex::inline_bytes) {
                defer_key(row, key);
            } else {  // a long key's text is not kept past its line: looked up now, after the waiting ones
                while (pending_count_ != 0) resolve_oldest_key();
                (*out_.ids)[row] = result_.keys.id_of(key, line_, [&] { fail(line, group.raw, too_many_groups); });
            }
        }
    }

    // Group keys wait tuning::csv_key_lookahead runs between their hash and their lookup, their
    // slot prefetched meanwhile: rows of interleaved groups each land in a random slot of a table
    // larger than the caches. A row whose key equals the newest waiting one's joins its run
    // (grouped rows: one compare per row, no hash). Lookups stay in row order, so ids are still
    // in order of first appearance. Only short keys wait (their text is copied into the queue).
    struct PendingKey {
        std::size_t row;   // the run's first row; its rows are consecutive
        std::size_t rows;
        std::size_t line;  // the first row's line
        std::uint64_t hash;
        KeyIndex::ShortKey key;
    };
    static constexpr std::size_t lookahead = tuning::csv_key_lookahead;
    static_assert((lookahead & (lookahead - 1)) == 0, "the queue indexes with a mask");
    static constexpr const char* too_many_groups = "more than 4294967294 groups";

    void defer_key(std::size_t row, std::string_view key) {
        const KeyIndex::ShortKey form = KeyIndex::short_key(key);
        if (pending_count_ != 0) {
            PendingKey& newest = pending_[(pending_first_ + pending_count_ - 1) & (lookahead - 1)];
            if (newest.row + newest.rows == row && newest.key == form) {
                ++newest.rows;
                return;
            }
        }
        if (pending_count_ == lookahead) resolve_oldest_key();
        const std::uint64_t hash = hash_text(key);
        result_.keys.prefetch(hash);
        pending_[(pending_first_ + pending_count_++) & (lookahead - 1)] = {row, 1, line_, hash, form};
    }
    void resolve_oldest_key() {
        const PendingKey& p = pending_[pending_first_];
        pending_first_ = (pending_first_ + 1) & (lookahead - 1);
        --pending_count_;
        const std::uint32_t id = result_.keys.id_of({}, p.key, p.hash, p.line, [&] {
            throw InputError(name_ + ":" + std::to_string(p.line) + ": " + too_many_groups);
        });
        std::fill_n(out_.ids->data() + p.row, p.rows, id);
    }

public:
    // The common rows of the default layout, `0,0.25` or `1,-3e-2` and a line break (LF or
    // CRLF): a label digit, a comma and a finite score within +-2^53, taken straight from the
    // bytes. Parsing the score (plain_decimal.hpp, else std::from_chars) finds where it ends, and
    // so where the row ends: searching for each row's end first took about a fifth of the parse.
    // Returns the first row it left to row(): anything else (blanks, quotes, a header, a bad
    // value, a row cut by `end`) takes the general path, which names problems exactly.
    const char* take_rows(const char* p, const char* const end) {
        // Until the first non-integer score is noted, the general path watches every score.
        if (!fast_layout_ || !seen_content_ || result_.not_int64.line == 0) return p;
        while (end - p > 3 && (p[0] == '0' || p[0] == '1') && p[1] == ',' && p[2] != '+' && p[2] != ' ' &&
               p[2] != '\t') {
            double value = 0;
            const char* number_end = static_cast<std::size_t>(end - p) >= 2 + plain_decimal_reach
                                         ? parse_plain_decimal(p + 2, value)
                                         : nullptr;
            if (number_end == nullptr) {
                const auto [parsed_end, ec] = std::from_chars(p + 2, end, value);
                if (ec != std::errc{} || !(value < exact_integer_limit && value > -exact_integer_limit)) break;
                number_end = parsed_end;
            }
            const char* newline = number_end;
            if (newline != end && *newline == '\r') ++newline;
            if (newline == end || *newline != '\n') break;
            const std::size_t row = next_row();
            (*out_.labels)[row] = static_cast<std::uint8_t>(p[0] - '0');
            (*out_.scores)[row] = value;
            ++line_;
            p = newline + 1;
        }
        return p;
    }

private:
    std::size_t next_row() {
        if (result_.rows == out_.capacity) {
            if (!out_.growable) throw std::logic_error("csv reader: more rows than line breaks in a range");
            out_.capacity = std::max<std::size_t>(1024, out_.capacity * 2);
            out_.labels->resize(out_.base + out_.capacity);
            if (out_.scores) out_.scores->resize(out_.base + out_.capacity);
            if (out_.ids) out_.ids->resize(out_.base + out_.capacity);
        }
        return out_.base + result_.rows++;
    }

    // Integer scores beyond 2^53 need the integers themselves: the first such score and the first
    // score that is not an integer of int64 are noted (the whole file decides, after parsing), with
    // the exact values of the first kind.
    void note_integer(std::string_view line, std::string_view at, std::string_view text, double value, std::size_t row) {
        if (value < exact_integer_limit && value > -exact_integer_limit) {
            if (result_.not_int64.line == 0 && !integer_digits(text)) mark(result_.not_int64, line, at, text, true);
            return;
        }
        std::int64_t integer = 0;
        switch (parse_integer(text, integer)) {
            case IntegerText::no:
                if (result_.not_int64.line == 0) mark(result_.not_int64, line, at, text, true);
                return;
            case IntegerText::too_wide:
                if (!exact_as_double(text, value))
                    fail(line, at, "score " + quote(text) + " is an integer beyond the range of int64; a double would round it");
                if (result_.not_int64.line == 0) mark(result_.not_int64, line, at, text, false);
                return;
            case IntegerText::fits:
                if (exact_as_double(text, value)) return;  // its double is exact: nothing to keep
                if (result_.inexact_integer.line == 0) mark(result_.inexact_integer, line, at, text, false);
                result_.exact_integers.emplace_back(row - out_.base, integer);
                return;
        }
    }

    void mark(Mark& m, std::string_view line, std::string_view at, std::string_view text, bool decimal) const {
        m.line = line_;
        m.column = static_cast<std::size_t>(at.data() - line.data()) + 1;
        m.text = std::string(text);
        m.decimal = decimal;
    }

    // A header of chosen columns: each name to its position.
    void resolve(std::string_view line) {
        const auto failer = [&](std::string_view at, const std::string& what) { fail(line, at, what); };
        std::vector<std::string> names;
        Fields fields{line};
        while (fields.more()) {
            const Field f = fields.take(failer);
            names.push_back(f.escaped ? unescape(f.text) : std::string(f.text));
        }
        auto find = [&](std::size_t& at, const std::string& name, const char* option) {
            if (at != absent) return;  // chosen by number
            std::size_t found = absent;
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (names[i] != name) continue;
                if (found != absent)
                    fail(line, line, "the header names column '" + name + "' twice (columns " + std::to_string(found + 1) +
                                         " and " + std::to_string(i + 1) + ")");
                found = i;
            }
            if (found == absent) {
                std::string known;
                for (const std::string& n : names) known += (known.empty() ? "" : ", ") + quote(n);
                fail(line, line, "no column named '" + name + "' in the header (" + known + "); choose it with " + option);
            }
            at = found;
        };
        find(layout_.label, layout_.label_name, "--label-column");
        if (layout_.score_name.size() && layout_.score == absent) find(layout_.score, layout_.score_name, "--score-column");
        if (layout_.group_name.size() && layout_.group == absent) find(layout_.group, layout_.group_name, "--group-column");
        set_wanted(layout_);
        layout_resolved_ = true;
        result_.header_line = line_;
    }

public:
    // The header of chosen columns read ahead (a file split over threads): later ranges start
    // with the positions; the range holding the header skips it as its first content line.
    void skip_header_as_first_content_line() noexcept { layout_resolved_ = false; }
    void resolved(const Layout& layout) noexcept {
        layout_ = layout;
        layout_resolved_ = true;
    }
    std::size_t line() const noexcept { return line_; }

private:
    const std::string& name_;
    Layout layout_;
    bool layout_resolved_ = false;
    const bool header_possible_;
    std::size_t line_;
    RowArrays out_;
    RangeResult result_;
    std::array<PendingKey, lookahead> pending_;
    std::size_t pending_first_ = 0, pending_count_ = 0;
    bool seen_content_ = false;
    const bool fast_layout_ = layout_.exact && layout_.group == absent && layout_.label == 0 && layout_.score == 1;
};

// ---- the whole input ----------------------------------------------------------------------------

// The least a parsing thread is given (a smaller file is parsed by one thread: a megabyte takes a
// few milliseconds to parse).
constexpr std::uint64_t min_bytes_per_thread = std::uint64_t{1} << 20;

unsigned parse_threads(const CsvFormat& format, std::uint64_t size) {
    // An explicit count is taken as it is (tests split small inputs), at most one per byte.
    if (format.threads) return static_cast<unsigned>(std::clamp<std::uint64_t>(format.threads, 1, std::max<std::uint64_t>(1, size)));
    const std::uint64_t useful = std::max<std::uint64_t>(1, size / min_bytes_per_thread);
    const unsigned wanted = detail::thread_count_for(static_cast<std::size_t>(useful), 1);
    return static_cast<unsigned>(std::clamp<std::uint64_t>(wanted, 1, useful));
}

// Line breaks and quotes in one byte range (for the row boundaries and the arrays' sizes).
struct RangeCounts {
    std::uint64_t newlines = 0, quotes = 0;
};
// This pass reads the whole file before the parse does, so it has to run near memory speed.
void add_counts(const unsigned char* bytes, std::size_t n, RangeCounts& c) noexcept {
    std::size_t i = 0;
#if defined(__x86_64__)  // SSE2 is part of x86-64
    // 16 bytes at a time: each byte lane counts its matches (a match compares to -1, which is
    // subtracted) for at most 255 blocks, then psadbw against zero sums the lanes 8 at a time.
    // The compiler's own vectorisation of the byte loop below widened every lane to 32 bits.
    const __m128i newline = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
    const auto lane_sum = [&](__m128i lanes) {
        const __m128i sums = _mm_sad_epu8(lanes, zero);
        return static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
               static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    };
    while (n - i >= 16) {
        const std::size_t blocks = std::min<std::size_t>((n - i) / 16, 255);
        __m128i newlines = zero, quotes = zero;
        for (std::size_t b = 0; b < blocks; ++b, i += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
            newlines = _mm_sub_epi8(newlines, _mm_cmpeq_epi8(v, newline));
            quotes = _mm_sub_epi8(quotes, _mm_cmpeq_epi8(v, quote));
        }
        c.newlines += lane_sum(newlines);
        c.quotes += lane_sum(quotes);
    }
#endif
    for (; i < n; ++i) {
        c.newlines += bytes[i] == '\n';
        c.quotes += bytes[i] == '"';
    }
}

RangeCounts count_range(const MappedFile& file, std::uint64_t from, std::uint64_t to) {
    RangeCounts c;
    for (std::uint64_t at = from; at < to; at += block_bytes) {
        const std::uint64_t n = std::min<std::uint64_t>(block_bytes, to - at);
        add_counts(reinterpret_cast<const unsigned char*>(file.data() + at), static_cast<std::size_t>(n), c);
        file.release(file.data() + at, file.data() + at + n);
    }
    return c;
}

// The first row boundary at or after `from` (just past a line break outside quotes), given
// whether `from` lies inside a quoted field; and the line breaks passed on the way.
std::pair<std::uint64_t, std::uint64_t> next_row_start(const MappedFile& file, std::uint64_t from, bool inside) {
    std::uint64_t newlines = 0;
    for (std::uint64_t at = from; at < file.size(); ++at) {
        const char c = file.data()[at];
        if (c == '"') inside = !inside;
        else if (c == '\n') {
            ++newlines;
            if (!inside) return {at + 1, newlines};
        }
    }
    return {file.size(), newlines};
}

// The 1-based line of the first row that is not blank (0 when every row is).
std::size_t first_content_line(const MappedFile& file) {
    std::size_t line = 1, found = 0;
    struct Found {};
    try {
        for_each_row(file, file.data(), file.data() + file.size(), true, [&](std::string_view row, std::size_t inside) {
            if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
            if (!trim(row).empty()) {
                found = line;
                throw Found{};
            }
            line += 1 + inside;
        }, [&](std::size_t) {
            found = line;  // the reader names the overlong row itself
            throw Found{};
        });
    } catch (const Found&) {
    }
    return found;
}

void merge_integers(LabelScoreTable& table, std::vector<RangeResult>& ranges, const std::vector<std::size_t>& bases,
                    const std::string& name) {
    const Mark* inexact = nullptr;
    const Mark* offender = nullptr;
    for (const RangeResult& r : ranges) {
        if (!inexact && r.inexact_integer.line) inexact = &r.inexact_integer;
        if (!offender && r.not_int64.line) offender = &r.not_int64;
    }
    if (!inexact) return;
    if (offender) {
        const auto at = [&](const Mark& m) { return name + ":" + std::to_string(m.line) + ":" + std::to_string(m.column) + ": "; };
        if (offender->line > inexact->line)
            throw InputError(at(*offender) + "score " + quote(offender->text) + " is not an integer of int64, but line " +
                             std::to_string(inexact->line) + " has an integer score beyond +-2^53, which a double would "
                             "round; write every score as an integer");
        throw InputError(at(*inexact) + "score " + quote(inexact->text) + " is an integer beyond +-2^53, which a double "
                         "would round, but line " + std::to_string(offender->line) + " has a " +
                         (offender->decimal ? "non-integer score" : "score beyond int64") + "; write every score as an integer");
    }
    // Every score is an integer of int64, exact as a double except those kept.
    table.integer_scores.resize(table.scores.size());
    for (std::size_t i = 0; i < table.scores.size(); ++i) table.integer_scores[i] = static_cast<std::int64_t>(table.scores[i]);
    for (std::size_t r = 0; r < ranges.size(); ++r)
        for (const auto& [row, value] : ranges[r].exact_integers) table.integer_scores[bases[r] + row] = value;
    RowArray<double>().swap(table.scores);
}

// Group ids of every range into one id space, in order of first appearance (runtime/text_keys.hpp).
void merge_groups(LabelScoreTable& table, std::vector<RangeResult>& ranges, const std::vector<std::size_t>& bases) {
    std::vector<KeyIndex> keys;
    std::vector<std::size_t> bounds;
    for (std::size_t r = 0; r < ranges.size(); ++r) {
        keys.push_back(std::move(ranges[r].keys));
        bounds.push_back(bases[r]);
    }
    bounds.push_back(table.group_ids.size());
    const auto threads = static_cast<unsigned>(ranges.size());
    const auto maps = detail::merge_chunk_keys(std::span<KeyIndex>(keys), threads,
                                               [] { throw InputError("more than 4294967294 groups"); },
                                               &table.group_keys, &table.group_first_line);
    detail::remap_chunk_ids(table.group_ids.data(), bounds, maps, threads);
}

// Rows of the ranges one after another: each range wrote from its counted base, and blank lines
// or a header leave gaps.
void close_gaps(LabelScoreTable& table, const std::vector<RangeResult>& ranges, std::vector<std::size_t>& bases) {
    std::size_t to = 0;
    for (std::size_t r = 0; r < ranges.size(); ++r) {
        const std::size_t rows = ranges[r].rows, from = bases[r];
        if (from != to) {
            std::memmove(table.labels.data() + to, table.labels.data() + from, rows);
            if (!table.scores.empty())
                std::memmove(table.scores.data() + to, table.scores.data() + from, rows * sizeof(double));
            if (!table.group_ids.empty())
                std::memmove(table.group_ids.data() + to, table.group_ids.data() + from, rows * sizeof(std::uint32_t));
        }
        bases[r] = to;
        to += rows;
    }
    table.labels.resize(to);
    if (!table.scores.empty()) table.scores.resize(to);
    if (!table.group_ids.empty()) table.group_ids.resize(to);
}

Layout initial_layout(const CsvFormat& format) {
    Layout layout = format.columns_chosen() ? chosen_layout(format) : positional_layout(format);
    if (!layout.by_name) set_wanted(layout);
    return layout;
}

LabelScoreTable finish(LabelScoreTable table, std::vector<RangeResult>& ranges, std::vector<std::size_t>& bases,
                       const std::string& name, bool groups) {
    close_gaps(table, ranges, bases);
    if (table.labels.empty()) throw InputError(name + ": no data rows");
    for (const RangeResult& r : ranges)
        if (r.header_line) table.header_line = r.header_line;
    for (const RangeResult& r : ranges) table.lines = std::max(table.lines, r.lines);  // trailing ranges may be empty
    merge_integers(table, ranges, bases, name);
    if (groups) merge_groups(table, ranges, bases);
    return table;
}

LabelScoreTable read_stream(std::FILE* stream, const std::string& name, const CsvFormat& format) {
    LabelScoreTable table;
    const Layout layout = initial_layout(format);
    RowArrays out{&table.labels, format.ranked ? nullptr : &table.scores, format.groups ? &table.group_ids : nullptr,
                  0, 0, true};
    RangeParser parser(name, layout, !layout.by_name, 1, out);
    StreamSource source{stream, &name};
    for_each_row(source, [&](std::string_view row, std::size_t inside) { parser.row(row, inside); },
                 [&](std::size_t inside) { parser.fail_too_long(inside); },
                 [&](const char* p, const char* e) { return parser.take_rows(p, e); });
    std::vector<RangeResult> ranges;
    ranges.push_back(std::move(parser.result()));
    std::vector<std::size_t> bases{0};
    table.labels.resize(ranges[0].rows);
    if (!format.ranked) table.scores.resize(ranges[0].rows);
    if (format.groups) table.group_ids.resize(ranges[0].rows);
    return finish(std::move(table), ranges, bases, name, format.groups);
}

LabelScoreTable read_file(const MappedFile& file, const std::string& name, const CsvFormat& format) {
    const std::uint64_t size = file.size();
    const unsigned threads = parse_threads(format, size);
    // Pass 1: line breaks and quotes per equal byte range, then each range moved to the next row
    // boundary (the quotes before it say whether it lies inside a quoted field).
    std::vector<std::uint64_t> cut(threads + 1);
    for (unsigned t = 0; t <= threads; ++t) cut[t] = size * t / threads;
    std::vector<RangeCounts> counts(threads);
    detail::parallel_for(threads, [&](unsigned t) { counts[t] = count_range(file, cut[t], cut[t + 1]); });
    std::vector<std::uint64_t> start(threads + 1, size), newlines_before(threads + 1, 0);
    start[0] = 0;
    std::uint64_t quotes = 0, newlines = 0;
    for (unsigned t = 1; t < threads; ++t) {
        quotes += counts[t - 1].quotes;
        newlines += counts[t - 1].newlines;
        const auto [at, passed] = next_row_start(file, cut[t], quotes % 2 == 1);
        start[t] = std::max(at, start[t - 1]);
        newlines_before[t] = newlines + passed;
    }
    newlines_before[threads] = newlines + counts[threads - 1].newlines;

    // Rows of range t go from the line breaks before it: at most one row per line break, plus a
    // last row without one.
    LabelScoreTable table;
    const std::uint64_t rows_at_most = newlines_before[threads] + 1;
    table.labels.resize(rows_at_most);
    if (!format.ranked) table.scores.resize(rows_at_most);
    if (format.groups) table.group_ids.resize(rows_at_most);
    std::vector<std::size_t> bases(threads);
    for (unsigned t = 0; t < threads; ++t) bases[t] = newlines_before[t];

    // The first non-blank line, which may be the header, is found first (the range holding it
    // is told), and a header of chosen names read: every range needs the positions.
    const std::size_t first_content = first_content_line(file);
    const auto holds_first_content = [&](unsigned t) {
        const std::uint64_t end = t + 1 < threads ? start[t + 1] : size;
        return first_content > newlines_before[t] && (first_content <= newlines_before[t + 1] || end == size);
    };
    Layout layout = initial_layout(format);
    std::size_t header_line = 0;
    if (layout.by_name) {
        RowArrays none{&table.labels, nullptr, nullptr, 0, 0, false};
        RangeParser header(name, layout, false, 1, none);
        struct HeaderRead {};
        try {
            for_each_row(file, file.data(), file.data() + size, true, [&](std::string_view row, std::size_t inside) {
                header.row(row, inside);
                if (header.result().header_line) throw HeaderRead{};
            }, [&](std::size_t inside) { header.fail_too_long(inside); });
        } catch (const HeaderRead&) {
        }
        layout = header.layout();
        header_line = header.result().header_line;
        if (header_line == 0) throw InputError(name + ": no data rows");
    }

    std::vector<RangeResult> ranges(threads);
    detail::parallel_for(threads, [&](unsigned t) {
        const std::uint64_t end = t + 1 < threads ? start[t + 1] : size;
        // A range ends just past a line break, except the one reaching the end of the file,
        // whose last row may have none.
        const std::size_t capacity = static_cast<std::size_t>(newlines_before[t + 1] - newlines_before[t]) +
                                     (end == size ? 1 : 0);
        RowArrays out{&table.labels, format.ranked ? nullptr : &table.scores, format.groups ? &table.group_ids : nullptr,
                      bases[t], capacity, false};
        RangeParser parser(name, layout, holds_first_content(t) && !layout.by_name, newlines_before[t] + 1, out);
        if (layout.by_name) {
            parser.resolved(layout);
            if (holds_first_content(t)) parser.skip_header_as_first_content_line();
        }
        if (start[t] < end) {
            for_each_row(file, file.data() + start[t], file.data() + end, t == 0,
                         [&](std::string_view row, std::size_t inside) { parser.row(row, inside); },
                         [&](std::size_t inside) { parser.fail_too_long(inside); },
                         [&](const char* p, const char* e) { return parser.take_rows(p, e); });
        }
        ranges[t] = std::move(parser.result());
    });
    if (layout.by_name) ranges[0].header_line = header_line;
    table.threads_used = threads;
    LabelScoreTable out = finish(std::move(table), ranges, bases, name, format.groups);
    return out;
}

}  // namespace

ColumnChoice parse_column_choice(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("a column is a header name or a number from 1");
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::size_t number = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (ec != std::errc{} || number == 0)
            throw std::invalid_argument("column '" + std::string(text) + "': numbers start at 1");
        return {std::string(), number};
    }
    return {std::string(text), 0};
}

std::string_view format_text(const CsvFormat& format) noexcept {
    if (format.groups) return format.ranked ? "group,label" : "group,label,score";
    return format.ranked ? "label" : "label,score";
}

LabelScoreTable read_label_score_csv(std::FILE* stream, const std::string& name, std::uint64_t size_hint,
                                     const CsvFormat& format) {
    // Ranges of a regular file are read in place; anything else (a pipe, a memory stream, a file
    // that cannot be mapped) in order.
    const int fd = fileno(stream);
    struct stat info {};
    // (Only from its start: standard input may be a file another command has read part of.)
    if (size_hint > 0 && fd >= 0 && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0 &&
        ::ftello(stream) == 0) {
        // Its size now: it may have changed since the caller looked.
        const auto file = MappedFile::map(fd, static_cast<std::uint64_t>(info.st_size), name);
        if (file) return read_file(*file, name, format);
    }
    return read_stream(stream, name, format);
}

}  // namespace aucrecall::cli
