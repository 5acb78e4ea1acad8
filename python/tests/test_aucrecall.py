"""Tests of the Python module `aucrecall` (run by CTest: python.module).

  PYTHONPATH=build/release/python /usr/bin/python3 -m pytest -q python/tests

Values are checked against an exact reference written here from SPEC.md's definition with
Python's fractions (it shares nothing with the C++ code), for every label and score dtype, both
tie policies and every kernel.
"""

import gc
import math
import os
import sys
import threading
import time
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

import aucrecall

LABEL_DTYPES = (np.bool_, np.uint8, np.int32, np.int64)
SCORE_DTYPES = (np.float32, np.float64)
# Curve-based kernels sum floating-point curves (SPEC.md: 1e-9 relative); the default kernel
# counts in integers and rounds once, so it must equal the correctly rounded exact value.
CURVE_TOLERANCE = 1e-9
KERNEL_NAMES = [name for name, _ in aucrecall.kernels()]


# --- the exact reference (SPEC.md) ------------------------------------------------------------

def reference(labels, scores, ties="average"):
    """SPEC.md's metric as a Fraction (None where it is NaN), by the curve definition."""
    labels = [int(v) for v in labels]
    scores = [float(v) for v in scores]
    n, positives = len(labels), sum(labels)
    if positives == 0 or n < 2:
        return None
    # Rank highest first; `stable` keeps input order among equal scores (-0.0 == 0.0).
    order = sorted(range(n), key=lambda i: -scores[i])  # sorted() is stable
    hits = [Fraction(labels[i]) for i in order]
    if ties == "average":  # every rank of a tie group holds its group's share of positives
        start = 0
        while start < n:
            end = start
            while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
                end += 1
            share = sum(hits[start:end + 1]) / (end - start + 1)
            hits[start:end + 1] = [share] * (end - start + 1)
            start = end + 1
    recall, found = [], Fraction(0)
    for hit in hits:
        found += hit
        recall.append(found / positives)
    ideal = [min(Fraction(1), Fraction(i + 1, positives)) for i in range(n)]

    def trapezoid(curve):
        return sum(curve) - (curve[0] + curve[-1]) / 2

    return trapezoid(recall) / trapezoid(ideal)


def as_float(exact):
    return math.nan if exact is None else float(exact)  # float(Fraction) rounds correctly


def same(got, expected, tolerance=0.0):
    if math.isnan(expected):
        return math.isnan(got)
    return abs(got - expected) <= tolerance * abs(expected)


def dataset(n, seed, tied):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    scores = rng.random(n)
    if tied:
        scores = np.round(scores * 4) / 4  # five distinct values: many ties
    return labels, scores


# --- values ----------------------------------------------------------------------------------

def test_spec_worked_example():
    assert aucrecall.auc_recall([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]) == 0.8


@pytest.mark.parametrize("label_dtype", LABEL_DTYPES)
@pytest.mark.parametrize("score_dtype", SCORE_DTYPES)
@pytest.mark.parametrize("ties", ["average", "stable"])
def test_every_dtype_and_tie_policy_matches_the_exact_reference(label_dtype, score_dtype, ties):
    for n in (0, 1, 2, 3, 5, 17, 64, 300):
        for tied in (False, True):
            labels, scores = dataset(n, seed=n * 7 + tied, tied=tied)
            y_true = labels.astype(label_dtype)
            y_score = scores.astype(score_dtype)
            expected = as_float(reference(y_true, y_score, ties))
            got = aucrecall.auc_recall(y_true, y_score, ties=ties)
            assert same(got, expected), (n, tied, got, expected)


@pytest.mark.parametrize("kernel", KERNEL_NAMES)
def test_every_kernel_matches_the_reference(kernel):
    for n in (2, 9, 100, 700):
        for tied in (False, True):
            labels, scores = dataset(n, seed=n + 100 * tied, tied=tied)
            for ties in ("average", "stable"):
                expected = as_float(reference(labels, scores, ties))
                got = aucrecall.auc_recall(labels, scores, ties=ties, kernel=kernel)
                assert same(got, expected, CURVE_TOLERANCE), (kernel, n, tied, ties)


def test_special_values_infinities_and_signed_zero():
    labels = [1, 0, 1, 0, 1, 0]
    scores = [np.inf, -np.inf, 0.0, -0.0, 1.5, np.inf]
    for ties in ("average", "stable"):
        assert aucrecall.auc_recall(labels, scores, ties=ties) == as_float(
            reference(labels, scores, ties))


