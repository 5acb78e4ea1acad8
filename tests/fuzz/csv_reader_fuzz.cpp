// libFuzzer target: the CLI's CSV reader on arbitrary bytes, in every format the CLI has.
//
// Byte 0 mod 4 picks the format (label,score / label / group,label,score / group,label: plain,
// --ranked, --groups, --groups --ranked); bits 2-3 the columns (positional, chosen by header
// name, or by number: label 2, score 3, group 1); bits 4-5 how many threads split the input
// (0: read as a stream); the rest is the file.
// Every input must either parse into a table that obeys the format's rules, or fail with the
// documented InputError whose message names the input and, for a line, a line that exists. A
// parsed table must also survive a round trip: printed back as quoted CSV and parsed again, it
// gives the same labels, scores (bit for bit) and keys. Split over threads, a file must give
// exactly what one stream gives: the same table or the same error. The reader's fast number
// parser, on the text that starts the input, gives what std::from_chars gives whenever it takes
// it. Anything else aborts.
#include "csv_reader.hpp"
#include "plain_decimal.hpp"

#include "aucrecall/aucrecall.hpp"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

namespace {

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "csv_reader_fuzz: %s\n", what.c_str());
    std::abort();
}

aucrecall::cli::CsvFormat format;

// As a memory stream (the reader's in-order path) or, with threads > 0, as a file in memory
// (memfd: mapped, the ranges read in place).
aucrecall::cli::LabelScoreTable parse(const std::string& bytes, const aucrecall::cli::CsvFormat& how, unsigned threads = 0) {
    std::FILE* stream = nullptr;
    if (threads == 0 || bytes.empty()) {
        // fmemopen refuses an empty buffer on some C libraries: /dev/null is the empty input.
        stream = bytes.empty() ? std::fopen("/dev/null", "rb")
                               : fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
    } else {
        const int fd = memfd_create("csv_reader_fuzz", 0);
        // Back to its start after the write: the reader takes a file from where it stands.
        if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
            ::lseek(fd, 0, SEEK_SET) != 0)
            finding(std::string("cannot make the file in memory: ") + std::strerror(errno));
        stream = fdopen(fd, "rb");
    }
    if (stream == nullptr) finding(std::string("cannot open the input: ") + std::strerror(errno));
    struct Closer {
        std::FILE* f;
        ~Closer() { std::fclose(f); }
    } closer{stream};
    aucrecall::cli::CsvFormat with = how;
    with.threads = threads;
    return aucrecall::cli::read_label_score_csv(stream, "fuzz", bytes.size(), with);
}

aucrecall::cli::LabelScoreTable parse(const std::string& bytes) { return parse(bytes, format); }

std::size_t line_count(const std::string& bytes) {
    std::size_t lines = 1;
    for (char c : bytes) lines += c == '\n';
    return lines;
}

void check_error(const std::string& message, const std::string& bytes) {
    if (message.rfind("fuzz:", 0) != 0) finding("error without the input's name: " + message);
    // "fuzz:LINE:..." must name a line of the input.
    const char* after = message.c_str() + 5;
    char* end = nullptr;
    const unsigned long long line = std::strtoull(after, &end, 10);
    if (end != after && *end == ':' && (line == 0 || line > line_count(bytes)))
        finding("error names line " + std::to_string(line) + " of a " +
                std::to_string(line_count(bytes)) + "-line input: " + message);
}

std::size_t score_count(const aucrecall::cli::LabelScoreTable& table) {
    return table.integer_scores.empty() ? table.scores.size() : table.integer_scores.size();
}

void check_table(const aucrecall::cli::LabelScoreTable& table, const std::string& bytes) {
    if (format.ranked ? score_count(table) != 0 : table.labels.size() != score_count(table))
        finding("labels and scores differ in count");
    if (!table.integer_scores.empty() && !table.scores.empty()) finding("both float and integer scores");
    if (format.groups) {
        if (table.group_ids.size() != table.labels.size()) finding("a row without a group id");
        if (table.group_keys.size() != table.group_first_line.size()) finding("group keys and lines differ");
        for (std::uint32_t id : table.group_ids)
            if (id >= table.group_keys.size()) finding("group id out of range");
        for (std::size_t g = 0; g < table.group_keys.size(); ++g) {
            const std::string& key = table.group_keys[g];
            // Unquoted keys are trimmed; a quoted one keeps its blanks, commas and line breaks.
            if (g > 0 && std::find(table.group_keys.begin(), table.group_keys.begin() + static_cast<std::ptrdiff_t>(g), key) !=
                             table.group_keys.begin() + static_cast<std::ptrdiff_t>(g))
                finding("group key '" + key + "' listed twice");
            if (table.group_first_line[g] == 0 || table.group_first_line[g] > table.lines ||
                (g > 0 && table.group_first_line[g] < table.group_first_line[g - 1]))
                finding("first line of group " + std::to_string(g) + " out of order");
        }
    } else if (!table.group_ids.empty() || !table.group_keys.empty()) {
        finding("group data without --groups");
    }
    if (table.lines > line_count(bytes)) finding("more lines counted than the input has");
    if (table.header_line > table.lines) finding("header after the last line");
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        if (table.labels[i] > 1) finding("label not 0/1 at row " + std::to_string(i));
        if (!format.ranked && table.integer_scores.empty() && std::isnan(table.scores[i]))
            finding("NaN score at row " + std::to_string(i));
    }
}

