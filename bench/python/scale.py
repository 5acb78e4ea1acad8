#!/usr/bin/python3
"""The study beyond one machine: aucrecall.dask on a distributed.LocalCluster of this machine's
cores, against the in-memory module and against what a Dask user writes today.

Data is generated per partition inside the workers from a seed (dask.array.random), kept in
worker memory (persist) before anything is timed, never built in one process except for the
in-memory row, which gathers the same arrays. Rows, each `dask/<what>/<n>` with n items:

  dask/first_pass/<n>     its first pass alone (checks, counts, histogram, the small class)
  dask/broadcast/<n>      aucrecall.dask.auc_recall, 1% positives (the small class broadcast)
  dask/shuffle/<n>        the same, balanced labels (task shuffle by score range)
  dask/grouped/<n>        aucrecall.dask.auc_recall_grouped, queries of 100 rows, interleaved
  dask/in_memory_<labels>/<n>  aucrecall.auc_recall on the gathered arrays (one process)
  dask/sort_values/<n>    the Dask program without this library: DataFrame.sort_values on the
                          score, a cumulative sum of the labels, SPEC's formula (average ties
                          not handled: the scores are untied)
  dask/bare_shuffle/<n>   Dask's task shuffle of the two columns by score range alone: the cost
                          the shuffle path cannot go below
  dask/grouped_in_memory/<n>  aucrecall.auc_recall_grouped on the gathered arrays

Every Dask result is checked against the in-memory value (bit for bit) before it is reported.
Output: Google Benchmark's JSON shape (one entry per repetition plus the median), counters
`peak_worker_bytes` (the largest worker memory distributed's system monitor sampled during the
row, every 500 ms, and at its end) and `transferred_bytes` (between workers, as distributed
counts them), and a context block with the machine, cluster and library versions.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000000,100000000", help="comma-separated n")
    p.add_argument("--quick", action="store_true", help="n = 200000, 1 repetition (the test suite)")
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--partition-rows", type=int, default=2_000_000)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    p.add_argument("--memory-limit", default="auto", help="per worker, as distributed takes it")
    p.add_argument("--rows", default="broadcast,shuffle,grouped,in_memory,sort_values,bare_shuffle",
                   help="which families to run")
    p.add_argument("--no-persist", action="store_true",
                   help="regenerate each partition from its seed in every pass instead of keeping the "
                        "data in worker memory (data sets larger than the workers' memory)")
    p.add_argument("--out", required=True, help="JSON file to write")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repetitions, args.partition_rows = "200000", 1, 50_000
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.rows = set(args.rows.split(","))
    return args


def mark_monitor(dask_worker):
    dask_worker._aucrecall_mark = dask_worker.monitor.count


def peak_memory_since_mark(dask_worker):
    """The largest memory sample distributed's monitor took since mark_monitor, and the current."""
    monitor = dask_worker.monitor
    taken = monitor.count - getattr(dask_worker, "_aucrecall_mark", monitor.count)
    samples = list(monitor.quantities["memory"])[-taken:] if taken > 0 else []
    return max([*samples, dask_worker.monitor.proc.memory_info().rss])


def transferred(client):
    return sum(client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total).values())


