"""The results model: loading benchmark JSON, medians, row kinds, units and tables.

No drawing here (no matplotlib import), so the report and the cross-machine tables need only the
standard library; the figure helpers live in common.py.

A results directory (results/<machine>/) holds Google Benchmark JSON files:
  cpp_<compiler>.json  the C++ harness (build/<preset>/aucrecall-bench), e.g. cpp_gcc, cpp_clang
  python*.json         bench/python/study.py (same JSON shape)
Every implementation, size and instruction set is read from the files; nothing here lists
kernels, so a kernel added to the registry shows up in every chart and table by itself.
"""

import json
import math
import os
import re
import statistics
import sys
from dataclasses import dataclass

STUDY_SIZES = (5, 100, 10_000, 100_000)
# Bytes one item of the study's input occupies: an int64 label and a float64 score.
BYTES_PER_ITEM = 16
# Known instruction sets in increasing capability, for a stable axis order; others sort after.
ISA_ORDER = ("scalar", "sse2", "sse4_2", "avx2", "avx512")
FIGURE_DIRECTORY = "figures"
MEMORY_FLOOR = "read_inputs"
PYTHON = "python"

# Kinds of row, from the benchmark name (the grammar: bench/row_names.def, read below).
MAIN = "main"              # <kernel>/<n>, study data (int64 labels, float64 scores)
NARROW = "f32u8"           # <kernel>_f32u8/<n>, float32 scores and uint8 labels
ISA = "isa"                # <kernel>@<isa>/<n>, one instruction set forced
PHASES = "phases"          # phases/<kernel>[@<isa>]/<n>: the kernel with its phases timed in the
                           # same calls (Row.phases); Row.isa: the forced instruction set or None
THREADS = "threads"        # threads/<kernel>@<t>/<n>, a multithreaded kernel on t threads
DIST = "dist"              # dist/<distribution>/<kernel>/<n>, scores other than uniform (Row.isa:
                           # the distribution's name, data::Dist)
EXTRA = "extra"            # extra/<experiment>/<n>, a labelled variant, not one of the article's
DATAGEN = "datagen"        # datagen/<list|array>/<n>, the data generation the article timed
# Per-query evaluation (SPEC.md "Cutoff K", "Ranked input", "Groups"):
CUTOFF = "cutoff"                  # cutoff/<K or full>/<n>, the public entry point at cutoff K
GROUPED = "grouped"                # grouped/<G>x<S>/<n> (C++, one thread) and grouped/py_.../<n>
GROUPED_MT = "grouped_mt"          # grouped_mt/<G>x<S>/<n>, threads across groups
GROUPED_SHUFFLED = "grouped_shuffled"  # grouped_shuffled/<G>x<S>/<n>, rows of groups interleaved
DASK = "dask"                      # dask/<what>/<n>: partitioned data on a LocalCluster (scale.py)
RANKED = "ranked"                  # ranked/<n> (int64 labels), ranked_u8/<n>: labels in rank order
LABELS_FLOOR = "read_labels"       # read_labels/<n>: one pass over the int64 labels alone
# Rows of kind `main` that are not kernels.
EVALUATION_ROWS = {"ranked": RANKED, "ranked_u8": RANKED, LABELS_FLOOR: LABELS_FLOOR}
FLOOR = "floor"            # read_inputs/<n>, one pass over the inputs: the memory floor
VALIDATE = "validate"      # validate/<n>, the input checks the public entry point adds
# Rows the harness adds around the kernels; the kernels themselves are never listed here.
HARNESS_ROWS = {MEMORY_FLOOR: FLOOR, "validate": VALIDATE}

# Google Benchmark appends these to a name when they are set in code rather than on the command
# line; they say how a row was run, not what it measures.
_RUN_MODIFIER = re.compile(r"/(repeats|min_time|min_warmup_time|iterations|threads):[^/]*$|"
                           r"/(real_time|manual_time|process_time)$")
_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def warn(message):
    print(f"plots: {message}", file=sys.stderr)


@dataclass(frozen=True)
class Stats:
    """Real time per call over the repetitions of one row, in nanoseconds."""
    median: float
    mean: float
    stddev: float   # NaN with a single repetition
    minimum: float
    maximum: float
    repetitions: int
    cpu_median: float = math.nan  # the benchmark thread's CPU time; far below real = descheduled

    @property
    def cv(self):
        return self.stddev / self.mean if self.mean > 0 else math.nan