def test_undefined_cases_are_nan():
    assert math.isnan(aucrecall.auc_recall([], []))
    assert math.isnan(aucrecall.auc_recall([1], [0.3]))
    assert math.isnan(aucrecall.auc_recall([0, 0, 0], [0.1, 0.2, 0.3]))


def test_converted_inputs_give_the_same_value():
    labels, scores = dataset(500, seed=3, tied=True)
    expected = aucrecall.auc_recall(labels, scores)
    pandas = pytest.importorskip("pandas")
    for y_true, y_score in (
        (labels.tolist(), scores.tolist()),                       # lists
        (labels.astype(np.int16), scores),                        # other integer dtype
        (labels.astype(np.uint64), scores),
        (labels.astype(np.float64), scores),                      # float labels, exactly 0/1
        (labels, (scores * 4).astype(np.int64)),                  # integer scores (same order)
        (labels, scores.astype(np.float16)),                      # a float16 keeps these values
        (labels, scores.astype(">f8")),                           # non-native byte order
        (pandas.Series(labels), pandas.Series(scores)),
        (np.repeat(labels, 2)[::2], np.repeat(scores, 2)[::2]),   # strided views
    ):
        assert aucrecall.auc_recall(y_true, y_score) == expected


# --- zero copy, inputs untouched ------------------------------------------------------------

@pytest.mark.parametrize("label_dtype", LABEL_DTYPES)
@pytest.mark.parametrize("score_dtype", SCORE_DTYPES)
def test_library_dtypes_are_read_in_place(label_dtype, score_dtype):
    labels, scores = dataset(1000, seed=1, tied=False)
    y_true, y_score = labels.astype(label_dtype), scores.astype(score_dtype)
    assert aucrecall._input_addresses(y_true, y_score) == (y_true.ctypes.data,
                                                           y_score.ctypes.data)


def test_a_large_call_allocates_no_copy_of_the_input():
    # tracemalloc sees NumPy's allocations: a converted copy of 8 MB of scores would show.
    labels, scores = dataset(1_000_000, seed=2, tied=False)
    labels = labels.astype(np.uint8)
    aucrecall.auc_recall(labels, scores)  # warm up (module-level imports, caches)
    tracemalloc.start()
    try:
        aucrecall.auc_recall(labels, scores)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000, peak
    # ... whereas a strided view must be copied once, which the same probe does see.
    tracemalloc.start()
    try:
        aucrecall.auc_recall(labels[::2], scores[::2])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak >= scores[::2].nbytes


def test_inputs_are_not_modified():
    labels, scores = dataset(2000, seed=5, tied=True)
    for kernel in KERNEL_NAMES:
        y_true, y_score = labels.copy(), scores.copy()
        for ties in ("average", "stable"):
            aucrecall.auc_recall(y_true, y_score, ties=ties, kernel=kernel)
        assert np.array_equal(y_true, labels) and np.array_equal(y_score, scores), kernel


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("y_true, y_score, error, message", [
    ([1, 0, 2], [0.1, 0.2, 0.3], ValueError, "label at index 2 is 2"),
    ([1, 0, -1], [0.1, 0.2, 0.3], ValueError, "label at index 2 is -1"),
    ([1, 0, 0.5], [0.1, 0.2, 0.3], ValueError, "label at index 2 is 0.5"),
    ([1, 0, np.nan], [0.1, 0.2, 0.3], ValueError, "label at index 2 is nan"),
    (np.array([1, 0, 2**64 - 1], dtype=np.uint64), [0.1, 0.2, 0.3], ValueError,
     "label at index 2 is 18446744073709551615"),
    ([1, 0, 1], [0.1, np.nan, 0.3], ValueError, "score at index 1 is NaN"),
    ([1, 0, 1], [0.1, 0.2], ValueError, "differ in length: 3 labels, 2 scores"),
    (np.zeros((2, 2)), [0.1, 0.2], ValueError, "y_true must be one-dimensional"),
    ([1, 0], np.zeros((2, 1)), ValueError, "y_score must be one-dimensional"),
    (["a", "b"], [0.1, 0.2], TypeError, "y_true must be numeric"),
    ([1, 0], ["x", "y"], TypeError, "y_score must be numeric"),
    ([1, 0], [object(), 0.2], TypeError, "y_score must be numeric"),
])
def test_bad_input_names_the_problem(y_true, y_score, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        aucrecall.auc_recall(y_true, y_score)


def test_bad_options():
    with pytest.raises(ValueError, match="unknown tie policy 'random'"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], ties="random")
    with pytest.raises(ValueError, match="unknown kernel 'fastest'"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], kernel="fastest")
    with pytest.raises(TypeError, match="keyword-only"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], "stable")
    with pytest.raises(TypeError, match="unexpected keyword argument 'k'"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], k=3)
    with pytest.raises(TypeError, match="ties must be a str"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], ties=1)
    with pytest.raises(TypeError, match="takes 2 positional arguments"):
        aucrecall.auc_recall([1, 0])
    assert aucrecall.auc_recall([1, 0], [0.1, 0.2], kernel=None, ties="stable") == 0.5


