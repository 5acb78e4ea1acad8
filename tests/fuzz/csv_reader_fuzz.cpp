// libFuzzer target: the CLI's CSV reader on arbitrary bytes, in every format the CLI has.
//
// Byte 0 mod 4 picks the format (label,score / label / group,label,score / group,label: plain,
// --ranked, --groups, --groups --ranked); the rest is the file.
// Every input must either parse into a table that obeys the format's rules, or fail with the
// documented InputError whose message names the input and, for a line, a line that exists. A
// parsed table must also survive a round trip: printed back as CSV and parsed again, it gives
// the same labels and the same scores, bit for bit. Anything else aborts (a finding).
#include "csv_reader.hpp"

#include "aucrecall/aucrecall.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "csv_reader_fuzz: %s\n", what.c_str());
    std::abort();
}

aucrecall::cli::CsvFormat format;

aucrecall::cli::LabelScoreTable parse(const std::string& bytes) {
    // fmemopen refuses an empty buffer on some C libraries: /dev/null is the empty input.
    std::FILE* stream = bytes.empty() ? std::fopen("/dev/null", "rb")
                                      : fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
    if (stream == nullptr) finding(std::string("cannot open the input: ") + std::strerror(errno));
    struct Closer {
        std::FILE* f;
        ~Closer() { std::fclose(f); }
    } closer{stream};
    return aucrecall::cli::read_label_score_csv(stream, "fuzz", bytes.size(), format);
}

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

bool is_blank(char c) { return c == ' ' || c == '\t'; }

void check_table(const aucrecall::cli::LabelScoreTable& table, const std::string& bytes) {
    if (format.ranked ? !table.scores.empty() : table.labels.size() != table.scores.size())
        finding("labels and scores differ in count");
    if (format.groups) {
        if (table.group_ids.size() != table.labels.size()) finding("a row without a group id");
        if (table.group_keys.size() != table.group_first_line.size()) finding("group keys and lines differ");
        for (std::uint32_t id : table.group_ids)
            if (id >= table.group_keys.size()) finding("group id out of range");
        for (std::size_t g = 0; g < table.group_keys.size(); ++g) {
            const std::string& key = table.group_keys[g];
            if (key.empty() || key.find(',') != std::string::npos || is_blank(key.front()) || is_blank(key.back()))
                finding("group key '" + key + "' breaks the format's rules");
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
        if (!format.ranked && std::isnan(table.scores[i])) finding("NaN score at row " + std::to_string(i));
    }
}

// The library on what the reader accepted, as the CLI calls it: a value or NaN, never a throw.
void check_library(const aucrecall::cli::LabelScoreTable& table) {
    const aucrecall::Input items{table.labels.data(), format.ranked ? nullptr : table.scores.data(),
                                 table.labels.size(), aucrecall::LabelType::u8, aucrecall::ScoreType::f64};
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

void check_round_trip(const aucrecall::cli::LabelScoreTable& table) {
    std::string text = format.groups ? "group," : "";
    text += format.ranked ? "label\n" : "label,score\n";
    char row[64];
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        if (format.groups) text += table.group_keys[table.group_ids[i]] + ",";
        if (format.ranked)
            std::snprintf(row, sizeof row, "%u\n", static_cast<unsigned>(table.labels[i]));
        else
            std::snprintf(row, sizeof row, "%u,%.17g\n", static_cast<unsigned>(table.labels[i]), table.scores[i]);
        text += row;
    }
    aucrecall::cli::LabelScoreTable again;
    try {
        again = parse(text);
    } catch (const std::exception& e) {
        finding(std::string("the reader rejects its own table printed back: ") + e.what());
    }
    if (again.labels != table.labels) finding("labels changed in the round trip");
    if (again.group_ids != table.group_ids || again.group_keys != table.group_keys)
        finding("groups changed in the round trip");
    for (std::size_t i = 0; i < table.scores.size(); ++i)
        if (std::memcmp(&again.scores[i], &table.scores[i], sizeof(double)) != 0 &&
            !(again.scores[i] == 0 && table.scores[i] == 0))  // -0 prints as -0: equal either way
            finding("score " + std::to_string(i) + " changed in the round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    format = {.groups = (data[0] & 2) != 0, .ranked = (data[0] & 1) != 0};
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        const auto table = parse(bytes);
        check_table(table, bytes);
        check_library(table);
        check_round_trip(table);
    } catch (const aucrecall::cli::InputError& e) {
        check_error(e.what(), bytes);
    }
    return 0;
}
