// aucrecall: the metric of a label,score CSV file from the command line (usage: --help): one
// scored list, one ranked list (--ranked), or one list per group (--groups), optionally cut at K.
#include "csv_reader.hpp"

#include "aucrecall/aucrecall.hpp"
#include "evaluation/groups.hpp"
#include "rank_sum/keysort_in_place.hpp"
#include "runtime/huge_pages.hpp"
#include "runtime/tuning.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Exit codes (also in --help).
constexpr int exit_ok = 0;
constexpr int exit_bad_input = 1;  // the input cannot be read or is not valid
constexpr int exit_usage = 2;      // bad command line or environment; nothing was read

constexpr std::string_view stdin_name = "<stdin>";

// The CLI already holds its parsed arrays (9 bytes per row), so on large inputs it trades a
// little speed for memory: `keysort` needs 8 bytes per item (keys split by label, sorted in
// place), the radix kernels the library picks there 16 (records and their radix scratch); and
// under `average` the CLI makes keysort's keys in its own parsed scores (keys_in_place), so no
// work memory at all. Measured on 10 million rows (docs/study.md, "Memory"): peak 170 MB instead
// of 248 MB with the library's keysort, 98 MiB with the keys in place, for a few percent of the
// command's time, which parsing dominates. Below this size (tuning.hpp) the scratch is under
// 16 MB and the library's fastest choice stands.
using aucrecall::tuning::low_memory_from_rows;

const aucrecall::Kernel& cli_default_kernel(const aucrecall::Input& input, std::uint64_t k) {
    if (input.n >= low_memory_from_rows && k == 0) return *aucrecall::find_kernel("keysort");
    return aucrecall::default_kernel(input);
}

