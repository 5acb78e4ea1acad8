"""The study's Python experiments against the library, through the CLI, on untied data.

Usage: study_crosscheck.py PATH_TO_AUCRECALL

The four experiments of bench/python/study.py (in the article's input types) and the labelled
extra row must give the library's value on data without tied scores: the article's rankings
order ties arbitrarily, so untied data is where all of them define the same number. The library's
value is exact up to one rounding; the experiments sum curves in floating point, so they may
differ in the last digits only (max seen: about 4e-14 relative). Exits non-zero on disagreement.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "bench", "python"))
import study  # noqa: E402

# Far below SPEC.md's 1e-9 for curve kernels, far above the ~4e-14 the experiments reach.
RELATIVE_TOLERANCE = 1e-12
SIZES = (2, 3, 17, 100, 1000, 5000)
SEEDS = (1, 2, 3)
BASELINE_MAX_N = 1000  # py_baseline is O(n^2)


def library_value(cli, labels, scores, directory):
    path = os.path.join(directory, "input.csv")
    with open(path, "w", encoding="utf-8") as out:
        out.write("label,score\n")
        out.writelines(f"{label},{score!r}\n" for label, score in zip(labels, scores))
    done = subprocess.run([cli, path], capture_output=True, text=True, check=True)
    return float(done.stdout)


def main(argv):
    if len(argv) != 1:
        raise SystemExit(__doc__)
    cli = argv[0]
    numba_function, status = study.make_py_numba()
    library_function, library_status = study.make_py_aucrecall()
    print(f"study_crosscheck: py_aucrecall: {library_status}")
    table = {name: function for name, (function, _) in
             study.families(numba_function, status, library_function, library_status).items()
             if function is not None and not name.startswith(study.DATAGEN_PREFIX)}
    missing = [name for name in study.ARTICLE_EXPERIMENTS if name not in table]
    if missing:
        raise SystemExit(f"study_crosscheck: experiments missing here: {missing} ({status})")
    worst, checked, failures = 0.0, 0, []
    with tempfile.TemporaryDirectory(prefix="aucrecall-study-") as directory:
        for n in SIZES:
            for seed in SEEDS:
                rng = np.random.RandomState(seed * 1000 + n)
                labels = rng.randint(0, 2, n).astype(np.int64)
                labels[rng.randint(n)] = 1  # at least one positive: a defined value
                scores = rng.rand(n)
                assert np.unique(scores).size == n, "tied scores in untied test data"
                expected = library_value(cli, labels, scores, directory)
                for name, function in table.items():
                    if name == "py_baseline" and n > BASELINE_MAX_N:
                        continue
                    got = function(*study.article_arguments(name, labels, scores))
                    error = abs(got - expected) / abs(expected)
                    worst = max(worst, error)
                    checked += 1
                    if not error <= RELATIVE_TOLERANCE:
                        failures.append(f"{name} n={n} seed={seed}: {got!r} vs library "
                                        f"{expected!r} (relative error {error:.3g})")
    print(f"study_crosscheck: {checked} experiment results vs the library, worst relative "
          f"difference {worst:.3g} (tolerance {RELATIVE_TOLERANCE:g})")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
