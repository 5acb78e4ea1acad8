#!/usr/bin/python3
"""The four Python experiments of the 2022 study, re-implemented and timed.

Each experiment computes AUC-Recall@k as defined in SPEC.md (full-length curves, k = 1..n) with
the article's operations and input types (docs/study.md, "Fidelity to the article"):
  py_baseline  pandas sort, then recount the positives of the first k rows for every k (O(n^2))
  py_numpy_df  pandas sort, then cumulative sums in NumPy (labels passed as a list)
  py_numpy     NumPy only: argsort, gather, cumulative sums
  py_numba     py_numpy compiled with Numba (nopython mode)
The grouped experiment (per-query evaluation, the project's extension; --grouped GxS):
  grouped/py_numba_groups         experiment 4's compiled function in a Numba loop over G groups
  grouped/py_numba_groups_prange  the same loop with numba.prange (all cores)
  grouped/py_aucrecall_groups     the module's auc_recall_grouped on the same arrays
  grouped/py_aucrecall_groups_str          the same with the keys as str ('q<key>', one str
                                           object per item, as pandas.read_csv gives them)
  grouped/py_aucrecall_groups_categorical  the same with the keys as a pandas Categorical
Beside them, labelled and never in their place:
  extra/py_numpy_df_ndarray  experiment 2 fed arrays instead of the article's list
  datagen/list, datagen/array  the data generation the article's timed expressions included

Differences from the article's timing method, on purpose:
  * the random data (and the list conversion experiments 1-2 take) are made before timing, and
    all experiments of one size get the same data; the article generated them inside the timed
    expression (the datagen rows time that part alone);
  * every experiment is checked against a fresh NumPy stable-argsort definition before it is
    timed, and Numba compiles before timing.
Runs unchanged on NumPy 1.x (np.trapz) and NumPy 2.x (np.trapezoid, np.trapz removed).

Output: Google Benchmark shaped JSON (context + iteration rows + median/mean/stddev/cv/min/max
aggregate rows), so the charts read the C++ and Python results through one code path.

Run with Debian's interpreter: /usr/bin/python3 bench/python/study.py --out python.json
"""

import argparse
import datetime
import json
import math
import os
import platform
import socket
import statistics
import sys
import time
import timeit
import types

import numpy as np

try:
    import pandas as pd
except ImportError as _pandas_error:  # experiments 1 and 2 (and the extra row) need it
    pd = None
    PANDAS_MISSING = f"pandas import failed: {_pandas_error}"
else:
    PANDAS_MISSING = None

# Same number as the C++ generator's data::default_seed, so both sides print one seed (the two
# generators differ, so the arrays themselves are not the same).
DEFAULT_SEED = 20220607
STUDY_SIZES = (5, 100, 10_000, 100_000)
# The study's n = 5 case is a fixed example, not random data; its SPEC value is exactly 0.8.
EXAMPLE_LABELS = np.array([1, 0, 1, 1, 0], dtype=np.int64)
EXAMPLE_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5], dtype=np.float64)
EXAMPLE_VALUE = 0.8
# Curve-based implementations must match the definition within SPEC.md's tolerance.
RELATIVE_TOLERANCE = 1e-9


