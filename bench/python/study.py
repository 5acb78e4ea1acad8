#!/usr/bin/python3
"""The four Python experiments of the 2022 study, re-implemented and timed.

Each experiment computes AUC-Recall@k as defined in SPEC.md (full-length curves, k = 1..n):
  py_baseline  pandas sort, then recount the positives of the first k rows for every k (O(n^2))
  py_numpy_df  pandas sort, then cumulative sums in NumPy
  py_numpy     NumPy only: argsort, gather, cumulative sums
  py_numba     py_numpy compiled with Numba (nopython mode)

Differences from the article's timing method, on purpose:
  * the random data (and the list conversion the baseline wants) are made before timing; the
    article generated them inside the timed expression, so its times include the generator;
  * every experiment is checked against a fresh NumPy stable-argsort definition before it is
    timed, and Numba compiles before timing.

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

import numpy as np
import pandas as pd

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
# The experiments. Each takes (labels, scores) in the form its study version consumed.

def py_baseline(labels_list, scores):
    """Experiment 1, slow on purpose: every recall point recounts its prefix from scratch."""
    frame = pd.DataFrame({"label": labels_list, "score": scores})
    ranked_labels = frame.sort_values("score", ascending=False)["label"]
    positives = labels_list.count(1)
    if positives == 0:
        return math.nan
    n = len(labels_list)
    recall = []
    for k in range(1, n + 1):
        prefix = list(ranked_labels.iloc[:k])
        recall.append(prefix.count(1) / positives)
    ideal = np.minimum(np.arange(1, n + 1) / positives, 1.0)
    return np.trapz(recall) / np.trapz(ideal)


def py_numpy_df(labels, scores):
    """Experiment 2: the pandas sort stays, the per-k loop becomes a cumulative sum."""
    frame = pd.DataFrame({"label": labels, "score": scores})
    ranking = frame.sort_values("score", ascending=False)["label"].to_numpy()
    hits = ranking == 1
    positives = hits.sum()
    if positives == 0:
        return math.nan
    recall = hits.cumsum() / positives
    ideal = np.minimum(np.array(list(range(1, ranking.size + 1))) / positives, 1.0)
    return np.trapz(recall) / np.trapz(ideal)


def py_numpy(labels, scores):
    """Experiment 3: no DataFrame; argsort reversed gives the descending order."""
    ranking = labels[np.argsort(scores)[::-1]]
    hits = ranking == 1
    positives = hits.sum()
    if positives == 0:
        return np.nan
    recall = hits.cumsum() / positives
    ideal = np.minimum(np.array(list(range(1, ranking.size + 1))) / positives, 1.0)
    return np.trapz(recall) / np.trapz(ideal)


def make_py_numba():
    """Experiment 4: py_numpy under Numba. Returns (function, None) or (None, why it is absent)."""
    try:
        import numba
    except Exception as error:  # ImportError, or a broken llvmlite raising something else
        return None, f"numba import failed: {type(error).__name__}: {error}"
    try:
        # njit rather than plain jit: numba 0.56's jit silently falls back to object mode, which
        # would time the interpreter instead of compiled code.
        compiled = numba.njit(py_numpy)
        # Compiles now (seconds), for the study's types, so a typing error skips this experiment
        # with its reason instead of ending the run, and no compilation can reach the timing.
        compiled(EXAMPLE_LABELS, EXAMPLE_SCORES)
    except Exception as error:
        return None, f"numba could not compile py_numpy: {type(error).__name__}: {error}"
    return compiled, None


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


def arguments_for(name, labels, scores):
    # The baseline consumed a Python list of labels; converting here keeps it out of the timing.
    return (labels.tolist(), scores) if name == "py_baseline" else (labels, scores)


def check(name, function, labels, scores, expected, what):
    got = function(*arguments_for(name, labels, scores))
    same = (math.isnan(got) and math.isnan(expected)) or (
        abs(got - expected) <= RELATIVE_TOLERANCE * abs(expected))
    if not same:
        raise SystemExit(f"study: {name} gives {got!r} on {what}, expected {expected!r}; "
                         "refusing to time a wrong implementation")


def verify(name, function, seed):
    """Fails loudly unless the experiment reproduces SPEC.md's values before any timing."""
    check(name, function, EXAMPLE_LABELS, EXAMPLE_SCORES, EXAMPLE_VALUE, "the 5-item example")
    if reference(EXAMPLE_LABELS, EXAMPLE_SCORES) != EXAMPLE_VALUE:
        raise SystemExit("study: the reference itself misses the 5-item example")
    rng = np.random.RandomState(seed)
    for n in (2, 7, 64, 1000, 3001):
        labels = rng.randint(0, 2, n).astype(np.int64)
        scores = rng.rand(n)
        # argsort(...)[::-1] reverses the order of ties; the check data must have none.
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
        "pandas": pd.__version__,
        "numba": numba_version,
        "numba_status": numba_status,
        "seed": arguments.seed,
        "sizes": arguments.sizes,
        "repetitions_requested": arguments.repetitions,
        "row_budget_seconds": arguments.row_budget,
        "method": ("data generated before timing (the article generated it inside the timed "
                   "expression); each experiment checked against a NumPy stable-argsort "
                   "definition first; timeit.autorange picks the loop count, then each repetition "
                   "times that loop with the garbage collector off; repetitions of the rows of one "
                   "size are interleaved so that load drift hits them alike; times are per call; "
                   "Numba compiled before timing; slow rows get fewer repetitions (field "
                   "repetitions)"),
        "timer": "time.perf_counter (real_time), time.process_time (cpu_time)",
    }


