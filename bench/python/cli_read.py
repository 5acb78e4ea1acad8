"""The command-line tool on CSV files as users write them, against pandas.read_csv.

Generates the files first (not timed): N `label,score` rows, and N `group,label,score` rows in
groups of 100, once with each group's rows together and once with the same rows shuffled. Then,
in rounds that alternate the cases, runs each as its own process:

  cli/label_score        `aucrecall FILE`: read, parse and compute the metric (the whole command)
  pandas/label_score     `pandas.read_csv(FILE, dtype={label: int64, score: float64})` alone
                         (timed inside the process, after imports: the metric is not computed)
  cli/groups_grouped     `aucrecall --groups FILE`, each group's rows together
  cli/groups_interleaved `aucrecall --groups FILE`, the same rows in random order

and reports for each the median wall time over the rounds and the peak resident memory of the
process (its rusage, from wait4). The goals are checked on the medians of this one run.

  /usr/bin/python3 bench/python/cli_read.py                      10M rows, 5 rounds
  /usr/bin/python3 bench/python/cli_read.py --rows 100000000     also the 100M-row file
  options: --cli PATH (default build/release/aucrecall), --rounds R, --dir DIR (files kept
  there; default a temporary folder, removed), --out FILE.json
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GROUP_SIZE = 100
BASE_ROWS = 10_000_000
SEED = 20221

# The goals, as ratios or limits on this run's medians.
GOAL_PANDAS_OVER_CLI = 5.0           # pandas.read_csv time / aucrecall time, 10M label,score rows
GOAL_PEAK_BYTES_10M = 170 * 10 ** 6  # aucrecall's peak memory on those rows
GOAL_SECONDS_100M = 3.0              # aucrecall on 100M label,score rows
GOAL_INTERLEAVED_OVER_GROUPED = 1.5  # interleaved / grouped rows, in time and in memory

PANDAS_READ = """
import sys, time
import numpy as np, pandas as pd
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype={"label": np.int64, "score": np.float64})
elapsed = time.perf_counter() - start
assert len(frame) == int(sys.argv[2]), len(frame)
print(elapsed)
"""


def log(message):
    print(f"cli_read: {message}", file=sys.stderr, flush=True)


def write_rows(path, rows, grouped, contiguous, seed):
    """Writes the file in blocks of 10^6 rows; scores printed as Python writes floats (repr)."""
    rng = np.random.default_rng(seed)
    labels_all = rng.integers(0, 2, rows, dtype=np.int8)
    scores_all = rng.random(rows)
    # Drawn after the rows, so both group files hold the same rows (only their order differs).
    order = rng.permutation(rows) if grouped and not contiguous else None
    with open(path, "w", encoding="ascii") as out:
        out.write("group,label,score\n" if grouped else "label,score\n")
        block = 1_000_000
        for start in range(0, rows, block):
            index = np.arange(start, min(rows, start + block))
            if order is not None:
                index = order[index]
            labels = labels_all[index].tolist()
            scores = scores_all[index].tolist()
            if grouped:
                groups = (index // GROUP_SIZE).tolist()
                out.write("".join(f"q{g},{y},{s!r}\n" for g, y, s in zip(groups, labels, scores)))
            else:
                out.write("".join(f"{y},{s!r}\n" for y, s in zip(labels, scores)))


def run_measured(command):
    """(wall seconds, peak resident bytes, stdout): the child reaped with wait4 for its rusage."""
    start = time.perf_counter()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(write_end, 1)
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        for chunk in iter(lambda: pipe.read(65536), b""):
            chunks.append(chunk)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"cli_read: {' '.join(command)} exited with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss * 1024, b"".join(chunks).decode()


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or None
    except OSError:
        commit = None
    import pandas
    return {"cpu": model, "logical_cpus": os.cpu_count(), "os": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "pandas": pandas.__version__,
            "git": commit, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "release", "aucrecall"))
    parser.add_argument("--rows", type=int, default=BASE_ROWS,
                        help="also time a label,score file of this many rows (beyond 10M)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--out", default=None)
    arguments = parser.parse_args(argv)
    if arguments.rounds < 1 or arguments.rows < 1:
        parser.error("--rounds and --rows must be positive")
    if not os.access(arguments.cli, os.X_OK):
        raise SystemExit(f"cli_read: no executable {arguments.cli}; build the release preset first")

    directory = arguments.dir or tempfile.mkdtemp(prefix="aucrecall-cli-read-")
    os.makedirs(directory, exist_ok=True)
    files = {"label_score": (BASE_ROWS, False, True), "groups_grouped": (BASE_ROWS, True, True),
             "groups_interleaved": (BASE_ROWS, True, False)}
    if arguments.rows != BASE_ROWS:
        files[f"label_score_{arguments.rows}"] = (arguments.rows, False, True)
    paths = {}
    for name, (rows, grouped, contiguous) in files.items():
        path = os.path.join(directory, f"{name}.csv")
        if not os.path.exists(path):
            log(f"writing {path} ({rows} rows)")
            write_rows(path, rows, grouped, contiguous, SEED)
        paths[name] = path

    cases = {"cli/label_score": [arguments.cli, paths["label_score"]],
             "pandas/label_score": [sys.executable, "-c", PANDAS_READ, paths["label_score"], str(BASE_ROWS)],
             "cli/groups_grouped": [arguments.cli, "--groups", paths["groups_grouped"]],
             "cli/groups_interleaved": [arguments.cli, "--groups", paths["groups_interleaved"]]}
    if arguments.rows != BASE_ROWS:
        cases[f"cli/label_score_{arguments.rows}"] = [arguments.cli, paths[f"label_score_{arguments.rows}"]]

    # One untimed pass: the files come into the page cache, and each output is kept for the check
    # that grouped and interleaved rows give the same mean.
    outputs = {name: run_measured(command)[2] for name, command in cases.items()}
    if outputs["cli/groups_grouped"] != outputs["cli/groups_interleaved"]:
        raise SystemExit("cli_read: grouped and interleaved rows gave different means: "
                         f"{outputs['cli/groups_grouped']!r} vs {outputs['cli/groups_interleaved']!r}")
    samples = {name: [] for name in cases}
    peaks = {name: [] for name in cases}
    for round_index in range(arguments.rounds):
        for name, command in cases.items():
            elapsed, peak, out = run_measured(command)
            if name.startswith("pandas/"):
                elapsed = float(out.strip())  # read_csv alone, imports excluded
            samples[name].append(elapsed)
            peaks[name].append(peak)
        log(f"round {round_index + 1}/{arguments.rounds} done")

    rows = []
    for name in cases:
        size = os.path.getsize(paths[name.split("/", 1)[1]])
        rows.append({"name": name, "file_bytes": size, "seconds": samples[name],
                     "median_seconds": statistics.median(samples[name]),
                     "peak_bytes": max(peaks[name]), "output": outputs[name].strip()})
    by_name = {row["name"]: row for row in rows}
    cli, pandas_row = by_name["cli/label_score"], by_name["pandas/label_score"]
    grouped, interleaved = by_name["cli/groups_grouped"], by_name["cli/groups_interleaved"]
    speed = pandas_row["median_seconds"] / cli["median_seconds"]
    time_ratio = interleaved["median_seconds"] / grouped["median_seconds"]
    memory_ratio = interleaved["peak_bytes"] / grouped["peak_bytes"]
    goals = [
        {"goal": f"pandas.read_csv / aucrecall on {BASE_ROWS:,} rows >= {GOAL_PANDAS_OVER_CLI:g}x",
         "value": speed, "met": speed >= GOAL_PANDAS_OVER_CLI},
        {"goal": f"aucrecall peak memory on {BASE_ROWS:,} rows <= {GOAL_PEAK_BYTES_10M / 1e6:g} MB",
         "value": cli["peak_bytes"] / 1e6, "met": cli["peak_bytes"] <= GOAL_PEAK_BYTES_10M},
        {"goal": f"interleaved / grouped group rows, time <= {GOAL_INTERLEAVED_OVER_GROUPED:g}x",
         "value": time_ratio, "met": time_ratio <= GOAL_INTERLEAVED_OVER_GROUPED},
        {"goal": f"interleaved / grouped group rows, peak memory <= {GOAL_INTERLEAVED_OVER_GROUPED:g}x",
         "value": memory_ratio, "met": memory_ratio <= GOAL_INTERLEAVED_OVER_GROUPED},
    ]
    big = by_name.get(f"cli/label_score_{arguments.rows}")
    if big and arguments.rows == 100_000_000:
        goals.append({"goal": f"aucrecall on 100,000,000 rows <= {GOAL_SECONDS_100M:g} s",
                      "value": big["median_seconds"], "met": big["median_seconds"] <= GOAL_SECONDS_100M})
    result = {"machine": machine(), "cli": os.path.abspath(arguments.cli), "rounds": arguments.rounds,
              "rows": rows, "goals": goals}

    print("| case | file | median | peak memory |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| `{row['name']}` | {row['file_bytes'] / 1e6:.0f} MB | {row['median_seconds']:.3g} s "
              f"| {row['peak_bytes'] / 1e6:.0f} MB |")
    print()
    for goal in goals:
        print(f"- {goal['goal']}: {goal['value']:.3g} ({'met' if goal['met'] else 'not met'})")
    if arguments.out:
        os.makedirs(os.path.dirname(os.path.abspath(arguments.out)), exist_ok=True)
        with open(arguments.out, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=1)
        log(f"wrote {arguments.out}")
    if arguments.dir is None:
        for path in paths.values():
            os.remove(path)
        os.rmdir(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