def format_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def log(message):
    print(f"study: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The experiments, operation for operation as the article's notebook runs them (see the fidelity
# table in docs/study.md). Each takes (y_true, y_conf) in the types the article passed
# (article_arguments below). Their code is deliberately as inefficient as the article's: the
# study times those operations, so none of them may be tidied away.

# np.trapezoid where it exists (NumPy >= 2.0 renamed np.trapz, deprecated the old name and
# later removed it), else np.trapz: the same unit-spacing trapezoid rule either way.
AREA_NAME = "trapezoid" if hasattr(np, "trapezoid") else "trapz"
area = getattr(np, AREA_NAME)


def _sorted_frame(y_true, y_conf):
    """The article's DataFrame step: an empty frame, two column assignments, a (no-op) rename of
    the columns, then pandas' default sort by confidence, highest first."""
    frame = pd.DataFrame()
    frame["conf"] = y_conf
    frame["expected"] = y_true
    frame.columns = ["conf", "expected"]
    return frame.sort_values("conf", ascending=False)


def py_baseline(y_true, y_conf):
    """Experiment 1, slow on purpose. y_true: a list (the article calls list.count on it).

    Sorts a DataFrame by confidence, then for every k slices the first k rows, converts the
    label column to a list and counts its ones, dividing by the ones of the whole column,
    itself converted and counted again on every k: O(n^2) object work.
    """
    if y_true.count(1) == 0:
        return np.nan
    frame = _sorted_frame(y_true, y_conf)
    recall_at_k = []
    for row in range(len(frame)):
        found = frame.iloc[:row + 1, :]["expected"].to_list().count(1)
        recall_at_k.append(found / frame["expected"].to_list().count(1))
    ideal_at_k = np.minimum(
        np.ones(len(frame)),
        np.array(list(range(1, len(frame["expected"]) + 1))) / frame["expected"].to_list().count(1))
    return area(recall_at_k) / area(ideal_at_k)


def py_numpy_df(y_true, y_conf):
    """Experiment 2: the same DataFrame sort, then cumulative sums in NumPy.

    y_true must be a list, as in the article: its first line is list.count, so an ndarray raises
    AttributeError exactly as the article's function does (see extra_py_numpy_df_ndarray).
    """
    if y_true.count(1) == 0:
        return np.nan
    return _curves_area_ratio(_sorted_frame(y_true, y_conf)["expected"].to_numpy())


def _curves_area_ratio(ranking):
    """The tail experiments 2 and 3 share in the article: the hit mask is rebuilt for the
    cumulative sum, for its total and again for the ideal curve's divisor."""
    recall_at_k = (ranking == 1).cumsum() / (ranking == 1).sum()
    ideal_at_k = np.minimum(
        np.ones(len(ranking)),
        np.array(list(range(1, len(ranking) + 1))) / (ranking == 1).sum())
    return area(recall_at_k) / area(ideal_at_k)


def py_numpy(y_true, y_conf):
    """Experiment 3: no DataFrame; the reversed ascending argsort is the ranking.

    The article writes its tail out again here rather than calling a helper, and experiment 4
    compiles this function under Numba, so the tail is inline (Numba compiles one body).
    """
    if (y_true == 1).sum() == 0:
        return np.nan
    ranking = y_true[np.argsort(y_conf)[::-1]]
    recall_at_k = (ranking == 1).cumsum() / (ranking == 1).sum()
    ideal_at_k = np.minimum(
        np.ones(len(ranking)),
        np.array(list(range(1, len(ranking) + 1))) / (ranking == 1).sum())
    return area(recall_at_k) / area(ideal_at_k)


def extra_py_numpy_df_ndarray(y_true, y_conf):
    """Not one of the article's experiments: experiment 2 fed NumPy arrays.

    Only the positive-count check changes (list.count does not exist on an ndarray); the
    DataFrame is then built from an array instead of a list of np.int64 objects, which is most of
    experiment 2's cost. Kept as a labelled extra row to show that cost, never in its place.
    """
    if (y_true == 1).sum() == 0:
        return np.nan
    return _curves_area_ratio(_sorted_frame(y_true, y_conf)["expected"].to_numpy())


def _with_area(function, area_function):
    """A copy of function whose global `area` is area_function (Numba resolves globals when it
    compiles, so this picks the trapezoid that this Numba can compile)."""
    scope = dict(function.__globals__, area=area_function)
    return types.FunctionType(function.__code__, scope, function.__name__,
                              function.__defaults__, function.__closure__)


def _unit_trapezoid(y):
    """np.trapz(y) for unit spacing, term for term ((y[i] + y[i+1]) / 2 summed by NumPy's sum):
    the last resort for a Numba that compiles neither np.trapezoid nor np.trapz."""
    return (1.0 * (y[1:] + y[:-1]) / 2.0).sum()


def make_py_numba():
    """Experiment 4: py_numpy under Numba. Returns (function, status): status names the
    trapezoid function it compiled with, or says why the experiment is absent (function None)."""
    try:
        import numba
    except Exception as error:  # ImportError, or a broken llvmlite raising something else
        return None, f"numba import failed: {type(error).__name__}: {error}"
    candidates = [(f"np.{AREA_NAME}", area)]
    if AREA_NAME != "trapz" and hasattr(np, "trapz"):
        candidates.append(("np.trapz", np.trapz))
    candidates.append(("a unit-spacing trapezoid (np.trapz's formula) compiled by Numba",
                       None))
    failures = []
    for label, area_function in candidates:
        try:
            if area_function is None:
                area_function = numba.njit(_unit_trapezoid)
            # njit: the article's @jit compiles this function in nopython mode too (it types);
            # njit only rules out numba 0.56's silent object-mode fallback, which would time
            # the interpreter instead of compiled code.
            compiled = numba.njit(_with_area(py_numpy, area_function))
            # Compiles now (seconds), for the study's types, so a typing error is reported
            # instead of ending the run, and no compilation can reach the timing.
            compiled(EXAMPLE_LABELS, EXAMPLE_SCORES)
            return compiled, f"ok: compiled with {label}"
        except Exception as error:
            failures.append(f"{label}: {type(error).__name__}: {str(error).splitlines()[0]}")
    return None, "numba could not compile py_numpy: " + "; ".join(failures)


def reference(labels, scores):
    """SPEC.md's definition with NumPy's stable descending order, written independently."""
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order].astype(np.float64)
    positives = ranked.sum()
    n = ranked.size
    if positives == 0 or n < 2:
        return math.nan
    recall = np.cumsum(ranked) / positives
    ideal = np.minimum(np.arange(1, n + 1, dtype=np.float64) / positives, 1.0)

    def area(curve):
        return curve[1:-1].sum() + (curve[0] + curve[-1]) / 2.0

    return area(recall) / area(ideal)


