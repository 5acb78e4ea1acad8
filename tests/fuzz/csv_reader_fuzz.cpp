// libFuzzer target: the CLI's CSV reader on arbitrary bytes.
//
// Every input must either parse into a table that obeys the format's rules, or fail with the
// documented InputError whose message names the input and, for a line, a line that exists. A
// parsed table must also survive a round trip: printed back as CSV and parsed again, it gives
// the same labels and the same scores, bit for bit. Anything else aborts (a finding).
#include "csv_reader.hpp"

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

aucrecall::cli::LabelScoreTable parse(const std::string& bytes) {
    // fmemopen refuses an empty buffer on some C libraries: /dev/null is the empty input.
    std::FILE* stream = bytes.empty() ? std::fopen("/dev/null", "rb")
                                      : fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
    if (stream == nullptr) finding(std::string("cannot open the input: ") + std::strerror(errno));
    struct Closer {
        std::FILE* f;
        ~Closer() { std::fclose(f); }
    } closer{stream};
    return aucrecall::cli::read_label_score_csv(stream, "fuzz", bytes.size());
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

void check_table(const aucrecall::cli::LabelScoreTable& table, const std::string& bytes) {
    if (table.labels.size() != table.scores.size()) finding("labels and scores differ in count");
    if (table.lines > line_count(bytes)) finding("more lines counted than the input has");
    if (table.header_line > table.lines) finding("header after the last line");
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        if (table.labels[i] > 1) finding("label not 0/1 at row " + std::to_string(i));
        if (std::isnan(table.scores[i])) finding("NaN score at row " + std::to_string(i));
    }
}

void check_round_trip(const aucrecall::cli::LabelScoreTable& table) {
    std::string text = "label,score\n";
    char row[64];
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        std::snprintf(row, sizeof row, "%u,%.17g\n", static_cast<unsigned>(table.labels[i]),
                      table.scores[i]);
        text += row;
    }
    aucrecall::cli::LabelScoreTable again;
    try {
        again = parse(text);
    } catch (const std::exception& e) {
        finding(std::string("the reader rejects its own table printed back: ") + e.what());
    }
    if (again.labels != table.labels) finding("labels changed in the round trip");
    for (std::size_t i = 0; i < table.scores.size(); ++i)
        if (std::memcmp(&again.scores[i], &table.scores[i], sizeof(double)) != 0 &&
            !(again.scores[i] == 0 && table.scores[i] == 0))  // -0 prints as -0: equal either way
            finding("score " + std::to_string(i) + " changed in the round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto table = parse(bytes);
        check_table(table, bytes);
        check_round_trip(table);
    } catch (const aucrecall::cli::InputError& e) {
        check_error(e.what(), bytes);
    }
    return 0;
}