# --------------------------------------------------------------------------------------------

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
    parser.add_argument("--experiments", default="py_baseline,py_numpy_df,py_numpy,py_numba",
                        help="comma-separated subset of the four experiments")
    arguments = parser.parse_args(argv)
    if arguments.repetitions is None:
        arguments.repetitions = 3 if arguments.quick else 10
    if arguments.repetitions < 1 or any(n < 1 for n in arguments.sizes):
        parser.error("--repetitions and --sizes must be positive")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    log(f"seed {arguments.seed}, sizes {arguments.sizes}, {arguments.repetitions} repetitions")

    numba_function, numba_status = make_py_numba()
    experiments = {"py_baseline": py_baseline, "py_numpy_df": py_numpy_df,
                   "py_numpy": py_numpy, "py_numba": numba_function}
    wanted = arguments.experiments.split(",")
    unknown = [name for name in wanted if name not in experiments]
    if unknown:
        raise SystemExit(f"study: unknown experiment(s) {unknown}; known: {list(experiments)}")
    if numba_status:
        log(f"py_numba skipped: {numba_status}")
    else:
        numba_status = "ok"
    skipped = {}

    for name in wanted:
        if experiments[name] is None:
            continue
        verify(name, experiments[name], arguments.seed)
        log(f"{name}: matches SPEC.md on the example and random data")

    rows = []
    for n in arguments.sizes:
        labels, scores = study_data(n, arguments.seed)
        expected = reference(labels, scores)
        size_started = time.perf_counter()
        timers = {}
        for name in wanted:
            function = experiments[name]
            if function is None:
                continue
            if name == "py_baseline" and n >= 100_000 and not arguments.baseline_100k:
                skipped[f"{name}/{n}"] = "O(n^2): minutes per call; enable with --baseline-100k"
                log(f"{name}/{n}: skipped (enable with --baseline-100k)")
                continue
            if name != "py_baseline" or n <= 10_000:  # one more O(n^2) call would take minutes
                check(name, function, labels, scores, expected, f"the timed data n={n}")
            timers[name] = RowTimer(function, arguments_for(name, labels, scores),
                                    arguments.repetitions, arguments.row_budget)
        time_interleaved(list(timers.values()))
        for name, timer in timers.items():
            new_rows = benchmark_rows(name, n, timer.iterations, timer.samples)
            rows.extend(new_rows)
            median = next(r for r in new_rows if r.get("aggregate_name") == "median")["real_time"]
            log(f"{name}/{n}: median {format_ns(median)} over {len(timer.samples)} x "
                f"{timer.iterations} calls")
        log(f"n = {n}: {time.perf_counter() - size_started:.1f} s")

    report = {"context": context(arguments, numba_status), "benchmarks": rows}
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