# --------------------------------------------------------------------------------------------
# Data and checks

def study_data(n, seed):
    """The study's inputs for size n: the fixed example for 5, else randint/rand like the study."""
    if n == EXAMPLE_LABELS.size:
        return EXAMPLE_LABELS.copy(), EXAMPLE_SCORES.copy()
    rng = np.random.RandomState(seed + n)  # one stream per size: results do not depend on --sizes
    labels = rng.randint(0, 2, n).astype(np.int64)
    scores = rng.rand(n)
    return labels, scores


# Experiments whose labels the article passed as a Python list (their code calls list.count).
LIST_LABEL_EXPERIMENTS = ("py_baseline", "py_numpy_df")


def article_arguments(name, labels, scores, example=False):
    """(y_true, y_conf) in the types the article passed to experiment `name`.

    Random data (n >= 100): experiments 1-2 got `list(np.random.randint(0, 2, n))`, a list of
    np.int64 objects, and the score array; experiments 3-4 got both arrays. The 5-item example
    was typed as literals: experiments 1-2 got two lists of Python numbers, experiment 3 an
    int array and a list of floats, experiment 4 two arrays. Converting here, before timing, is
    the study's one change to the article's method (it converted inside the timed expression).
    """
    if example:
        if name in LIST_LABEL_EXPERIMENTS:
            return labels.tolist(), scores.tolist()
        if name == "py_numpy":
            return labels.copy(), scores.tolist()
        return labels.copy(), scores.copy()
    if name in LIST_LABEL_EXPERIMENTS:
        return list(labels), scores
    return labels, scores


def article_datagen_list(n):
    """What the article's timed expression of experiments 1-2 also ran: the inputs' generation."""
    return list(np.random.randint(0, 2, n)), np.random.rand(n)


def article_datagen_array(n):
    """The same for experiments 3-4, which took arrays."""
    return np.random.randint(0, 2, n), np.random.rand(n)


