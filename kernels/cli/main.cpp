// aucrecall: the metric of a label,score CSV file from the command line (usage: --help).
#include "csv_reader.hpp"

#include "aucrecall/aucrecall.hpp"

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
#include <string>
#include <string_view>

namespace {

// Exit codes (also in --help).
constexpr int exit_ok = 0;
constexpr int exit_bad_input = 1;  // the input cannot be read or is not valid
constexpr int exit_usage = 2;      // bad command line or environment; nothing was read

constexpr std::string_view stdin_name = "<stdin>";

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
    std::printf(
        "Usage: aucrecall [OPTIONS] FILE\n"
        "\n"
        "Prints AUC-Recall@k over the full ranking (k = 1..n) of the labelled scores in FILE, with\n"
        "17 significant digits (printf %%.17g), or 'nan' when the metric is undefined (no positive\n"
        "label, or a single row). FILE '-' reads standard input.\n"
        "\n"
        "File format: CSV, one 'label,score' row per line.\n"
        "  label  0 or 1; also any number equal to 0 or 1 (1.0, 0e0, 1.000000000000000000e+00)\n"
        "         and true/false in any letter case.\n"
        "  score  a decimal floating-point number: 0.5, .5, 1e-3, inf, -inf, infinity; one leading\n"
        "         '+' is accepted (+inf). NaN, hexadecimal, and values outside the range of double\n"
        "         (1e400, 1e-400) are errors. Equal scores are ties (see --ties); -0 equals 0.\n"
        "  Spaces and tabs around fields, blank lines, CRLF line ends, a UTF-8 byte order mark and\n"
        "  a missing final newline are accepted. The first non-blank line is a header, and skipped,\n"
        "  when neither of its two fields is a number (e.g. 'label,score'). Lines are limited to\n"
        "  %zu bytes. Quoted fields are not supported.\n"
        "\n"
        "Options:\n"
        "  --kernel NAME       kernel to compute with (default: the library's choice for the input);\n"
        "%s\n"
        "  --ties POLICY       'average' (default): mean over every order of tied scores;\n"
        "                      'stable': tied scores keep file order, like\n"
        "                      numpy.argsort(-scores, kind=\"stable\")\n"
        "  --list-kernels      print the kernel names, one per line, and exit\n"
        "  --describe-kernels  print one line per kernel, tab-separated: name, largest practical n\n"
        "                      ('any' when unlimited), 'simd' or 'scalar', description; and exit\n"
        "  --isa               print the SIMD instruction set SIMD kernels use here, and exit\n"
        "  -v, --verbose       also report rows, kernel, instruction set and timings on stderr\n"
        "  --version           print the version and exit\n"
        "  -h, --help          print this help and exit\n"
        "  --                  end of options (for a FILE whose name starts with '-')\n"
        "Options also take the form --kernel=NAME and --ties=POLICY.\n"
        "\n"
        "Exit status:\n"
        "  0  the metric (or nan) was printed, or an informational option ran\n"
        "  1  the input could not be read or is invalid; stderr says where, as FILE:LINE:COLUMN:\n"
        "     for a bad row (malformed number, missing or extra field, NaN score, label not 0/1),\n"
        "     FILE:LINE: for an overlong line, FILE: for a file that cannot be opened or has no\n"
        "     data rows. Standard input is called <stdin>.\n"
        "  2  bad command line (unknown option, kernel or tie policy; missing or extra FILE) or\n"
        "     invalid AUCRECALL_ARCH\n"
        "\n"
        "Environment:\n"
        "  AUCRECALL_ARCH  force the SIMD instruction set of SIMD kernels: scalar, sse2, sse4_2,\n"
        "                  avx2 or avx512 (default: the best this CPU supports). An unknown or\n"
        "                  unsupported value is an error (exit 2).\n",
        aucrecall::cli::max_line_bytes, kernel_names.c_str());
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
    bool verbose = false;
    enum class Info { none, help, version, list_kernels, describe_kernels, isa } info = Info::none;
};

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
            stream, name, regular ? static_cast<std::uint64_t>(info.st_size) : 0);
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

    const std::span<const std::uint8_t> labels(table.labels);
    const std::span<const double> scores(table.scores);
    const aucrecall::Input input = aucrecall::make_input(labels, scores);
    const aucrecall::Kernel& kernel =
        cmd.kernel.empty() ? aucrecall::default_kernel(input) : *aucrecall::find_kernel(cmd.kernel);
    if (input.n > kernel.max_practical_n)
        std::fprintf(stderr,
                     "aucrecall: warning: kernel '%.*s' is meant for n <= %zu; n = %zu may take very long\n",
                     static_cast<int>(kernel.name.size()), kernel.name.data(), kernel.max_practical_n,
                     input.n);

    const auto compute_start = std::chrono::steady_clock::now();
    double metric = 0;
    try {
        metric = aucrecall::compute(input, aucrecall::Options{kernel.name, cmd.ties});
    } catch (const std::exception& e) {
        // The reader rejects everything validate() does, so this is a library or memory failure.
        std::fprintf(stderr, "%s: cannot compute the metric: %s\n", name.c_str(), e.what());
        return exit_bad_input;
    }
    const double compute_ms = milliseconds_since(compute_start);

    if (std::isnan(metric)) std::printf("nan\n");  // printf would print "-nan" for a negative NaN
    else std::printf("%.17g\n", metric);

    if (cmd.verbose) {
        std::size_t positives = 0;
        for (std::uint8_t l : table.labels) positives += l;
        const std::string header =
            table.header_line ? "header on line " + std::to_string(table.header_line) : "no header";
        std::fprintf(stderr,
                     "aucrecall: %s: %zu rows (%zu positive), %zu lines, %s\n"
                     "aucrecall: kernel %.*s, ties %.*s, SIMD instruction set %s\n"
                     "aucrecall: read and parse %.1f ms, metric %.1f ms\n",
                     name.c_str(), input.n, positives, table.lines, header.c_str(),
                     static_cast<int>(kernel.name.size()), kernel.name.data(),
                     static_cast<int>(aucrecall::to_string(cmd.ties).size()),
                     aucrecall::to_string(cmd.ties).data(),
                     kernel.uses_simd_dispatch ? std::string(aucrecall::simd_isa_last_used()).c_str()
                                               : "(not used by this kernel)",
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
    if (!cmd.file) return usage_error("missing FILE (use '-' for standard input)");
    return run(cmd);
}