@dataclass
class Row:
    source: str        # "gcc", "clang", "python": which file the row came from
    kind: str          # MAIN, NARROW, ISA, PHASES, FLOOR, ...
    implementation: str
    n: int
    isa: str = None    # after '@': the instruction set (ISA, PHASES rows) or thread count (THREADS)
    stats: Stats = None
    error: str = None  # Google Benchmark's error_message when the row failed or was skipped
    # PHASES rows: {phase: median ns per call} in the kernel's order, from the p<i>_<phase>
    # counters of the same repetitions as `stats`.
    phases: dict = None

    @property
    def ns_per_item(self):
        return self.stats.median / self.n


ROW_NAMES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "bench",
                              "row_names.def")
# What each field of a pattern may hold: no "/" in any, no "@" in a kernel's name.
_FIELD_PATTERNS = {"kernel": r"[^/@]+", "isa": r"[^/@]+", "threads": r"\d+", "dist": r"[^/]+",
                   "name": r"[^/]+"}


def _row_grammar(path=ROW_NAMES_FILE):
    """[(kind, compiled regex)] from bench/row_names.def, in its order: the benchmark builds every
    row name from the same lines, so the grammar is written once."""
    grammar = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            match = re.match(r'^AUCRECALL_ROW\(([a-z0-9_]+), *"([^"]*)"\)$', line.strip())
            if not match:
                continue
            kind, pattern = match.groups()
            regex = re.escape(pattern).replace(r"\[", "(?:").replace(r"\]", ")?")
            regex = re.sub(r"\\\{(\w+)\\\}",
                           lambda f: f"(?P<{f.group(1)}>{_FIELD_PATTERNS[f.group(1)]})", regex)
            grammar.append((kind, re.compile(f"^{regex}$")))
    if not grammar:
        raise RuntimeError(f"no AUCRECALL_ROW line in {path}")
    return grammar


ROW_GRAMMAR = _row_grammar()


def parse_name(run_name):
    """(kind, implementation, isa, n) from a benchmark name, or None for a name of another shape.
    `isa` carries the instruction set (ISA, PHASES), the thread count (THREADS) or the
    distribution (DIST)."""
    name = run_name
    while True:
        stripped = _RUN_MODIFIER.sub("", name)
        if stripped == name:
            break
        name = stripped
    head, _, size = name.rpartition("/")
    if not head or not size.isdigit():
        return None
    n = int(size)
    for kind, regex in ROW_GRAMMAR:
        match = regex.match(head)
        if not match:
            continue
        fields = match.groupdict()
        kernel = fields.get("kernel") or fields.get("name")
        detail = fields.get("isa") or fields.get("threads") or fields.get("dist")
        if kind == MAIN and kernel in EVALUATION_ROWS:
            return EVALUATION_ROWS[kernel], kernel, None, n
        if kind in (MAIN, NARROW) and kernel in HARNESS_ROWS:
            # read_inputs_f32u8 -> kind "floor_f32u8", implementation read_inputs
            base = HARNESS_ROWS[kernel]
            return (f"{base}_{NARROW}" if kind == NARROW else base), kernel, None, n
        return kind, kernel, detail, n
    return None


def _stats_from_iterations(times, cpu_times):
    return Stats(median=statistics.median(times), mean=statistics.fmean(times),
                 stddev=statistics.stdev(times) if len(times) > 1 else math.nan,
                 minimum=min(times), maximum=max(times), repetitions=len(times),
                 cpu_median=statistics.median(cpu_times))


def _stats_from_aggregates(aggregates, repetitions):
    """For files written with --benchmark_report_aggregates_only (no per-repetition rows)."""
    median = aggregates.get("median", aggregates.get("mean"))
    if median is None:
        return None
    return Stats(median=median, mean=aggregates.get("mean", median),
                 stddev=aggregates.get("stddev", math.nan),
                 minimum=aggregates.get("min", math.nan), maximum=aggregates.get("max", math.nan),
                 repetitions=repetitions)