def check(name, function, labels, scores, expected, what, example=False):
    got = function(*article_arguments(name, labels, scores, example))
    same = (math.isnan(got) and math.isnan(expected)) or (
        abs(got - expected) <= RELATIVE_TOLERANCE * abs(expected))
    if not same:
        raise SystemExit(f"study: {name} gives {got!r} on {what}, expected {expected!r}; "
                         "refusing to time a wrong implementation")


def verify(name, function, seed):
    """Fails loudly unless the experiment reproduces SPEC.md's values before any timing."""
    check(name, function, EXAMPLE_LABELS, EXAMPLE_SCORES, EXAMPLE_VALUE, "the 5-item example",
          example=True)
    if reference(EXAMPLE_LABELS, EXAMPLE_SCORES) != EXAMPLE_VALUE:
        raise SystemExit("study: the reference itself misses the 5-item example")
    rng = np.random.RandomState(seed)
    for n in (2, 7, 64, 1000, 3001):
        labels = rng.randint(0, 2, n).astype(np.int64)
        scores = rng.rand(n)
        # The article's rankings order tied scores arbitrarily; the check data must have none.
        assert np.unique(scores).size == n, "tied scores in check data"
        check(name, function, labels, scores, reference(labels, scores), f"random data n={n}")
    none = np.zeros(10, dtype=np.int64)
    check(name, function, none, rng.rand(10), math.nan, "no positive label")


# --------------------------------------------------------------------------------------------
# Timing