# --- resources, threads ------------------------------------------------------------------------

def resident_bytes():
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_no_leak_over_many_calls():
    labels, scores = dataset(100, seed=9, tied=True)
    listed = labels.tolist()
    for _ in range(2000):  # warm-up: allocator pools, caches
        aucrecall.auc_recall(labels, scores)
        aucrecall.auc_recall(listed, scores)
    gc.collect()
    references = (sys.getrefcount(labels), sys.getrefcount(scores), sys.getrefcount(listed))
    before = resident_bytes()
    for _ in range(100_000):
        aucrecall.auc_recall(labels, scores)
        aucrecall.auc_recall(listed, scores)
        try:
            aucrecall.auc_recall(listed, scores, ties="bad")
        except ValueError:
            pass
    gc.collect()
    assert (sys.getrefcount(labels), sys.getrefcount(scores), sys.getrefcount(listed)) == references
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan's quarantine keeps freed memory
        assert resident_bytes() - before < 4 << 20


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs")
def test_calls_from_two_threads_run_in_parallel():
    # One-threaded kernel, so the two calls can only overlap if the GIL is released.
    labels, scores = dataset(2_000_000, seed=4, tied=False)

    def call():
        aucrecall.auc_recall(labels, scores, kernel="radix_rank")

    call()  # warm-up
    ratios = []
    for _ in range(5):
        start = time.perf_counter()
        call()
        call()
        sequential = time.perf_counter() - start
        threads = [threading.Thread(target=call) for _ in range(2)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parallel = time.perf_counter() - start
        ratios.append(parallel / sequential)
    # 0.5 when two cores are free, 1.0 if the GIL serialised the calls. CTest runs this file
    # alone (RUN_SERIAL) so the other tests do not take the second core.
    assert min(ratios) < 0.85, ratios


def test_threads_get_the_sequential_results():
    inputs = [dataset(n, seed=n, tied=True) for n in (10, 1000, 50_000, 300_000)]
    expected = [aucrecall.auc_recall(y, s) for y, s in inputs]
    results = [None] * 16

    def worker(slot):
        y, s = inputs[slot % len(inputs)]
        results[slot] = aucrecall.auc_recall(y, s)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected[i % len(inputs)] for i in range(16)]


def test_scratch_memory_is_returned_on_request():
    labels, scores = dataset(2_000_000, seed=8, tied=False)
    aucrecall.release_scratch()
    aucrecall.auc_recall(labels, scores, kernel="radix_rank")
    assert aucrecall.scratch_bytes() >= 16 * labels.size  # two 8-byte arrays per item, kept
    before = resident_bytes()
    aucrecall.release_scratch()
    assert aucrecall.scratch_bytes() == 0
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan keeps freed memory quarantined
        assert before - resident_bytes() >= 16 * labels.size * 0.9


# --- the rest of the API ---------------------------------------------------------------------

def test_registry_version_isa_and_docs():
    assert KERNEL_NAMES[0] == "naive_loop" and "radix_rank" in KERNEL_NAMES
    assert all(description for _, description in aucrecall.kernels())
    assert aucrecall.default_kernel(5) in KERNEL_NAMES
    assert aucrecall.default_kernel(10**7) in KERNEL_NAMES
    assert aucrecall.simd_isa() in ("scalar", "sse2", "sse4_2", "avx2", "avx512")
    assert aucrecall.__version__.count(".") == 2
    for function in (aucrecall.auc_recall, aucrecall.kernels, aucrecall.simd_isa,
                     aucrecall.default_kernel):
        assert function.__doc__ and len(function.__doc__) > 80
    assert "ties" in aucrecall.auc_recall.__doc__ and "ValueError" in aucrecall.auc_recall.__doc__