void print_help() {
    // The registry's names, wrapped under the --kernel description.
    const std::string indent(22, ' ');
    std::string kernel_names = indent + "one of:";
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < aucrecall::kernels().size(); ++i) {
        const std::string name(aucrecall::kernels()[i].name);
        if (kernel_names.size() - line_start + name.size() + 2 > 92) {
            kernel_names += "\n" + indent;
            line_start = kernel_names.size() - indent.size();
        } else {
            kernel_names += ' ';
        }
        kernel_names += name + (i + 1 < aucrecall::kernels().size() ? "," : "");
    }
    // The dispatch table's names (kernels/src/simd/isa_table.def), as compiled into this build.
    std::string isa_names;
    for (std::string_view isa : aucrecall::simd_isas_compiled())
        isa_names += (isa_names.empty() ? "" : ", ") + std::string(isa);
    std::printf(
        "Usage: aucrecall [OPTIONS] FILE\n"
        "\n"
        "Prints AUC-Recall@k over the full ranking (k = 1..n), or over the first K ranks with --k,\n"
        "of the labelled scores in FILE, with 17 significant digits (printf %%.17g), or 'nan' when\n"
        "the metric is undefined (no positive label, or fewer than 2 ranks). FILE '-' reads\n"
        "standard input.\n"
        "\n"
        "Modes (the row format changes with them):\n"
        "  aucrecall scores.csv                  label,score rows: the metric of one scored list\n"
        "  aucrecall --k 10 scores.csv           the same, first 10 ranks only (AUC-Recall@10)\n"
        "  aucrecall --ranked run.csv            label rows in rank order (first row = rank 0)\n"
        "  aucrecall --groups runs.csv           group,label,score rows: one list per group; prints\n"
        "                                        the mean over the groups counted\n"
        "  aucrecall --groups --ranked --k 10 --per-group out.csv runs.csv\n"
        "                                        group,label rows, each group in rank order; the\n"
        "                                        per-group values go to out.csv\n"
        "\n"
        "File format: CSV, one row per line: 'label,score' (default), 'label' (--ranked),\n"
        "'group,label,score' (--groups) or 'group,label' (--groups --ranked); or any columns, with\n"
        "--label-column, --score-column and --group-column naming the ones to read (by header\n"
        "name or 1-based number; a column not named is the one whose header is label, score or\n"
        "group). Fields may be quoted as RFC 4180 writes them (\"a,b\", \"say \"\"hi\"\"\", line\n"
        "breaks inside quotes), as pandas' to_csv and Python's csv module do.\n"
        "  group  any text (quoted when it holds a comma; spaces around it trimmed); rows of one\n"
        "         group need not be contiguous; within a group, file order is the order for ties\n"
        "         and ranks.\n"
        "  label  0 or 1; also any number equal to 0 or 1 (1.0, 0e0, 1.000000000000000000e+00)\n"
        "         and true/false in any letter case.\n"
        "  score  a decimal floating-point number: 0.5, .5, 1e-3, inf, -inf, infinity; one leading\n"
        "         '+' is accepted (+inf). NaN, hexadecimal, and values outside the range of double\n"
        "         (1e400, 1e-400) are errors. Equal scores are ties (see --ties); -0 equals 0.\n"
        "         Integer scores are exact: when some integer score lies beyond +-2^53 (where\n"
        "         doubles round), every score must be an integer and the column is read as int64.\n"
        "  Spaces and tabs around fields, blank lines, CRLF line ends, a UTF-8 byte order mark and\n"
        "  a missing final newline are accepted. With columns named, the first non-blank line is\n"
        "  the header; otherwise it is a header, and skipped, when its label and score fields are\n"
        "  not numbers (e.g. 'label,score'). Rows are limited to %zu bytes. A regular file is\n"
        "  parsed by several threads (AUCRECALL_THREADS caps them).\n"
        "\n"
        "Options:\n"
        "  --kernel NAME       kernel to compute with (default: the library's choice for the input,\n"
        "                      but keysort from %zu rows without --k, its keys made in the parsed\n"
        "                      scores under 'average': no work memory beyond the rows);\n"
        "%s\n"
        "  --ties POLICY       'average' (default): mean over every order of tied scores;\n"
        "                      'stable': tied scores keep file order, like\n"
        "                      numpy.argsort(-scores, kind=\"stable\")\n"
        "  --k K               cutoff: only the first K ranks count (integer, 1 to 2^64-1)\n"
        "  --ranked            rows hold labels alone, already in rank order\n"
        "  --label-column COL  read labels from column COL: a header name, or a number from 1;\n"
        "                      with any --*-column, other columns are ignored\n"
        "  --score-column COL  read scores from column COL (default with any --*-column: 'score')\n"
        "  --group-column COL  with --groups: read group keys from column COL (default: 'group')\n"
        "  --groups            rows start with a group key; prints the unweighted mean over the\n"
        "                      groups counted ('nan' when none)\n"
        "  --per-group FILE    with --groups: also write 'group,n,positives,auc_recall' rows, one per\n"
        "                      group in order of first appearance ('nan' for a skipped group)\n"
        "  --undefined POLICY  with --groups, for a group with no positive or fewer than 2 ranks:\n"
        "                      'skip' (default: nan, left out of the mean), 'zero' (counts as 0),\n"
        "                      'error' (exit 1 naming the group and the line of its first row)\n"
        "  --list-kernels      print the kernel names, one per line, and exit\n"
        "  --describe-kernels  print one line per kernel, tab-separated: name, largest practical n\n"
        "                      ('any' when unlimited), 'simd' or 'scalar', description; and exit\n"
        "  --isa               print the SIMD instruction set SIMD kernels use here, and exit\n"
        "  -v, --verbose       also report rows, kernel, instruction set and timings on stderr\n"
        "  --version           print the version and exit\n"
        "  -h, --help          print this help and exit\n"
        "  --                  end of options (for a FILE whose name starts with '-')\n"
        "Options with a value also take the form --kernel=NAME, --k=K and so on. --kernel applies\n"
        "to one scored list only (ranked lists are one scan; groups use the small-list path).\n"
        "\n"
        "Exit status:\n"
        "  0  the metric (or nan) was printed, or an informational option ran\n"
        "  1  the input could not be read or is invalid; stderr says where, as FILE:LINE:COLUMN:\n"
        "     for a bad row (malformed number, missing or extra field, empty group key, NaN score,\n"
        "     label not 0/1), FILE:LINE: for an overlong line or, under --undefined error, for the\n"
        "     first row of the first undefined group, FILE: for a file that cannot be opened or has\n"
        "     no data rows, or a --per-group file that cannot be written. Standard input is called\n"
        "     <stdin>.\n"
        "  2  bad command line (unknown option, kernel, tie or undefined policy; a --k that is not\n"
        "     an integer from 1 to 2^64-1; an option its mode does not take; missing or extra FILE)\n"
        "     or invalid AUCRECALL_ARCH\n"
        "\n"
        "Environment:\n"
        "  AUCRECALL_ARCH  force the SIMD instruction set of SIMD kernels (default: the best this\n"
        "                  CPU supports), one of: %s.\n"
        "                  An unknown or unsupported value is an error (exit 2).\n",
        aucrecall::cli::max_line_bytes, low_memory_from_rows, kernel_names.c_str(), isa_names.c_str());
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "aucrecall: %s\nTry 'aucrecall --help' for more information.\n",
                 message.c_str());
    return exit_usage;
}