class RowTimer:
    """One row's timing: timeit autorange picks the loop count, then repetitions of that loop.

    Rows whose single call is slow get fewer repetitions (at least 1) so that one row stays near
    budget_seconds; a single call longer than the whole budget (py_baseline at 100k: minutes) is
    itself the only sample rather than being repeated.
    """

    def __init__(self, function, arguments, repetitions, budget_seconds):
        self.timer = timeit.Timer(lambda: function(*arguments))
        self.samples = []  # (wall ns per call, cpu ns per call), one per repetition
        first_wall, first_sample = self._measure(1)
        if first_wall >= budget_seconds:
            self.iterations, self.repetitions = 1, 1
            self.samples.append(first_sample)
            return
        self.iterations, calibration_seconds = self.timer.autorange()
        affordable = int(budget_seconds // max(calibration_seconds, 1e-9))
        self.repetitions = max(1, min(repetitions, affordable))

    def _measure(self, iterations):
        cpu_start = time.process_time()
        wall = self.timer.timeit(iterations)  # timeit switches the garbage collector off meanwhile
        cpu = time.process_time() - cpu_start
        return wall, (wall * 1e9 / iterations, cpu * 1e9 / iterations)

    def done(self):
        return len(self.samples) >= self.repetitions

    def run_once(self):
        self.samples.append(self._measure(self.iterations)[1])


def time_interleaved(timers):
    """Repetition r of every row, then repetition r + 1 of every row, and so on.

    The machine's load drifts (other processes, clock changes); interleaving spreads that drift
    over all rows of a size instead of loading it onto whichever row ran at the bad moment, so the
    ratios between experiments, which are the point of the study, stay fair.
    """
    while not all(timer.done() for timer in timers):
        for timer in timers:
            if not timer.done():
                timer.run_once()


def benchmark_rows(name, n, iterations, samples):
    """Rows in Google Benchmark's JSON shape: one per repetition, then the aggregates."""
    run_name = f"{name}/{n}"
    common = {"run_name": run_name, "repetitions": len(samples), "threads": 1,
              "iterations": iterations, "time_unit": "ns"}

    def row(real, cpu, **extra):
        return {"name": run_name, **common, **extra, "real_time": real, "cpu_time": cpu,
                "items_per_second": n * 1e9 / real if real > 0 else 0.0,
                "ns_per_item": real / n}

    rows = [row(real, cpu, run_type="iteration", repetition_index=index)
            for index, (real, cpu) in enumerate(samples)]
    walls = [real for real, _ in samples]
    cpus = [cpu for _, cpu in samples]
    aggregates = {"median": statistics.median, "mean": statistics.fmean, "min": min, "max": max}
    if len(samples) >= 2:
        aggregates["stddev"] = statistics.stdev
    for aggregate, reduce in aggregates.items():
        rows.append(row(reduce(walls), reduce(cpus), run_type="aggregate",
                        aggregate_name=aggregate, name=f"{run_name}_{aggregate}"))
    if len(samples) >= 2:
        # Google Benchmark reports cv as a fraction with aggregate_unit "percentage".
        cv = {"name": f"{run_name}_cv", **common, "run_type": "aggregate", "aggregate_name": "cv",
              "aggregate_unit": "percentage",
              "real_time": statistics.stdev(walls) / statistics.fmean(walls),
              "cpu_time": statistics.stdev(cpus) / statistics.fmean(cpus)}
        rows.append(cv)
    return rows


# --------------------------------------------------------------------------------------------
# Context

def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_caches():
    """Cache levels of cpu0 in Google Benchmark's context shape."""
    caches = []
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(e for e in os.listdir(base) if e.startswith("index"))
    except OSError:
        return caches
    for entry in entries:
        def read(field):
            with open(os.path.join(base, entry, field), encoding="utf-8") as handle:
                return handle.read().strip()
        try:
            size = read("size")
            multiplier = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(size[-1], 1)
            sharing = read("shared_cpu_list")
            caches.append({"type": read("type"), "level": int(read("level")),
                           "size": int(size.rstrip("KMG")) * multiplier,
                           "num_sharing": len(expand_cpu_list(sharing))})
        except (OSError, ValueError):
            continue
    return caches


def expand_cpu_list(text):
    cpus = []
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-")
            cpus.extend(range(int(first), int(last) + 1))
        elif part:
            cpus.append(int(part))
    return cpus


def context(arguments, numba_status):
    try:
        import numba
        numba_version = numba.__version__
    except Exception:
        numba_version = None
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": os.path.abspath(__file__),
        "library": "python study (bench/python/study.py)",
        "num_cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "caches": cpu_caches(),
        "load_avg": list(os.getloadavg()),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "numpy": np.__version__,
        "pandas": pd.__version__ if pd is not None else None,
        "numba": numba_version,
        "trapezoid": f"np.{AREA_NAME}",
        "numba_status": numba_status,
        "seed": arguments.seed,
        "sizes": arguments.sizes,
        "repetitions_requested": arguments.repetitions,
        "row_budget_seconds": arguments.row_budget,
        "method": ("data generated before timing (the article generated it inside the timed "
                   "expression), in the types the article passed (experiments 1-2: labels as a "
                   "list of np.int64; n = 5: the article's literal lists); each experiment "
                   "checked against a NumPy stable-argsort "
                   "definition first; timeit.autorange picks the loop count, then each repetition "
                   "times that loop with the garbage collector off; repetitions of the rows of one "
                   "size are interleaved so that load drift hits them alike; times are per call; "
                   "Numba compiled before timing; slow rows get fewer repetitions (field "
                   "repetitions)"),
        "timer": "time.perf_counter (real_time), time.process_time (cpu_time)",
    }


# --------------------------------------------------------------------------------------------

# Row families in the order they are timed: the article's four experiments, the labelled extra
# row, and the article's in-timing data generation measured on its own (datagen/...).
ARTICLE_EXPERIMENTS = ("py_baseline", "py_numpy_df", "py_numpy", "py_numba")
EXTRA_PREFIX = "extra/"
DATAGEN_PREFIX = "datagen/"
# After the article's four: the project's Python module on the same arrays ("call the library").
LIBRARY_EXPERIMENT = "py_aucrecall"
ALL_FAMILIES = (*ARTICLE_EXPERIMENTS, LIBRARY_EXPERIMENT, EXTRA_PREFIX + "py_numpy_df_ndarray",
                DATAGEN_PREFIX + "list", DATAGEN_PREFIX + "array")
