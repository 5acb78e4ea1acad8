#!/usr/bin/python3
"""Resident memory around one library call and after aucrecall.release_scratch() (issue 8's
scratch goal): python3 scripts/scratch_memory.py [N] (default 10 million items; needs the module
built by cmake --build --preset release, found in build/release/python or on PYTHONPATH)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "release", "python"))
import aucrecall  # noqa: E402


def resident_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv):
    n = int(argv[1]) if len(argv) > 1 else 10_000_000
    rng = np.random.default_rng(1)
    labels = (rng.random(n) < 0.5).astype(np.int64)
    scores = rng.random(n)
    before = resident_mib()
    metric = aucrecall.auc_recall(labels, scores)
    after_call = resident_mib()
    kept = aucrecall.scratch_bytes() / 2**20
    aucrecall.release_scratch()
    after_release = resident_mib()
    print(f"n = {n}, metric {metric:.6f}: resident +{after_call - before:.1f} MiB after the call "
          f"(scratch_bytes {kept:.1f} MiB), +{after_release - before:.1f} MiB after release_scratch()")


if __name__ == "__main__":
    main(sys.argv)
