// Reads the CLI's input formats: `label,score` rows, or `label` alone (--ranked), each optionally
// led by a group key (--groups): see read_label_score_csv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aucrecall::cli {

// Input that cannot be read or is not valid: the message is complete and ready for stderr,
// starting with `NAME:LINE:COLUMN:` (a row), `NAME:LINE:` (a whole line) or `NAME:` (the file).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Which fields a row has: [group,] label [,score].
struct CsvFormat {
    bool groups = false;  // a group key first: any text without a comma, spaces around trimmed
    bool ranked = false;  // no score: rows are in rank order
};
// "label,score", "label", "group,label,score" or "group,label".
std::string_view format_text(CsvFormat format) noexcept;

struct LabelScoreTable {
    std::vector<std::uint8_t> labels;  // 0 or 1 (validated while parsing)
    std::vector<double> scores;        // never NaN (validated while parsing); empty when ranked
    // Filled instead of `scores` when every score is written as an integer and one of them lies
    // beyond +-2^53, where float64 would round neighbouring integers into one value.
    std::vector<std::int64_t> integer_scores;
    // With groups: each row's group as a dense id (order of first appearance), and per group its
    // key text and the 1-based line of its first row.
    std::vector<std::uint32_t> group_ids;
    std::vector<std::string> group_keys;
    std::vector<std::size_t> group_first_line;
    std::size_t header_line = 0;       // 1-based line of the header row; 0 when there was none
    std::size_t lines = 0;             // lines read, blank ones included
};

// Longest line accepted. Binary junk or a missing newline would otherwise make a single "line"
// as large as the input; a real row is a few dozen bytes.
inline constexpr std::size_t max_line_bytes = std::size_t{1} << 20;

// Reads `stream` to the end in large chunks and parses every row; `name` is what messages call
// the input. Format (the CLI's --help says the same):
// - One row per line in the given format (`label,score` by default); LF or CRLF line ends; a
//   last line without a newline counts.
// - Spaces and tabs around fields are ignored; blank lines are skipped; a UTF-8 byte order mark
//   at the very start is skipped.
// - The first non-blank line is a header, and skipped, when all of its fields are non-empty and
//   neither the label nor the score reads as a number (e.g. `label,score`, `query,label`). Any
//   other line must be a data row.
// - group: any non-empty text without a comma (spaces and tabs around it trimmed); rows of one
//   group need not be contiguous.
// - label: a number equal to 0 or 1 (`0`, `1`, `1.0`, `0e0`, `-0`, NumPy savetxt's
//   `1.000000000000000000e+00`) or `true`/`false` in any letter case.
// - score: a decimal floating-point number as std::from_chars reads it (`0.5`, `.5`, `1e-3`,
//   `inf`, `-inf`, `infinity`), plus one optional leading `+` (`+inf`, `+0.5`), which from_chars
//   alone would reject. Rejected: NaN in any spelling, hexadecimal, and values outside the
//   range of double (`1e400`, `1e-400`): rounding those to inf or 0 would invent ties that are
//   not in the data. Scores written as integers (`-12`, `+9007199254740993`) are exact: when
//   every score is one and some lie beyond +-2^53 they are read as int64 (integer_scores); an
//   integer score beyond int64, or one beyond +-2^53 in a file with non-integer scores, is an
//   error (a double would round it).
// `size_hint`, the input's size in bytes when known (0 otherwise), lets the reader size its
// arrays once instead of growing them by doubling.
// Throws InputError for the first problem found and std::bad_alloc when memory runs out.
LabelScoreTable read_label_score_csv(std::FILE* stream, const std::string& name,
                                     std::uint64_t size_hint = 0, CsvFormat format = {});

}  // namespace aucrecall::cli
