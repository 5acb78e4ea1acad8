"""Cross-check of the aucrecall CLI against NumPy, straight from SPEC.md's definition.

Usage: numpy_crosscheck.py PATH_TO_AUCRECALL [--seed N]

Generates random inputs (several sizes, with and without ties, the study's uniform data, special
values), computes the metric in NumPy twice (from the curves, as the 2022 study does, and from the
rank-sum identity) and requires the CLI, with every kernel it lists and both tie policies, to agree
within 1e-9 relative (NaN equals NaN). Exits non-zero on any disagreement.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

RELATIVE_TOLERANCE = 1e-9
# np.trapz was renamed np.trapezoid in NumPy 2.0 (the old name later removed).
trapezoid = getattr(np, "trapezoid", None) or np.trapz
# Kernels with a practical size limit are the quadratic study baselines: checked up to here.
LIMITED_KERNEL_MAX_N = 10000


def curve_metric(ranked, positives):
    """SPEC.md steps 2-4 for labels already in rank order (float, possibly tie-group means)."""
    n = len(ranked)
    recall = np.cumsum(ranked) / positives
    ideal = np.minimum(1.0, np.arange(1, n + 1) / positives)
    return trapezoid(recall) / trapezoid(ideal)


def tie_groups(sorted_scores):
    """Start index and size of each run of equal scores (-0.0 == 0.0) in rank order."""
    n = len(sorted_scores)
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return starts, np.diff(np.r_[starts, n])


def numpy_metric(labels, scores, ties):
    """The metric from the curves. `average` replaces each tied label by its tie group's mean:
    the curves are linear in the ranked labels, so this is the mean over all tie orders."""
    n, positives = len(labels), int(labels.sum())
    if positives == 0 or n < 2:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order].astype(np.float64)
    if ties == "average":
        starts, sizes = tie_groups(scores[order])
        ranked = np.repeat(np.add.reduceat(ranked, starts) / sizes, sizes)
    return float(curve_metric(ranked, positives))


def rank_sum_metric(labels, scores, ties):
    """The same metric from SPEC.md's rank-sum identity, to check numpy_metric itself."""
    n, positives = len(labels), int(labels.sum())
    if positives == 0 or n < 2:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order].astype(np.int64)
    if ties == "stable":
        rank_sum, top = float(np.flatnonzero(ranked).sum()), float(ranked[0])
    else:
        starts, sizes = tie_groups(scores[order])
        group_positives = np.add.reduceat(ranked, starts)
        rank_sum = float((group_positives * (starts + (sizes - 1) / 2)).sum())
        top = group_positives[0] / sizes[0]
    return (2 * n * positives - 2 * rank_sum - top - positives) / (2 * n * positives - positives**2 - 1)


def agree(a, b):
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b))


def make_datasets(rng):
    """(name, labels int64, scores float64, csv writer style)."""
    study_labels = np.array([1, 0, 1, 1, 0], dtype=np.int64)
    study_scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    yield "study example", study_labels, study_scores, "plain"
    for n in (0, 1, 2, 3, 5, 1000, 100000):
        half = rng.integers(0, 2, n)  # like the study: np.random.randint(0, 2, n)
        rare = (rng.random(n) < 0.01).astype(np.int64)
        uniform = rng.random(n)  # like the study: np.random.rand(n)
        tied = np.floor(rng.random(n) * max(2, n // 50)) / 8  # about 50 rows per tie group
        special = uniform.copy()
        if n:
            picks = rng.integers(0, n, max(1, n // 10))
            special[picks] = rng.choice([np.inf, -np.inf, 0.0, -0.0, 5e-324], len(picks))
        yield f"uniform n={n}", half, uniform, "plain"
        yield f"ties n={n}", half, tied, "header"
        yield f"ties rare positives n={n}", rare, tied, "plain"
        yield f"infinities, signed zeros, denormals n={n}", half, special, "savetxt default"
        yield f"no positive n={n}", np.zeros(n, dtype=np.int64), uniform, "plain"
        yield f"all positive, tied n={n}", np.ones(n, dtype=np.int64), tied, "plain"


def write_csv(path, labels, scores, style):
    data = np.column_stack([labels.astype(np.float64), scores]) if len(labels) else np.empty((0, 2))
    if style == "savetxt default":  # NumPy's own default format: %.18e for every column
        np.savetxt(path, data, delimiter=",")
    else:
        header = "label,score" if style == "header" else ""
        np.savetxt(path, data, fmt=["%d", "%.17g"], delimiter=",", header=header, comments="")


def sanitizer_env():
    # A sanitizer report exits 1 by default, the same code as bad input: make it unmistakable.
    env = dict(os.environ)
    env.pop("AUCRECALL_ARCH", None)
    for var, code in (("ASAN_OPTIONS", 86), ("UBSAN_OPTIONS", 87)):
        env[var] = ":".join(filter(None, [env.get(var, ""), f"exitcode={code}"]))
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--seed", type=int, default=20221101)
    args = parser.parse_args()
    print(f"numpy_crosscheck seed {args.seed} (numpy {np.__version__})")
    rng = np.random.default_rng(args.seed)
    env = sanitizer_env()

    described = subprocess.run([args.binary, "--describe-kernels"], capture_output=True, text=True,
                               env=env, check=True).stdout
    kernels = [line.split("\t") for line in described.splitlines()]
    if not kernels:
        sys.exit("the CLI lists no kernel")
    max_n = {row[0]: (None if row[1] == "any" else LIMITED_KERNEL_MAX_N) for row in kernels}

    failures, checks = [], 0
    worst = {name: 0.0 for name in max_n}
    with tempfile.TemporaryDirectory(prefix="aucrecall_numpy_") as tmp:
        path = os.path.join(tmp, "data.csv")
        for name, labels, scores, style in make_datasets(rng):
            write_csv(path, labels, scores, style)
            for ties in ("average", "stable"):
                expected = numpy_metric(labels, scores, ties)
                identity = rank_sum_metric(labels, scores, ties)
                if not agree(expected, identity):
                    failures.append(f"{name}, {ties}: NumPy curves {expected!r} but rank-sum "
                                    f"identity {identity!r} (the reference itself is wrong)")
                for kernel, limit in max_n.items():
                    if limit is not None and len(labels) > limit:
                        continue
                    run = subprocess.run([args.binary, "--kernel", kernel, "--ties", ties, path],
                                         capture_output=True, text=True, env=env, timeout=600)
                    checks += 1
                    where = f"{name}, {style} csv, --kernel {kernel} --ties {ties}"
                    if len(labels) == 0:  # the library's NaN for n = 0; the CLI calls it an error
                        if run.returncode != 1 or run.stderr != f"{path}: no data rows\n":
                            failures.append(f"{where}: expected 'no data rows', exit 1; got exit "
                                            f"{run.returncode}, stderr {run.stderr!r}")
                        continue
                    if run.returncode != 0 or run.stderr:
                        failures.append(f"{where}: exit {run.returncode}, stderr {run.stderr[:500]!r}")
                        continue
                    got = float(run.stdout)
                    if not agree(got, expected):
                        failures.append(f"{where}: CLI {got!r}, NumPy {expected!r}")
                    elif not np.isnan(got):
                        worst[kernel] = max(worst[kernel], abs(got - expected) / abs(expected))

    for kernel, diff in worst.items():
        print(f"  {kernel}: largest relative difference from NumPy {diff:.3g}")
    print(f"{checks} CLI runs compared, {len(failures)} failures")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