def main(argv):
    args = parse_args(argv)
    import dask
    import dask.array as da
    import dask.dataframe as dd
    import distributed
    import pandas as pd
    from dask.dataframe.shuffle import rearrange_by_column

    import aucrecall
    import aucrecall.dask as ad

    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                       memory_limit=args.memory_limit, dashboard_address=None,
                                       silence_logs=40)
    client = distributed.Client(cluster)
    entries = []

    def generate(n, positive_share, seed):
        # Both columns of a partition come from one generated block, so they are made, and stay,
        # on the same worker (as the columns of a DataFrame partition do).
        both = da.random.RandomState(seed).random_sample((n, 2), chunks=(args.partition_rows, 2))
        labels = (both[:, 0] < positive_share).astype(np.int64)
        scores = both[:, 1]
        return (labels, scores) if args.no_persist else dask.persist(labels, scores)

    def row(name, n, timed, expected=None):
        times, peaks, moved, value = [], [], [], None
        for _ in range(args.repetitions):
            client.run(mark_monitor)
            before = transferred(client)
            start = time.perf_counter()
            value = timed()
            times.append(time.perf_counter() - start)
            moved.append(transferred(client) - before)
            peaks.append(max(client.run(peak_memory_since_mark).values()))
            if expected is not None and not (value == expected or (isinstance(value, float) and
                                                                   math.isnan(value) and math.isnan(expected))):
                raise SystemExit(f"scale.py: {name}/{n} gave {value!r}, the in-memory module {expected!r}")
        for i, t in enumerate(times):
            entries.append({"name": f"{name}/{n}", "run_name": f"{name}/{n}", "run_type": "iteration",
                            "repetitions": len(times), "repetition_index": i, "iterations": 1,
                            "real_time": t * 1e9, "cpu_time": t * 1e9, "time_unit": "ns",
                            "peak_worker_bytes": peaks[i], "transferred_bytes": moved[i]})
        entries.append({"name": f"{name}/{n}_median", "run_name": f"{name}/{n}", "run_type": "aggregate",
                        "aggregate_name": "median", "repetitions": len(times), "iterations": 1,
                        "real_time": statistics.median(times) * 1e9, "cpu_time": statistics.median(times) * 1e9,
                        "time_unit": "ns", "peak_worker_bytes": max(peaks), "transferred_bytes": max(moved)})
        print(f"{name}/{n}: median {statistics.median(times):.3f} s, peak worker {max(peaks) / 2**20:.0f} MiB, "
              f"moved {max(moved) / 2**20:.0f} MiB", flush=True)
        return value

    for n in args.sizes:
        for kind, share, seed in (("broadcast", 0.01, 1), ("shuffle", 0.5, 2)):
            if not ({kind, "in_memory", "sort_values", "bare_shuffle"} & args.rows):
                continue
            client.restart()
            y, s = generate(n, share, seed)
            expected = None  # without the in-memory row (data larger than one process) nothing to compare
            if "in_memory" in args.rows:
                labels, scores = y.compute(), s.compute()
                expected = aucrecall.auc_recall(labels, scores)
                row(f"dask/in_memory_{kind}", n, lambda: aucrecall.auc_recall(labels, scores), expected)
                del labels, scores
            if kind in args.rows:
                if kind == "broadcast":  # the first pass alone, for the cost model's phases
                    row("dask/first_pass", n, lambda: ad._first_pass(list(y.to_delayed().ravel()),
                                                                     list(s.to_delayed().ravel()),
                                                                     ad.BROADCAST_MAX_ITEMS)["n"])
                row(f"dask/{kind}", n, lambda: ad.auc_recall(y, s, path=kind), expected)
            if kind == "shuffle" and "sort_values" in args.rows:
                def sort_values_program():
                    frame = dd.concat([y.to_dask_dataframe("label"), s.to_dask_dataframe("score")], axis=1)
                    ranked = frame.sort_values("score", ascending=False, shuffle="tasks")
                    found = ranked["label"].cumsum()
                    positives = frame["label"].sum()
                    # SPEC.md's trapezoids: sum of recall minus half its end points, over the ideal's
                    total, first, last, p = dask.compute(found.sum(), found.head(1, npartitions=-1).iloc[0],
                                                         found.tail(1).iloc[-1], positives)
                    recall = (total - (first + last) / 2) / p
                    ideal = (p + 1) / 2 + (n - p) - (1 / p + 1) / 2
                    return recall / ideal
                row("dask/sort_values", n, sort_values_program)
            if kind == "shuffle" and "bare_shuffle" in args.rows:
                def bare_shuffle():
                    frame = dd.concat([y.to_dask_dataframe("label"), s.to_dask_dataframe("score")], axis=1)
                    parts = max(1, n // args.partition_rows)
                    frame = frame.assign(_partitions=(frame["score"] * parts).astype("int64").clip(0, parts - 1))
                    moved = rearrange_by_column(frame, "_partitions", npartitions=parts, shuffle="tasks")
                    return sum(dask.compute(*[dask.delayed(len)(part) for part in moved.to_delayed()]))
                row("dask/bare_shuffle", n, bare_shuffle)
            del y, s
        if "grouped" in args.rows:
            client.restart()
            y, s = generate(n, 0.1, 3)
            queries = max(1, n // 100)
            g = dask.persist(da.random.RandomState(4).randint(0, queries, n, chunks=args.partition_rows))[0]
            labels, scores, groups = y.compute(), s.compute(), g.compute()
            expected = aucrecall.auc_recall_grouped(labels, scores, groups=groups)
            row("dask/grouped_in_memory", n, lambda: aucrecall.auc_recall_grouped(labels, scores, groups=groups).mean,
                expected.mean)
            del labels, scores, groups
            row("dask/grouped", n, lambda: ad.auc_recall_grouped(y, s, groups=g).mean, expected.mean)
            del y, s, g

    from study import cpu_model  # bench/python/study.py: the same machine fields as the study's rows
    context = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpu_model": cpu_model(),
        "host_name": platform.node(),
        "executable": "bench/python/scale.py",
        "num_cpus": os.cpu_count(),
        "workers": args.workers,
        "threads_per_worker": 1,
        "memory_limit": args.memory_limit,
        "partition_rows": args.partition_rows,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "dask_version": dask.__version__,
        "distributed_version": distributed.__version__,
        "aucrecall_version": aucrecall.__version__,
        "simd_isa": aucrecall.simd_isa(),
        "command": " ".join([sys.argv[0], *argv]),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"context": context, "benchmarks": entries}, f, indent=1)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main(sys.argv[1:])