// The library on what the reader accepted, as the CLI calls it: a value or NaN, never a throw.
void check_library(const aucrecall::cli::LabelScoreTable& table) {
    const aucrecall::Input items = table.input(format.ranked);
    try {
        if (format.groups)
            (void)aucrecall::compute_grouped({items, table.group_ids.data(), aucrecall::GroupKeyType::u32},
                                             {.k = 1 + table.lines % 5});
        else if (format.ranked)
            (void)aucrecall::compute_ranked({table.labels.data(), table.labels.size(), aucrecall::LabelType::u8});
        else
            (void)aucrecall::compute(items, {.k = 1 + table.lines % 5});
    } catch (const std::exception& e) {
        finding(std::string("the library rejects what the reader accepted: ") + e.what());
    }
}

std::string quoted(const std::string& key) {
    std::string out = "\"";
    for (char c : key) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void check_round_trip(const aucrecall::cli::LabelScoreTable& table) {
    std::string text = format.groups ? "group," : "";
    text += format.ranked ? "label\n" : "label,score\n";
    char row[64];
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        if (format.groups) text += quoted(table.group_keys[table.group_ids[i]]) + ",";
        if (format.ranked)
            std::snprintf(row, sizeof row, "%u\n", static_cast<unsigned>(table.labels[i]));
        else if (!table.integer_scores.empty())
            std::snprintf(row, sizeof row, "%u,%lld\n", static_cast<unsigned>(table.labels[i]),
                          static_cast<long long>(table.integer_scores[i]));
        else
            std::snprintf(row, sizeof row, "%u,%.17g\n", static_cast<unsigned>(table.labels[i]), table.scores[i]);
        text += row;
    }
    aucrecall::cli::LabelScoreTable again;
    try {
        again = parse(text, {.groups = format.groups, .ranked = format.ranked});
    } catch (const std::exception& e) {
        finding(std::string("the reader rejects its own table printed back: ") + e.what());
    }
    if (again.integer_scores != table.integer_scores) finding("integer scores changed in the round trip");
    if (again.labels != table.labels) finding("labels changed in the round trip");
    if (again.group_ids != table.group_ids || again.group_keys != table.group_keys)
        finding("groups changed in the round trip");
    for (std::size_t i = 0; i < table.scores.size(); ++i)
        if (std::memcmp(&again.scores[i], &table.scores[i], sizeof(double)) != 0 &&
            !(again.scores[i] == 0 && table.scores[i] == 0))  // -0 prints as -0: equal either way
            finding("score " + std::to_string(i) + " changed in the round trip");
}

// What differs between two tables of one input ("" when nothing does).
std::string table_difference(const aucrecall::cli::LabelScoreTable& a, const aucrecall::cli::LabelScoreTable& b) {
    if (a.labels != b.labels) return "labels";
    if (a.integer_scores != b.integer_scores) return "integer scores";
    if (a.scores.size() != b.scores.size() ||
        (!a.scores.empty() && std::memcmp(a.scores.data(), b.scores.data(), a.scores.size() * sizeof(double)) != 0))
        return "scores";
    if (a.group_ids != b.group_ids) return "group ids";
    if (a.group_keys != b.group_keys) return "group keys";
    if (a.group_first_line != b.group_first_line) return "groups' first lines";
    if (a.header_line != b.header_line)
        return "header line " + std::to_string(a.header_line) + " against " + std::to_string(b.header_line);
    if (a.lines != b.lines) return "lines " + std::to_string(a.lines) + " against " + std::to_string(b.lines);
    return "";
}

void check_plain_decimal(const std::string& bytes) {
    std::string padded = bytes;
    padded.resize(std::max(bytes.size(), aucrecall::cli::plain_decimal_reach), '\0');
    double fast = 0;
    const char* end = aucrecall::cli::parse_plain_decimal(padded.data(), fast);
    if (end == nullptr) return;
    if (end > padded.data() + bytes.size()) finding("plain decimal ends past the text");
    double reference = 0;
    const auto [reference_end, ec] = std::from_chars(padded.data(), padded.data() + bytes.size(), reference);
    if (ec != std::errc{} || reference_end != end || std::memcmp(&fast, &reference, sizeof(double)) != 0)
        finding("plain decimal '" + std::string(padded.data(), static_cast<std::size_t>(end - padded.data())) +
                "' differs from std::from_chars");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    format = {.groups = (data[0] & 2) != 0, .ranked = (data[0] & 1) != 0};
    switch ((data[0] >> 2) & 3) {
        case 1:  // by header name (each column's default name)
            format.label_column = aucrecall::cli::ColumnChoice{"label", 0};
            break;
        case 2:  // by number
            format.label_column = aucrecall::cli::ColumnChoice{"", 2};
            if (!format.ranked) format.score_column = aucrecall::cli::ColumnChoice{"", 3};
            if (format.groups) format.group_column = aucrecall::cli::ColumnChoice{"", 1};
            break;
        default:
            break;
    }
    const unsigned threads = (data[0] >> 4) & 3;
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    check_plain_decimal(bytes);
    std::string stream_error;
    aucrecall::cli::LabelScoreTable table;
    try {
        table = parse(bytes);
        check_table(table, bytes);
        check_library(table);
        check_round_trip(table);
    } catch (const aucrecall::cli::InputError& e) {
        check_error(e.what(), bytes);
        stream_error = e.what();
    }
    if (threads == 0) return 0;
    try {
        const auto split = parse(bytes, format, threads + 1);
        if (!stream_error.empty()) finding("split over threads it parses, as a stream it fails: " + stream_error);
        if (const std::string d = table_difference(split, table); !d.empty())
            finding("split over threads it parses differently: " + d);
    } catch (const aucrecall::cli::InputError& e) {
        if (stream_error != e.what())
            finding("split over threads: '" + std::string(e.what()) + "', as a stream: '" + stream_error + "'");
    }
    return 0;
}