NEEDS_PANDAS = ("py_baseline", "py_numpy_df", EXTRA_PREFIX + "py_numpy_df_ndarray")
# py_baseline is O(n^2): at 100k one call takes minutes.
BASELINE_DEFAULT_MAX_N = 10_000


def make_py_aucrecall():
    """The project's module (python/, built into build/<preset>/python): (function, status)."""
    try:
        import aucrecall
    except ImportError as error:
        return None, (f"module aucrecall not importable ({error}); build it with cmake --build "
                      "--preset release and put build/release/python on PYTHONPATH")
    return aucrecall.auc_recall, (f"ok: aucrecall {aucrecall.__version__} from "
                                  f"{aucrecall.__file__}, default kernel")


def library_kernels(sizes):
    """{n: the kernel py_aucrecall runs at n}, for comparing it with the same kernel in C++."""
    try:
        import aucrecall
    except ImportError:
        return {}
    return {str(n): aucrecall.default_kernel(n) for n in sizes}


def families(numba_function, numba_status, library_function=None, library_status=None):
    """family -> (function or None, why it cannot run here)."""
    table = {"py_baseline": (py_baseline, None), "py_numpy_df": (py_numpy_df, None),
             "py_numpy": (py_numpy, None), "py_numba": (numba_function, numba_status),
             LIBRARY_EXPERIMENT: (library_function, library_status),
             EXTRA_PREFIX + "py_numpy_df_ndarray": (extra_py_numpy_df_ndarray, None),
             DATAGEN_PREFIX + "list": (article_datagen_list, None),
             DATAGEN_PREFIX + "array": (article_datagen_array, None)}
    if PANDAS_MISSING:
        for name in NEEDS_PANDAS:
            table[name] = (None, PANDAS_MISSING)
    return table


# --------------------------------------------------------------------------------------------
# The grouped experiment: many ranked lists (queries) of equal size, rows of a group contiguous,
# the study's data types; the mean over groups of the per-group metric (undefined groups skipped).

GROUPED_PREFIX = "grouped/"
GROUPED_DEFAULT = "100000x100"


def grouped_data(groups, size, seed):
    rng = np.random.RandomState(seed + 7)
    n = groups * size
    labels = rng.randint(0, 2, n).astype(np.int64)
    scores = rng.rand(n)
    offsets = np.arange(groups + 1, dtype=np.int64) * size
    keys = np.repeat(np.arange(groups, dtype=np.int64), size)
    return labels, scores, offsets, keys