struct CommandLine {
    std::optional<std::string> file;
    std::string kernel;  // empty: the library's default
    aucrecall::Ties ties = aucrecall::Ties::average;
    std::uint64_t k = 0;  // 0: no cutoff
    bool ranked = false;
    bool groups = false;
    std::optional<std::string> per_group;
    std::optional<aucrecall::Undefined> undefined;
    std::optional<aucrecall::cli::ColumnChoice> label_column, score_column, group_column;
    bool verbose = false;
    enum class Info { none, help, version, list_kernels, describe_kernels, isa } info = Info::none;
};

// --label-column, --score-column, --group-column (also as --name=VALUE): the option and the
// command line's field it sets.
struct ColumnOption {
    std::string_view name;
    std::optional<aucrecall::cli::ColumnChoice> CommandLine::*field;
};
std::optional<ColumnOption> column_option(std::string_view arg) {
    static constexpr ColumnOption options[] = {{"--label-column", &CommandLine::label_column},
                                               {"--score-column", &CommandLine::score_column},
                                               {"--group-column", &CommandLine::group_column}};
    for (const ColumnOption& o : options)
        if (arg == o.name || (arg.starts_with(o.name) && arg.size() > o.name.size() && arg[o.name.size()] == '='))
            return o;
    return std::nullopt;
}