_PHASE_COUNTER = re.compile(r"^p(\d+)_(.+)$")


def phase_counters(entry):
    """[(index, phase, ns per call)] from one JSON row's p<i>_<phase> counters."""
    found = []
    for key, value in entry.items():
        match = _PHASE_COUNTER.match(key)
        if match and isinstance(value, (int, float)):
            found.append((int(match.group(1)), match.group(2), float(value)))
    return sorted(found)


def _median_phases(per_repetition):
    """{phase: median over the repetitions}, in the kernel's order."""
    values = {}
    for counters in per_repetition:
        for _, phase, ns in counters:
            values.setdefault(phase, []).append(ns)
    return {phase: statistics.median(ns) for phase, ns in values.items()}


def source_name(path):
    """cpp_gcc.json -> "gcc"; every python*.json -> "python" (one source, files merged, so a
    separate long run such as py_baseline at 100k can sit next to python.json)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem.startswith(PYTHON):
        return PYTHON
    return stem[len("cpp_"):] if stem.startswith("cpp_") else stem


def is_python_source(source):
    return source == PYTHON


class Results:
    """Every row of every JSON file of one results directory."""

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        self.machine = os.path.basename(self.directory.rstrip("/"))
        self.contexts = {}   # source -> Google Benchmark context block
        self.rows = []
        self._order = {}     # implementation -> first position seen, for a stable display order
        paths = sorted(os.path.join(self.directory, f) for f in os.listdir(self.directory)
                       if f.endswith(".json")) if os.path.isdir(self.directory) else []
        for path in paths:
            self._load(path)
        if not self.rows:
            raise SystemExit(f"plots: no benchmark rows in {self.directory} "
                             "(expected cpp_<compiler>.json and/or python.json)")
        self.colours = _colour_map(sorted({r.implementation for r in self.rows}))

    def _load(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            warn(f"skipping {path}: {error}")
            return
        if not isinstance(document, dict) or "benchmarks" not in document:
            return  # not a benchmark file
        source = source_name(path)
        if source in self.contexts:  # a second python*.json: its rows join the first file's
            first = self.contexts[source]
            first.setdefault("merged_files", []).append(os.path.basename(path))
            for key, value in document.get("context", {}).items():
                first.setdefault(key, value)  # facts only the later file recorded
        else:
            self.contexts[source] = document.get("context", {})
        iterations, cpu_times, aggregates, errors, repetitions = {}, {}, {}, {}, {}
        phase_runs, phase_medians = {}, {}
        for entry in document["benchmarks"]:
            run_name = entry.get("run_name") or entry.get("name", "")
            parsed = parse_name(run_name)
            if parsed is None:
                warn(f"{os.path.basename(path)}: ignoring row of unknown shape '{run_name}'")
                continue
            self._order.setdefault(parsed[1], len(self._order))
            if entry.get("error_occurred"):
                errors[parsed] = entry.get("error_message", "error")
                continue
            unit = _TO_NS.get(entry.get("time_unit", "ns"))
            if unit is None:
                warn(f"{run_name}: unknown time_unit {entry.get('time_unit')!r}")
                continue
            repetitions[parsed] = entry.get("repetitions", 1)
            if entry.get("run_type", "iteration") == "iteration":
                iterations.setdefault(parsed, []).append(entry["real_time"] * unit)
                cpu_times.setdefault(parsed, []).append(entry.get("cpu_time", math.nan) * unit)
                phase_runs.setdefault(parsed, []).append(phase_counters(entry))
            elif entry.get("aggregate_unit", "time") == "time":
                aggregates.setdefault(parsed, {})[entry.get("aggregate_name")] = (
                    entry["real_time"] * unit)
                if entry.get("aggregate_name") == "median":
                    phase_medians[parsed] = [phase_counters(entry)]
        for parsed in dict.fromkeys([*iterations, *aggregates, *errors]):
            kind, implementation, isa, n = parsed
            row = Row(source, kind, implementation, n, isa)
            if parsed in iterations:
                row.stats = _stats_from_iterations(iterations[parsed], cpu_times[parsed])
            elif parsed in aggregates:
                row.stats = _stats_from_aggregates(aggregates[parsed], repetitions[parsed])
            if row.stats is None:
                row.error = errors.get(parsed, "no timing in the file")
            if kind in (PHASES, GROUPED, GROUPED_MT, GROUPED_SHUFFLED):
                row.phases = _median_phases(phase_runs.get(parsed) or phase_medians.get(parsed, []))
            if self.get(kind, source, implementation, n, isa):
                warn(f"{os.path.basename(path)}: {implementation}/{n} already loaded from "
                     "another file; keeping the first")
                continue
            self.rows.append(row)

    # --- queries -----------------------------------------------------------------------------
    def select(self, kind=None, source=None, implementation=None, n=None, isa=None,
               with_errors=False):
        return [r for r in self.rows
                if (kind is None or r.kind == kind) and (source is None or r.source == source)
                and (implementation is None or r.implementation == implementation)
                and (n is None or r.n == n) and (isa is None or r.isa == isa)
                and (with_errors or r.error is None)]

    def get(self, kind, source, implementation, n, isa=None):
        rows = self.select(kind, source, implementation, n, isa)
        return rows[0] if rows else None

    def median(self, kind, source, implementation, n, isa=None):
        row = self.get(kind, source, implementation, n, isa)
        return row.stats.median if row else None

    def implementations(self, kind, source=None):
        names = {r.implementation for r in self.select(kind, source)}
        return sorted(names, key=lambda name: self._order[name])

    def sizes(self, kind=None, source=None, implementation=None):
        return sorted({r.n for r in self.select(kind, source, implementation)})

    def isas(self, source=None):
        names = {r.isa for r in self.select(ISA, source, with_errors=True)}
        return sorted(names, key=lambda isa: (ISA_ORDER.index(isa) if isa in ISA_ORDER
                                              else len(ISA_ORDER), isa))

    def errors(self):
        return [r for r in self.rows if r.error is not None]

    @property
    def cpp_sources(self):
        """C++ result files, gcc first (the study's main compiler), then the others by name."""
        sources = [s for s in self.contexts if not is_python_source(s)]
        return sorted(sources, key=lambda s: (s != "gcc", s))

    @property
    def primary_cpp(self):
        return self.cpp_sources[0] if self.cpp_sources else None

    @property
    def python_source(self):
        sources = [s for s in self.contexts if is_python_source(s)]
        return sources[0] if sources else None

    # --- machine -----------------------------------------------------------------------------
    def context_value(self, key):
        """The first value of key among the contexts, C++ files first."""
        for source in [*self.cpp_sources, self.python_source]:
            if source and self.contexts[source].get(key) not in (None, "", []):
                return self.contexts[source][key]
        return None

    def cpu_model(self):
        # Only what the result files recorded: the machine rendering them may not be the one
        # that measured (study.py and the C++ bench both record cpu_model).
        return self.context_value("cpu_model") or "unknown CPU"

    def num_cpus(self):
        return self.context_value("num_cpus")

    def caches(self):
        """Data/unified cache levels as [(label, bytes)], from the JSON, else from this host."""
        caches = self.context_value("caches") or read_host_caches()
        levels = []
        for cache in caches:
            if cache.get("type") == "Instruction":
                continue
            label = f"L{cache['level']}" + ("d" if cache.get("type") == "Data" else "")
            levels.append((label, int(cache["size"])))
        return sorted(set(levels), key=lambda level: level[1])

    def subtitle(self):
        cores = self.num_cpus()
        cores = f", {cores} cores" if cores else ""
        return f"{self.cpu_model()}{cores} (results/{self.machine})"

    def label(self, implementation, source=None):
        """Display name: Python experiments as named, C++ kernels with their compiler."""
        if source is None or is_python_source(source):
            return implementation
        return f"{implementation} (C++ {source})"

    def colour(self, implementation):
        return self.colours.get(implementation, "grey")


def _colour_map(names):
    """The same colour for an implementation in every chart, derived from the names alone.

    Python experiments (py_*) take warm colours and C++ kernels cool ones, so the two families
    read apart at a glance; within a family, names in sorted order take the palette in order,
    which keeps the first colours (the most distinct) for the usual handful of names.
    """
    # As many warm colours as the study has Python rows (experiments, the module, the grouped
    # loops, extras): a palette that wraps gives two rows one colour.
    warm = ["#d62728", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22", "#f5b400", "#ff9896",
            "#843c39", "#e7969c", "#9c6b00", "#d6616b", "#7b4173"]
    cool = ["#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#7f7f7f", "#393b79", "#98df8a",
            "#aec7e8", "#c5b0d5", "#637939", "#0b7a75", "#6b6ecf"]
    colours = {}
    families = {"warm": [n for n in names if n.startswith("py_")],
                "cool": [n for n in names if not n.startswith("py_") and n != MEMORY_FLOOR]}
    for family, palette in (("warm", warm), ("cool", cool)):
        for index, name in enumerate(families[family]):
            colours[name] = palette[index % len(palette)]
    colours[MEMORY_FLOOR] = "black"
    return colours


def read_host_caches():
    """cpu0's caches from /sys in Google Benchmark's context shape (for files without them)."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    caches = []
    try:
        entries = sorted(e for e in os.listdir(base) if e.startswith("index"))
    except OSError:
        return caches
    for entry in entries:
        try:
            def read(field_name):
                with open(os.path.join(base, entry, field_name), encoding="utf-8") as handle:
                    return handle.read().strip()
            size = read("size")
            scale = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(size[-1], 1)
            caches.append({"type": read("type"), "level": int(read("level")),
                           "size": int(size.rstrip("KMG")) * scale})
        except (OSError, ValueError):
            continue
    return caches


def study_series(results):
    """What the study's charts compare: [(source, implementation)] and the study sizes present.

    The Python experiments first, then the C++ kernels of the main compiler, each in file order.
    """
    series = []
    if results.python_source:
        series += [(results.python_source, name)
                   for name in results.implementations(MAIN, results.python_source)]
    if results.primary_cpp:
        series += [(results.primary_cpp, name)
                   for name in results.implementations(MAIN, results.primary_cpp)]
    sizes = [n for n in STUDY_SIZES if any(results.get(MAIN, s, name, n) for s, name in series)]
    return series, sizes


def markdown_table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(v) for v in line) + " |" for line in lines]
    return "\n".join(out)


def thread_scaling(results, source):
    """[(kernel, n, [(threads, median ns, speed-up over one thread)])] of the THREADS rows."""
    out = []
    for kernel in results.implementations(THREADS, source):
        for n in results.sizes(THREADS, source, kernel):
            rows = sorted(results.select(THREADS, source, kernel, n), key=lambda r: int(r.isa))
            one = next((r for r in rows if r.isa == "1"), None)
            if one:
                out.append((kernel, n, [(int(r.isa), r.stats.median,
                                         one.stats.median / r.stats.median) for r in rows]))
    return out


def format_scaling(points):
    """'1: 160 ms, 2: 94 ms (1.70x)' for thread_scaling's points."""
    return ", ".join(f"{threads}: {format_time(median)}"
                     + (f" ({speedup:.2f}x)" if threads != 1 else "")
                     for threads, median, speedup in points)


# --- units -------------------------------------------------------------------------------------

def format_time(ns, digits=3):
    """'12.3 ms': the largest unit that keeps the number at least 1."""
    if ns is None or not math.isfinite(ns):
        return "n/a"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{float(f'{ns / scale:.{digits}g}'):g} {unit}"
    return f"{float(f'{ns:.{digits}g}'):g} ns"


def format_size(n):
    """10000 -> '10k', 1000000 -> '1M'."""
    for suffix, scale in (("M", 1_000_000), ("k", 1_000)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{suffix}"
    return str(n)


def format_bytes(size):
    for suffix, scale in (("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {suffix}"
    return f"{size} B"


def format_ratio(ratio):
    """'3.4x', '1.2kx', '88Mx': short enough for a bar label."""
    if ratio is None or not math.isfinite(ratio):
        return "n/a"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if ratio >= scale:
            return f"{ratio / scale:.3g}{suffix}x"
    return f"{ratio:.3g}x"


def format_number(value):
    """Three significant digits without exponent: 0.123, 12.3, 4,910, 50,200."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def format_factor(ratio):
    """A ratio for prose: '1.07x', '12.3x', '1,280x'."""
    if ratio is None or not math.isfinite(ratio):
        return "n/a"
    return f"{format_number(ratio)}x"