def grouped_reference(labels, scores, offsets):
    values = [reference(labels[a:b], scores[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
    defined = [v for v in values if not math.isnan(v)]
    return sum(defined) / len(defined) if defined else math.nan


def make_grouped(numba_function):
    """{row: (function(labels, scores, offsets, keys) -> mean, or None, why not)}."""
    table = {}
    if numba_function is None:
        table["py_numba_groups"] = table["py_numba_groups_prange"] = (None, "experiment 4 is absent")
    else:
        import numba

        def loop(labels, scores, offsets):
            total, counted = 0.0, 0
            for g in range(offsets.size - 1):
                value = numba_function(labels[offsets[g]:offsets[g + 1]], scores[offsets[g]:offsets[g + 1]])
                if not np.isnan(value):
                    total += value
                    counted += 1
            return total / counted if counted > 0 else np.nan

        def parallel_loop(labels, scores, offsets):
            values = np.empty(offsets.size - 1)
            for g in numba.prange(offsets.size - 1):
                values[g] = numba_function(labels[offsets[g]:offsets[g + 1]], scores[offsets[g]:offsets[g + 1]])
            total, counted = 0.0, 0
            for g in range(values.size):
                if not np.isnan(values[g]):
                    total += values[g]
                    counted += 1
            return total / counted if counted > 0 else np.nan

        for name, compile_it in (("py_numba_groups", lambda: numba.njit(loop)),
                                 ("py_numba_groups_prange", lambda: numba.njit(parallel=True)(parallel_loop))):
            try:
                compiled = compile_it()
                tiny = np.array([0, 2, 5], dtype=np.int64)
                compiled(EXAMPLE_LABELS, EXAMPLE_SCORES, tiny)  # compile now, not in the timing
                table[name] = (lambda labels, scores, offsets, keys, f=compiled: f(labels, scores, offsets), None)
            except Exception as error:
                table[name] = (None, f"numba could not compile: {type(error).__name__}: "
                                     f"{str(error).splitlines()[0]}")
    try:
        import aucrecall
        module = (lambda labels, scores, offsets, keys: aucrecall.auc_recall_grouped(labels, scores, groups=keys).mean,
                  None)
        table["py_aucrecall_groups"] = module
        table["py_aucrecall_groups_str"] = module
        try:
            import pandas  # noqa: F401 - only whether a Categorical can be made
            table["py_aucrecall_groups_categorical"] = module
        except ImportError as error:
            table["py_aucrecall_groups_categorical"] = (None, f"pandas not importable ({error})")
    except ImportError as error:
        for name in ("py_aucrecall_groups", "py_aucrecall_groups_str", "py_aucrecall_groups_categorical"):
            table[name] = (None, f"module aucrecall not importable ({error})")
    return table


def keys_as(row, keys):
    """The int64 group keys in the form a grouped row takes them (made before any timing)."""
    if row == "py_aucrecall_groups_str":
        # Through a fixed-width array, so that every item gets its own str object (no shared
        # object for the module to recognise by identity).
        return np.array(np.char.add("q", keys.astype("U")), dtype=object)
    if row == "py_aucrecall_groups_categorical":
        import pandas as pd
        return pd.Categorical.from_codes(keys, categories=[f"q{g}" for g in range(int(keys.max()) + 1)])
    return keys


def run_grouped(shape, arguments, rows, skipped, numba_function):
    groups, size = (int(v) for v in shape.split("x"))
    labels, scores, offsets, keys = grouped_data(groups, size, arguments.seed)
    n = labels.size
    expected = grouped_reference(labels, scores, offsets)
    timers = {}
    for name, (function, why) in make_grouped(numba_function).items():
        row = GROUPED_PREFIX + name
        if function is None:
            log(f"{row}: skipped: {why}")
            skipped[row] = why
            continue
        row_keys = keys_as(name, keys)
        got = function(labels, scores, offsets, row_keys)
        if not abs(got - expected) <= RELATIVE_TOLERANCE * abs(expected):
            raise SystemExit(f"study: {row} gives {got!r}, the reference mean {expected!r}")
        timers[row] = RowTimer(function, (labels, scores, offsets, row_keys), arguments.repetitions,
                               arguments.row_budget)
    time_interleaved(list(timers.values()))
    for row, timer in timers.items():
        new_rows = benchmark_rows(row, n, timer.iterations, timer.samples)
        for r in new_rows:
            r["groups"], r["group_size"] = groups, size
        rows.extend(new_rows)
        median = next(r for r in new_rows if r.get("aggregate_name") == "median")["real_time"]
        log(f"{row}/{n} ({groups} groups x {size}): median {format_ns(median)}")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="-", help="JSON output file ('-': stdout)")
    parser.add_argument("--sizes", type=lambda text: [int(v) for v in text.split(",")],
                        default=list(STUDY_SIZES),
                        help="comma-separated sizes (default 5,100,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 10")
    parser.add_argument("--repetitions", type=int, default=None, help="repetitions per row")
    parser.add_argument("--row-budget", type=float, default=60.0,
                        help="seconds one row may take; slower rows get fewer repetitions")
    parser.add_argument("--baseline-100k", action="store_true",
                        help="also time py_baseline at n >= 100000 (minutes per call)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--grouped", default=GROUPED_DEFAULT,
                        help="GROUPSxSIZE of the grouped experiment (default %(default)s; 'none' skips it)")
    parser.add_argument("--experiments", default=",".join(ALL_FAMILIES),
                        help="comma-separated subset of " + ", ".join(ALL_FAMILIES))
    arguments = parser.parse_args(argv)
    if arguments.repetitions is None:
        arguments.repetitions = 3 if arguments.quick else 10
    if arguments.repetitions < 1 or any(n < 1 for n in arguments.sizes):
        parser.error("--repetitions and --sizes must be positive")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    log(f"seed {arguments.seed}, sizes {arguments.sizes}, {arguments.repetitions} repetitions; "
        f"NumPy {np.__version__}, trapezoid rule np.{AREA_NAME}")

    numba_function, numba_status = make_py_numba()
    library_function, library_status = make_py_aucrecall()
    table = families(numba_function, numba_status if numba_function is None else None,
                     library_function, library_status if library_function is None else None)
    wanted = arguments.experiments.split(",")
    unknown = [name for name in wanted if name not in table]
    if unknown:
        raise SystemExit(f"study: unknown experiment(s) {unknown}; known: {list(table)}")
    skipped = {}
    for name in wanted:
        function, why = table[name]
        if function is None:
            log(f"{name} skipped: {why}")
            skipped[name] = why
        elif not name.startswith(DATAGEN_PREFIX):
            verify(name, function, arguments.seed)
            log(f"{name}: matches SPEC.md on the example and random data")

    rows = []
    for n in arguments.sizes:
        labels, scores = study_data(n, arguments.seed)
        example = n == EXAMPLE_LABELS.size
        expected = reference(labels, scores)
        size_started = time.perf_counter()
        timers = {}
        for name in wanted:
            function = table[name][0]
            if function is None:
                continue
            if name.startswith(DATAGEN_PREFIX):
                if example:
                    continue  # the article typed n = 5 as literals: nothing was generated
                timers[name] = RowTimer(function, (n,), arguments.repetitions,
                                        arguments.row_budget)
                continue
            if (name == "py_baseline" and n > BASELINE_DEFAULT_MAX_N
                    and not arguments.baseline_100k):
                skipped[f"{name}/{n}"] = "O(n^2): minutes per call; enable with --baseline-100k"
                log(f"{name}/{n}: skipped (enable with --baseline-100k)")
                continue
            if name != "py_baseline" or n <= BASELINE_DEFAULT_MAX_N:  # else one more slow call
                check(name, function, labels, scores, expected, f"the timed data n={n}", example)
            timers[name] = RowTimer(function, article_arguments(name, labels, scores, example),
                                    arguments.repetitions, arguments.row_budget)
        time_interleaved(list(timers.values()))
        for name, timer in timers.items():
            new_rows = benchmark_rows(name, n, timer.iterations, timer.samples)
            rows.extend(new_rows)
            median = next(r for r in new_rows if r.get("aggregate_name") == "median")["real_time"]
            log(f"{name}/{n}: median {format_ns(median)} over {len(timer.samples)} x "
                f"{timer.iterations} calls")
        log(f"n = {n}: {time.perf_counter() - size_started:.1f} s")

    if arguments.grouped != "none":
        grouped_started = time.perf_counter()
        run_grouped(arguments.grouped, arguments, rows, skipped, numba_function)
        log(f"grouped {arguments.grouped}: {time.perf_counter() - grouped_started:.1f} s")

    report = {"context": context(arguments, numba_status), "benchmarks": rows}
    report["context"]["py_aucrecall_status"] = library_status
    report["context"]["py_aucrecall_kernels"] = library_kernels(arguments.sizes)
    report["context"]["skipped"] = skipped
    report["context"]["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, indent=2) + "\n"
    if arguments.out == "-":
        sys.stdout.write(text)
    else:
        directory = os.path.dirname(os.path.abspath(arguments.out))
        os.makedirs(directory, exist_ok=True)
        with open(arguments.out, "w", encoding="utf-8") as out:
            out.write(text)
    log(f"done in {time.perf_counter() - started:.1f} s -> {arguments.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