// Parses argv into `cmd`; returns an error message for a usage error, empty on success.
std::string parse_command_line(int argc, char** argv, CommandLine& cmd) {
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (options_done || arg == "-" || !arg.starts_with("-")) {
            if (cmd.file) return "too many arguments: '" + std::string(arg) + "' after FILE '" + *cmd.file + "'";
            cmd.file = std::string(arg);
            continue;
        }
        // An option with a value: --name VALUE or --name=VALUE.
        const auto value_of = [&](std::string_view name, std::string& value) -> std::optional<std::string> {
            if (arg == name) {
                if (i + 1 >= argc) return "option '" + std::string(name) + "' needs a value";
                value = argv[++i];
                return std::string();
            }
            if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
                value = std::string(arg.substr(name.size() + 1));
                return std::string();
            }
            return std::nullopt;  // not this option
        };
        std::string value;
        if (auto r = value_of("--kernel", value)) {
            if (!r->empty()) return *r;
            if (aucrecall::find_kernel(value) == nullptr) {
                std::string known;
                for (const aucrecall::Kernel& k : aucrecall::kernels())
                    known += (known.empty() ? "" : ", ") + std::string(k.name);
                return "unknown kernel '" + value + "' (known: " + known + ")";
            }
            cmd.kernel = value;
        } else if (auto r2 = value_of("--ties", value)) {
            if (!r2->empty()) return *r2;
            try {
                cmd.ties = aucrecall::parse_ties(value);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
        } else if (auto r3 = value_of("--k", value)) {
            if (!r3->empty()) return *r3;
            std::uint64_t k = 0;
            const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), k);
            if (value.empty() || error == std::errc::invalid_argument || end != value.data() + value.size())
                return "--k '" + value + "' is not a whole number (K: an integer from 1 to 2^64-1)";
            if (error == std::errc::result_out_of_range)
                return "--k '" + value + "' is beyond 64 bits (K: an integer from 1 to 2^64-1)";
            if (k == 0) return "--k must be at least 1 (K: an integer from 1 to 2^64-1)";
            cmd.k = k;
        } else if (auto r4 = value_of("--per-group", value)) {
            if (!r4->empty()) return *r4;
            if (value.empty()) return "--per-group needs a file name";
            cmd.per_group = value;
        } else if (auto r5 = value_of("--undefined", value)) {
            if (!r5->empty()) return *r5;
            try {
                cmd.undefined = aucrecall::parse_undefined(value);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
        } else if (auto column = column_option(arg)) {
            if (auto r6 = value_of(column->name, value); !r6->empty()) return *r6;
            try {
                cmd.*column->field = aucrecall::cli::parse_column_choice(value);
            } catch (const std::invalid_argument& e) {
                return std::string(column->name) + ": " + e.what();
            }
        } else if (arg == "--ranked") {
            cmd.ranked = true;
        } else if (arg == "--groups") {
            cmd.groups = true;
        } else if (arg == "--") {
            options_done = true;
        } else if (arg == "-v" || arg == "--verbose") {
            cmd.verbose = true;
        } else if (arg == "-h" || arg == "--help") {
            cmd.info = CommandLine::Info::help;
        } else if (arg == "--version") {
            if (cmd.info == CommandLine::Info::none) cmd.info = CommandLine::Info::version;
        } else if (arg == "--list-kernels") {
            if (cmd.info == CommandLine::Info::none) cmd.info = CommandLine::Info::list_kernels;
        } else if (arg == "--describe-kernels") {
            if (cmd.info == CommandLine::Info::none) cmd.info = CommandLine::Info::describe_kernels;
        } else if (arg == "--isa") {
            if (cmd.info == CommandLine::Info::none) cmd.info = CommandLine::Info::isa;
        } else {
            return "unknown option '" + std::string(arg) + "'";
        }
    }
    if (!cmd.groups && cmd.per_group) return "--per-group needs --groups";
    if (!cmd.groups && cmd.undefined) return "--undefined needs --groups";
    if (!cmd.groups && cmd.group_column) return "--group-column needs --groups";
    if (cmd.ranked && cmd.score_column) return "--score-column does not go with --ranked (rows hold no score)";
    if (!cmd.kernel.empty() && (cmd.ranked || cmd.groups))
        return std::string("--kernel applies to one scored list, not to ") + (cmd.groups ? "--groups" : "--ranked");
    return {};
}

// Prints to stdout and reports a failed write (a full disk, a closed pipe) as an error.
int finish_output() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "aucrecall: cannot write the output: %s\n", std::strerror(errno));
        return exit_bad_input;
    }
    return exit_ok;
}

int run_info(CommandLine::Info info) {
    switch (info) {
        case CommandLine::Info::help:
            print_help();
            break;
        case CommandLine::Info::version:
            std::printf("aucrecall %.*s\n", static_cast<int>(aucrecall::version().size()),
                        aucrecall::version().data());
            break;
        case CommandLine::Info::list_kernels:
            for (const aucrecall::Kernel& k : aucrecall::kernels())
                std::printf("%.*s\n", static_cast<int>(k.name.size()), k.name.data());
            break;
        case CommandLine::Info::describe_kernels:
            for (const aucrecall::Kernel& k : aucrecall::kernels()) {
                const std::string limit = k.max_practical_n == static_cast<std::size_t>(-1)
                                              ? std::string("any")
                                              : std::to_string(k.max_practical_n);
                std::printf("%.*s\t%s\t%s\t%.*s\n", static_cast<int>(k.name.size()), k.name.data(),
                            limit.c_str(), k.uses_simd_dispatch ? "simd" : "scalar",
                            static_cast<int>(k.description.size()), k.description.data());
            }
            break;
        case CommandLine::Info::isa: {
            const std::string_view isa = aucrecall::simd_isa_active();  // checked by the caller
            std::printf("%.*s\n", static_cast<int>(isa.size()), isa.data());
            break;
        }
        case CommandLine::Info::none:
            break;
    }
    return finish_output();
}

double milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// 17 significant digits, or "nan" (printf would print "-nan" for a negative NaN).
std::string value_text(double x) {
    if (std::isnan(x)) return "nan";
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", x);
    return text;
}
void print_value(double x) { std::printf("%s\n", value_text(x).c_str()); }

// A key as one CSV field: quoted (RFC 4180) when it holds a comma, a quote, a line break or
// surrounding blanks, so the per-group file reads back as written.
std::string csv_field(const std::string& key) {
    const bool plain = key.find_first_of(",\"\r\n") == std::string::npos && !key.empty() &&
                       key.front() != ' ' && key.front() != '\t' && key.back() != ' ' && key.back() != '\t';
    if (plain) return key;
    std::string out = "\"";
    for (char c : key) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string cutoff_text(std::uint64_t k) { return k == 0 ? "none" : std::to_string(k); }

int run_ranked(const CommandLine& cmd, const std::string& name, const aucrecall::cli::LabelScoreTable& table,
               double read_ms) {
    const auto start = std::chrono::steady_clock::now();
    double metric = 0;
    try {
        metric = aucrecall::compute_ranked({table.labels.data(), table.labels.size(), aucrecall::LabelType::u8}, cmd.k);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: cannot compute the metric: %s\n", name.c_str(), e.what());
        return exit_bad_input;
    }
    const double compute_ms = milliseconds_since(start);
    print_value(metric);
    if (cmd.verbose)
        std::fprintf(stderr,
                     "aucrecall: %s: %zu ranked rows, %zu lines, cutoff %s\n"
                     "aucrecall: read and parse %.1f ms, metric %.1f ms\n",
                     name.c_str(), table.labels.size(), table.lines, cutoff_text(cmd.k).c_str(), read_ms, compute_ms);
    return finish_output();
}

// The rows are handed to the library, which hands their pages back as it copies interleaved groups
// into group order (evaluation/groups.hpp): afterwards only the keys and first lines are read.
int run_groups(const CommandLine& cmd, const std::string& name, aucrecall::cli::LabelScoreTable& table,
               double read_ms) {
    const aucrecall::Input items = table.input(cmd.ranked);
    // The copies rather than low_memory's gathers: each gathered score is a read from a random
    // place (10M shuffled rows in 100,000 groups: the metric 40-60 ms slower), and with the rows
    // handed back as they are copied the copies cost no memory beyond the rows.
    const aucrecall::GroupOptions options{.ties = cmd.ties, .k = cmd.k,
                                          .undefined = cmd.undefined.value_or(aucrecall::Undefined::skip)};
    const auto start = std::chrono::steady_clock::now();
    aucrecall::GroupSummary summary;
    try {
        // The reader numbered the keys in order of first appearance: no second hashing.
        summary = aucrecall::detail::compute_grouped_ids_releasing_input(
            items, {table.group_ids.data(), table.group_ids.size()}, options);
    } catch (const aucrecall::UndefinedGroup& e) {
        // The library names the group by its id; the user knows it by its text and its line.
        const std::string what = e.what();
        const std::size_t at = what.find(" is undefined");
        std::fprintf(stderr, "%s:%zu: group %s%s\n", name.c_str(), table.group_first_line[e.group()],
                     table.group_keys[e.group()].c_str(), at == std::string::npos ? " is undefined" : what.c_str() + at);
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: cannot compute the metric: %s\n", name.c_str(), e.what());
        return exit_bad_input;
    }
    const double compute_ms = milliseconds_since(start);
    if (cmd.per_group) {
        std::FILE* out = std::fopen(cmd.per_group->c_str(), "wb");
        if (out == nullptr) {
            std::fprintf(stderr, "%s: cannot write: %s\n", cmd.per_group->c_str(), std::strerror(errno));
            return exit_bad_input;
        }
        std::fprintf(out, "group,n,positives,auc_recall\n");
        for (std::size_t g = 0; g < summary.values.size(); ++g)
            std::fprintf(out, "%s,%llu,%llu,%s\n", csv_field(table.group_keys[g]).c_str(),
                         static_cast<unsigned long long>(summary.n[g]),
                         static_cast<unsigned long long>(summary.positives[g]), value_text(summary.values[g]).c_str());
        const bool failed = std::ferror(out) != 0;
        if (std::fclose(out) != 0 || failed) {
            std::fprintf(stderr, "%s: cannot write: %s\n", cmd.per_group->c_str(), std::strerror(errno));
            return exit_bad_input;
        }
    }
    print_value(summary.mean);
    if (cmd.verbose)
        std::fprintf(stderr,
                     "aucrecall: %s: %zu rows in %zu groups (%llu counted, %llu skipped), %zu lines, cutoff %s, "
                     "ties %.*s, undefined %.*s\n"
                     "aucrecall: read and parse %.1f ms, metric %.1f ms\n",
                     name.c_str(), table.labels.size(), summary.values.size(),
                     static_cast<unsigned long long>(summary.counted), static_cast<unsigned long long>(summary.skipped),
                     table.lines, cutoff_text(cmd.k).c_str(), static_cast<int>(aucrecall::to_string(cmd.ties).size()),
                     aucrecall::to_string(cmd.ties).data(),
                     static_cast<int>(aucrecall::to_string(options.undefined).size()),
                     aucrecall::to_string(options.undefined).data(), read_ms, compute_ms);
    return finish_output();
}

// With keysort chosen here and float64 scores under `average`, keysort's keys are made in the
// parsed score array itself (rank_sum/keysort_in_place.hpp; the rows are not read again): 8 bytes
// per row less at the peak, the same counts and bits as the library's keysort.
bool keys_in_place(const CommandLine& cmd, const aucrecall::cli::LabelScoreTable& table, const aucrecall::Kernel& kernel) {
    return cmd.kernel.empty() && kernel.name == "keysort" && cmd.k == 0 && cmd.ties == aucrecall::Ties::average &&
           table.integer_scores.empty() && table.scores.size() == table.labels.size();
}

int run(const CommandLine& cmd) {
    const bool from_stdin = *cmd.file == "-";
    const std::string name = from_stdin ? std::string(stdin_name) : *cmd.file;
    std::FILE* stream = from_stdin ? stdin : std::fopen(cmd.file->c_str(), "rb");
    if (stream == nullptr) {
        std::fprintf(stderr, "%s: cannot open: %s\n", name.c_str(), std::strerror(errno));
        return exit_bad_input;
    }
    // fopen succeeds on a directory on Linux; say so up front rather than failing on the read.
    struct stat info {};
    const bool have_info = fstat(fileno(stream), &info) == 0;
    if (have_info && S_ISDIR(info.st_mode)) {
        if (!from_stdin) std::fclose(stream);
        std::fprintf(stderr, "%s: cannot open: %s\n", name.c_str(), std::strerror(EISDIR));
        return exit_bad_input;
    }

    const auto read_start = std::chrono::steady_clock::now();
    aucrecall::cli::LabelScoreTable table;
    try {
        const bool regular = have_info && S_ISREG(info.st_mode) && info.st_size > 0;
        table = aucrecall::cli::read_label_score_csv(
            stream, name, regular ? static_cast<std::uint64_t>(info.st_size) : 0,
            aucrecall::cli::CsvFormat{cmd.groups, cmd.ranked, cmd.label_column, cmd.score_column, cmd.group_column});
    } catch (const aucrecall::cli::InputError& e) {
        if (!from_stdin) std::fclose(stream);
        std::fprintf(stderr, "%s\n", e.what());
        return exit_bad_input;
    } catch (const std::bad_alloc&) {
        if (!from_stdin) std::fclose(stream);
        std::fprintf(stderr, "%s: out of memory while reading the rows\n", name.c_str());
        return exit_bad_input;
    }
    if (!from_stdin) std::fclose(stream);
    const double read_ms = milliseconds_since(read_start);
    if (cmd.groups) return run_groups(cmd, name, table, read_ms);
    if (cmd.ranked) return run_ranked(cmd, name, table, read_ms);

    const aucrecall::Input input = table.input(false);
    const aucrecall::Kernel& kernel =
        cmd.kernel.empty() ? cli_default_kernel(input, cmd.k) : *aucrecall::find_kernel(cmd.kernel);
    if (input.n > kernel.max_practical_n)
        std::fprintf(stderr,
                     "aucrecall: warning: kernel '%.*s' is meant for n <= %zu; n = %zu may take very long\n",
                     static_cast<int>(kernel.name.size()), kernel.name.data(), kernel.max_practical_n,
                     input.n);

    const bool in_place = keys_in_place(cmd, table, kernel);
    const auto compute_start = std::chrono::steady_clock::now();
    double metric = 0;
    try {
        metric = in_place
                     ? aucrecall::detail::keysort_parts_in_place(table.labels, table.scores).metric()
                     : aucrecall::compute(input, aucrecall::Options{kernel.name, cmd.ties, cmd.k});
    } catch (const std::exception& e) {
        // The reader rejects everything validate() does, so this is a library or memory failure.
        std::fprintf(stderr, "%s: cannot compute the metric: %s\n", name.c_str(), e.what());
        return exit_bad_input;
    }
    const double compute_ms = milliseconds_since(compute_start);

    print_value(metric);

    if (cmd.verbose) {
        std::size_t positives = 0;
        for (std::uint8_t l : table.labels) positives += l;
        const std::string header =
            table.header_line ? "header on line " + std::to_string(table.header_line) : "no header";
        std::fprintf(stderr,
                     "aucrecall: %s: %zu rows (%zu positive), %zu lines, %s\n"
                     "aucrecall: kernel %.*s%s, ties %.*s, SIMD instruction set %s\n"
                     "aucrecall: read and parse %.1f ms, metric %.1f ms\n",
                     name.c_str(), input.n, positives, table.lines, header.c_str(),
                     static_cast<int>(kernel.name.size()), kernel.name.data(),
                     in_place ? " (its keys made in the parsed scores)" : "",
                     static_cast<int>(aucrecall::to_string(cmd.ties).size()),
                     aucrecall::to_string(cmd.ties).data(),
                     !kernel.uses_simd_dispatch ? "(not used by this kernel)"
                     : aucrecall::simd_isa_last_used().empty()
                         ? "(none ran: tiny inputs take a scalar path)"
                         : std::string(aucrecall::simd_isa_last_used()).c_str(),
                     read_ms, compute_ms);
    }
    return finish_output();
}

}  // namespace

int main(int argc, char** argv) {
    CommandLine cmd;
    if (const std::string error = parse_command_line(argc, argv, cmd); !error.empty())
        return usage_error(error);
    if (cmd.info == CommandLine::Info::help) return run_info(cmd.info);

    // A bad AUCRECALL_ARCH would only surface inside a SIMD kernel, after the whole file is read;
    // check it before any work, whichever kernel runs.
    try {
        (void)aucrecall::simd_isa_active();
    } catch (const std::exception& e) {
        return usage_error(e.what());
    }

    if (cmd.info != CommandLine::Info::none) return run_info(cmd.info);
    // One call on fresh memory: the library's scratch in ordinary pages (runtime/huge_pages.hpp).
    aucrecall::detail::huge_pages_for_large_blocks = false;
    if (!cmd.file) return usage_error("missing FILE (use '-' for standard input)");
    return run(cmd);
}
