// Reads the CLI's input: rows holding a label, a score (absent with --ranked) and a group key
// (with --groups), by position or by named columns; see read_label_score_csv.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aucrecall::cli {

// Input that cannot be read or is not valid: the message is complete and ready for stderr,
// starting with `NAME:LINE:COLUMN:` (a row), `NAME:LINE:` (a whole line) or `NAME:` (the file).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A column chosen on the command line: by its header name, or by its 1-based number.
struct ColumnChoice {
    std::string name;        // empty when chosen by number
    std::size_t number = 0;  // 1-based; 0 when chosen by name
};
// "3" is column 3; anything else is a header name. Throws std::invalid_argument for "" and "0".
ColumnChoice parse_column_choice(std::string_view text);

struct CsvFormat {
    bool groups = false;  // rows carry a group key
    bool ranked = false;  // no score: rows are in rank order
    // Chosen columns. With none chosen, rows hold exactly [group,] label [,score] in that order.
    // With any chosen, a row may hold any number of fields (the others are ignored), and a field
    // not chosen is the column whose header name is "label", "score" or "group".
    std::optional<ColumnChoice> label_column, score_column, group_column;
    // Threads that parse a regular file (0: AUCRECALL_THREADS, else the hardware's).
    unsigned threads = 0;

    bool columns_chosen() const noexcept { return label_column || score_column || group_column; }
};
// "label,score", "label", "group,label,score" or "group,label".
std::string_view format_text(const CsvFormat& format) noexcept;

// A vector whose resize() leaves new numbers uninitialised (the parser's threads write every
// row, so zeroing first, on one thread, is wasted). Ordinary pages, not transparent huge pages
// (which the library's reused scratch blocks take): on the VMs measured, the hypervisor takes
// back memory the guest has left free for a few seconds, a whole huge page at a time, and a
// fresh huge page then often comes from there. First touch of 90 MB: 8 ms in huge pages the host
// still backs, 240 ms in ones it took back, 36-44 ms in 4 KiB pages every time; the CLI on 100M
// rows, 4 alternating pairs: parse 1.33-2.47 s in huge pages, 1.52-1.64 s without.
template <class T>
struct DefaultInitAllocator {
    using value_type = T;
    DefaultInitAllocator() = default;
    template <class U> DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    template <class U> void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
    template <class U, class... Args> void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    friend bool operator==(const DefaultInitAllocator&, const DefaultInitAllocator&) noexcept { return true; }
};
template <class T> using RowArray = std::vector<T, DefaultInitAllocator<T>>;

struct LabelScoreTable {
    RowArray<std::uint8_t> labels;  // 0 or 1 (validated while parsing)
    RowArray<double> scores;        // never NaN (validated while parsing); empty when ranked
    // Filled instead of `scores` when some score is an integer that float64 cannot hold exactly
    // (beyond +-2^53): then every score is an integer of int64 and read as one.
    RowArray<std::int64_t> integer_scores;
    // With groups: each row's group as a dense id (order of first appearance), and per group its
    // key text and the 1-based line of its first row.
    RowArray<std::uint32_t> group_ids;
    std::vector<std::string> group_keys;
    std::vector<std::size_t> group_first_line;
    std::size_t header_line = 0;       // 1-based line of the header row; 0 when there was none
    std::size_t lines = 0;             // lines read, blank ones included
    unsigned threads_used = 1;         // parsing threads (1 for a pipe or a small file)

    // The rows as the library's input: uint8 labels and the scores the reader kept (int64 or
    // float64; none for a ranked list).
    aucrecall::Input input(bool ranked) const noexcept {
        const bool integers = !integer_scores.empty();
        const void* score_data = ranked     ? nullptr
                                 : integers ? static_cast<const void*>(integer_scores.data())
                                            : static_cast<const void*>(scores.data());
        return {labels.data(), score_data, labels.size(), aucrecall::LabelType::u8,
                integers ? aucrecall::ScoreType::i64 : aucrecall::ScoreType::f64};
    }
};

// Longest row accepted. Binary junk or a missing newline would otherwise make a single "line"
// as large as the input; a real row is a few dozen bytes.
inline constexpr std::size_t max_line_bytes = std::size_t{1} << 20;

// Reads `stream` to the end and parses every row; `name` is what messages call the input.
// Format (the CLI's --help says the same):
// - CSV as RFC 4180 writes it: fields separated by commas, a field in double quotes may hold
//   commas, line breaks and doubled quotes (""); LF or CRLF line ends; a last line without a
//   newline counts. Spaces and tabs around fields are ignored; blank lines are skipped; a UTF-8
//   byte order mark at the very start is skipped.
// - Header: with columns chosen by name, the first non-blank line is the header. Otherwise the
//   first non-blank line is a header, and skipped, when its label field and its score field
//   (when there is one) are not numbers and its group field is not empty (e.g. `label,score`).
// - group: any text (quoted when it holds a comma); rows of one group need not be contiguous.
// - label: a number equal to 0 or 1 (`0`, `1`, `1.0`, `0e0`, `-0`, NumPy savetxt's
//   `1.000000000000000000e+00`) or `true`/`false` in any letter case.
// - score: a decimal floating-point number as std::from_chars reads it (`0.5`, `.5`, `1e-3`,
//   `inf`, `-inf`, `infinity`), plus one optional leading `+`. Rejected: NaN in any spelling,
//   hexadecimal, and values outside the range of double (`1e400`, `1e-400`): rounding those to
//   inf or 0 would invent ties that are not in the data. Integers are exact: when some integer
//   score has no exact double (beyond +-2^53), every score must be an integer of int64 and the
//   column is read as int64 (integer_scores); otherwise the file's first offending score is an
//   error.
// A regular file is mapped; one of some megabytes is parsed by several threads, each reading its
// own byte range (split at row boundaries, quotes respected) in place; the arrays are sized from
// the counted line breaks. A pipe, or a file that cannot be mapped, is parsed by one thread as it
// arrives. `size_hint` is nonzero when the input is a regular file (its size).
// Throws InputError for the first problem in file order and std::bad_alloc when memory runs out.
// A mapped file truncated by another process while it is read ends the process with a message
// on stderr and exit status 1 (a read past its new end cannot return).
LabelScoreTable read_label_score_csv(std::FILE* stream, const std::string& name,
                                     std::uint64_t size_hint = 0, const CsvFormat& format = {});

}  // namespace aucrecall::cli
