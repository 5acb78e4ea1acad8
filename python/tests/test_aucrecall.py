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

def reference(labels, scores, ties="average", k=None):
    """SPEC.md's metric as a Fraction (None where it is NaN), by the curve definition; with a
    cutoff k, over the first min(k, n) ranks (SPEC.md "Cutoff K")."""
    labels = [int(v) for v in labels]
    scores = np.asarray(scores).tolist()  # Python ints for integer scores: compared exactly
    n, positives = len(labels), sum(labels)
    m = n if k is None else min(k, n)
    if positives == 0 or m < 2:
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
    for hit in hits[:m]:
        found += hit
        recall.append(found / positives)
    ideal = [min(Fraction(1), Fraction(i + 1, positives)) for i in range(m)]

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


def integer_scores(n, seed, dtype, spread):
    """Integer scores of `dtype` with runs of ties, spread over +-2^spread (clipped to the dtype)."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    base = rng.integers(max(info.min, -2**spread), min(info.max, 2**spread), n // 3 + 1, dtype=np.int64
                        if dtype != np.uint64 else np.uint64, endpoint=True)
    values = rng.choice(base, n)                    # about three items per value: ties
    values[: n // 10] = values[: n // 10] | 1       # neighbours 1 apart beyond 2^53 too
    values[n // 10: n // 5] = values[: n // 10] ^ 1
    return rng.integers(0, 2, n), values.astype(dtype)


@pytest.mark.parametrize("score_dtype", [np.int8, np.uint16, np.int32, np.int64, np.uint64])
@pytest.mark.parametrize("ties", ["average", "stable"])
def test_integer_scores_are_exact_beyond_two_to_the_53(score_dtype, ties):
    # Distinct integers above 2^53 share a float64: they must still rank apart.
    assert aucrecall.auc_recall([1, 0], np.array([2**53, 2**53 + 1]), ties=ties) == 0.5
    assert aucrecall.auc_recall([0, 1], np.array([2**53, 2**53 + 1]), ties=ties) == 1.0
    assert aucrecall.auc_recall([1, 0], np.array([2**64 - 1, 2**64 - 2], np.uint64), ties=ties) == 1.0
    for n in (3, 17, 300):
        for spread in (8, 31, 62, 64):
            labels, scores = integer_scores(n, seed=n + spread, dtype=score_dtype, spread=spread)
            for k in (None, 5):
                expected = as_float(reference(labels, scores, ties, k))
                got = aucrecall.auc_recall(labels, scores, ties=ties, k=k)
                assert same(got, expected), (n, spread, k, got, expected)
            groups = np.arange(n) % 3
            result = aucrecall.auc_recall_grouped(labels, scores, groups=groups, ties=ties)
            for g in range(3):
                expected = as_float(reference(labels[groups == g], scores[groups == g], ties))
                assert same(result.values[g], expected), (n, spread, g)


def test_integer_scores_the_counts_cannot_hold_are_refused():
    # The summary and the partitioned counts keep score bounds and keys as doubles: integers
    # beyond +-2^53 are refused by name, never rounded; within, they are exact.
    wide = np.array([5, 2**53 + 1])
    with pytest.raises(ValueError, match=r"score at index 1 is 9007199254740993, beyond \+-2\^53: summarize"):
        aucrecall.summarize([1, 0], wide)
    assert aucrecall.summarize([1, 0], np.array([5, 2**53])).metric() == aucrecall.auc_recall([1, 0], [5, 2**53])
    with pytest.raises(ValueError, match=r"no exact float64"):
        aucrecall.auc_recall([1, 0], np.array([1, 1 + np.longdouble(2.0) ** -60], np.longdouble))


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
    with pytest.raises(TypeError, match="unexpected keyword argument 'cutoff'"):
        aucrecall.auc_recall([1, 0], [0.1, 0.2], cutoff=3)
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


def longest_pause_during_call(call):
    """The longest stretch, in seconds, in which this thread could not run Python while `call` ran
    in another thread."""
    worker = threading.Thread(target=call)
    last = time.perf_counter()
    longest = 0.0
    worker.start()  # returns once the worker runs: with the GIL held, only after the call
    while worker.is_alive():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    return max(longest, time.perf_counter() - last)


def gil_pause_shares(call, repetitions=3):
    """The call's time alone (after a warm-up call: scratch memory, thread pool) and, per
    repetition, the longest pause of this thread while it ran in another, as a share of it."""
    call()
    start = time.perf_counter()
    call()
    alone = time.perf_counter() - start
    return alone, [longest_pause_during_call(call) / alone for _ in range(repetitions)]


def test_the_gil_is_released_during_a_call():
    # While one thread computes, another runs Python. With the GIL held the main thread would stop
    # for the whole call; released, it pauses only for the GIL hand-offs at the call's ends and for
    # scheduling (milliseconds even when both threads share one busy core). Not a speed-up
    # measurement: that would depend on a free second core, which this shared machine lacks.
    labels, scores = dataset(4_000_000, seed=4, tied=False)

    def call():
        aucrecall.auc_recall(labels, scores, kernel="radix_rank")

    alone, shares = gil_pause_shares(call)
    assert min(shares) < 0.5, (alone, shares)


def test_threads_get_the_sequential_results():
    # Every entry point from 16 Python threads at once (the GIL released inside), sizes on both
    # sides of the one-thread/several-threads switches; the ThreadSanitizer build runs this test
    # (CTest python.threads_tsan).
    inputs = [dataset(n, seed=n, tied=True) for n in (10, 1000, 50_000, 300_000)]
    calls = [
        lambda y, s: aucrecall.auc_recall(y, s),
        lambda y, s: aucrecall.auc_recall(y, s, ties="stable", k=max(1, y.size // 3)),
        lambda y, s: aucrecall.auc_recall_ranked(y, k=max(1, y.size // 2)),
        lambda y, s: tuple(aucrecall.auc_recall_grouped(y, s, groups=np.arange(y.size) % 7).values),
    ]
    jobs = [(call, inputs[i % len(inputs)]) for i, call in enumerate(calls * 4)]
    expected = [call(*data) for call, data in jobs]
    results = [None] * len(jobs)

    def worker(slot):
        call, data = jobs[slot]
        results[slot] = call(*data)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


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


# --- cutoff k, ranked lists, groups (SPEC.md "Cutoff K", "Ranked input", "Groups") --------------

def test_spec_worked_examples_with_cutoff():
    labels, scores = [1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]
    for k, expected in ((3, 5 / 8), (2, 2 / 3), (5, 0.8), (10**30, 0.8), (np.int64(3), 5 / 8)):
        assert aucrecall.auc_recall(labels, scores, k=k) == expected
        assert aucrecall.auc_recall_ranked(labels, k=k) == expected
    assert math.isnan(aucrecall.auc_recall(labels, scores, k=1))
    assert math.isnan(aucrecall.auc_recall_ranked(labels, k=1))


@pytest.mark.parametrize("label_dtype", LABEL_DTYPES)
@pytest.mark.parametrize("score_dtype", SCORE_DTYPES)
@pytest.mark.parametrize("ties", ("average", "stable"))
def test_cutoff_every_dtype_matches_the_exact_reference(label_dtype, score_dtype, ties):
    for seed, n in ((1, 50), (2, 300)):
        labels, scores = dataset(n, seed, tied=True)
        y_true, y_score = labels.astype(label_dtype), scores.astype(score_dtype)
        for k in (1, 2, 3, 7, n // 2, n - 1, n, n + 5):
            expected = as_float(reference(y_true, y_score, ties, k))
            assert same(aucrecall.auc_recall(y_true, y_score, k=k, ties=ties), expected), (n, k)


@pytest.mark.parametrize("kernel", KERNEL_NAMES)
def test_cutoff_every_kernel(kernel):
    labels, scores = dataset(200, 5, tied=True)
    for ties in ("average", "stable"):
        for k in (2, 13, 100, 199):
            expected = as_float(reference(labels, scores, ties, k))
            got = aucrecall.auc_recall(labels, scores, k=k, ties=ties, kernel=kernel)
            assert same(got, expected, CURVE_TOLERANCE), (kernel, ties, k)


@pytest.mark.parametrize("label_dtype", LABEL_DTYPES)
def test_ranked_is_the_scored_metric_with_descending_scores(label_dtype):
    rng = np.random.default_rng(9)
    for n in (0, 1, 2, 17, 400):
        y_true = rng.integers(0, 2, n).astype(label_dtype)
        for k in (None, 1, 2, 5, n):
            if k == 0:
                continue
            expected = as_float(reference(y_true, np.arange(n, 0, -1), "stable", k))
            assert same(aucrecall.auc_recall_ranked(y_true, k=k), expected), (n, k)
    assert aucrecall.auc_recall_ranked([True, False, True]) == aucrecall.auc_recall([1, 0, 1], [3, 2, 1])


def test_ranked_bool_storage_other_than_0_1_is_named():
    # A byte buffer viewed as bool can hold 2: the vector scan sees it and names its index.
    y_true = np.frombuffer(bytes([0, 1, 0, 1, 2, 1, 0]), dtype=bool)
    with pytest.raises(ValueError, match="label at index 4 has the byte value 2"):
        aucrecall.auc_recall_ranked(y_true)


def group_reference(labels, scores, keys, ties, k):
    """Per group, in order of first appearance: (key, value or None, n, positives)."""
    order, members = [], {}
    for i, key in enumerate(keys):
        if key not in members:
            members[key] = []
            order.append(key)
        members[key].append(i)
    out = []
    for key in order:
        items = members[key]
        group_labels = [labels[i] for i in items]
        group_scores = [scores[i] for i in items] if scores is not None else list(range(len(items), 0, -1))
        value = reference(group_labels, group_scores, ties if scores is not None else "stable", k)
        out.append((key, value, len(items), sum(int(v) for v in group_labels)))
    return out


def check_grouped(result, expected, undefined="skip"):
    assert list(result.groups) == [key for key, *_ in expected]
    assert list(result.n) == [n for *_, n, _ in expected]
    assert list(result.positives) == [p for *_, p in expected]
    values = [value if value is not None or undefined == "skip" else Fraction(0) for _, value, *_ in expected]
    for got, value in zip(result.values, values):
        assert same(float(got), as_float(value)), (got, value)
    counted = [v for v in values if v is not None]
    assert result.counted == len(counted) and result.skipped == len(values) - len(counted)
    mean = sum(counted) / len(counted) if counted else None
    assert same(result.mean, as_float(mean), 1e-15)


@pytest.mark.parametrize("ties", ("average", "stable"))
@pytest.mark.parametrize("k", (None, 1, 3))
@pytest.mark.parametrize("undefined", ("skip", "zero"))
def test_grouped_matches_the_reference(ties, k, undefined):
    rng = np.random.default_rng(11)
    n = 600
    keys = rng.integers(-10**18, 10**18, 60)[rng.integers(0, 60, n)]  # sparse, shuffled, signed
    labels = (rng.random(n) < 0.3).astype(np.int64)
    scores = np.round(rng.random(n) * 4) / 4
    expected = group_reference(labels, scores, list(keys), ties, k)
    result = aucrecall.auc_recall_grouped(labels, scores, groups=keys, k=k, ties=ties, undefined=undefined)
    check_grouped(result, expected, undefined)
    # ranked lists: each group's rows in input order are its ranking
    ranked = aucrecall.auc_recall_grouped(labels, groups=keys, k=k, undefined=undefined)
    check_grouped(ranked, group_reference(labels, None, list(keys), ties, k), undefined)


@pytest.mark.parametrize("key_dtype", (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                       np.int64, np.uint64))
def test_integer_keys_are_read_in_place(key_dtype):
    keys = np.array([3, 3, 7, 7, 3, 120], dtype=key_dtype)
    assert aucrecall._group_keys_address(keys) == keys.ctypes.data
    labels, scores = [1, 0, 1, 0, 0, 1], [0.5, 0.25, 0.75, 1.0, 0.6, 0.1]
    result = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
    assert result.groups.dtype == key_dtype and list(result.groups) == [3, 7, 120]
    check_grouped(result, group_reference(labels, scores, [int(k) for k in keys], "average", None))


def test_other_keys_are_factorised():
    labels, scores = [1, 0, 1, 0, 0, 1], [0.5, 0.25, 0.75, 1.0, 0.6, 0.1]
    for keys in (["q1", "q1", "q2", "q2", "q1", "z"], np.array([0.5, 0.5, 2.5, 2.5, 0.5, -1.0]),
                 [("a" * 100) + "x", ("a" * 100) + "x", "b", "b", ("a" * 100) + "x", "c"]):
        result = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
        assert list(result.groups) == list(dict.fromkeys(keys))
        check_grouped(result, group_reference(labels, scores, list(keys), "average", None))
    empty = aucrecall.auc_recall_grouped([], [], groups=[])
    assert len(empty) == 0 and math.isnan(empty.mean) and empty.counted == 0


def test_pandas_dtypes_as_users_hold_them():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(12)
    labels = rng.integers(0, 2, 400)
    scores = np.round(rng.random(400) * 16) / 16
    keys = rng.integers(0, 30, 400)
    expected = aucrecall.auc_recall(labels, scores)
    # Nullable dtypes without NA read as their NumPy dtypes.
    for y_true in (pd.Series(labels, dtype="Int64"), pd.Series(labels.astype(bool), dtype="boolean"),
                   pd.array(labels, dtype="Int8")):
        for y_score in (pd.Series(scores, dtype="Float64"), pd.Series(scores)):
            assert aucrecall.auc_recall(y_true, y_score) == expected
    assert aucrecall.auc_recall(labels, pd.Series((scores * 16).astype(np.int64), dtype="Int64")) == expected
    # Categorical, string and nullable keys group like the same keys as plain values.
    plain = aucrecall.auc_recall_grouped(labels, scores, groups=[f"q{k}" for k in keys])
    for groups in (pd.Categorical([f"q{k}" for k in keys]), pd.Series([f"q{k}" for k in keys], dtype="string"),
                   pd.Series([f"q{k}" for k in keys], dtype="category"), np.array([f"q{k}" for k in keys])):
        got = aucrecall.auc_recall_grouped(labels, scores, groups=groups)
        assert list(got.groups) == list(plain.groups)
        assert np.array_equal(got.values, plain.values, equal_nan=True) and got.mean == plain.mean
    by_int = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
    got = aucrecall.auc_recall_grouped(labels, scores, groups=pd.Series(keys, dtype="Int64"))
    assert list(got.groups) == list(by_int.groups) and np.array_equal(got.values, by_int.values, equal_nan=True)


@pytest.mark.parametrize("make, message", [
    (lambda pd: dict(y_true=pd.Series([1, None, 0], dtype="Int64"), y_score=[0.1, 0.2, 0.3]),
     r"^y_true has a missing value \(NA\) at index 1; drop or fill"),
    (lambda pd: dict(y_true=[1, 0, 1], y_score=pd.Series([0.1, 0.2, None], dtype="Float64")),
     r"^y_score has a missing value \(NA\) at index 2"),
    (lambda pd: dict(y_true=pd.Series([True, pd.NA, False], dtype="boolean"), y_score=[0.1, 0.2, 0.3]),
     r"^y_true has a missing value \(NA\) at index 1"),
    (lambda pd: dict(y_true=[1, 0, 1], y_score=[0.1, 0.2, 0.3], groups=["a", None, "b"]),
     r"^groups has a missing value \(NA\) at index 1"),
    (lambda pd: dict(y_true=[1, 0, 1], y_score=[0.1, 0.2, 0.3], groups=[1.0, 2.0, np.nan]),
     r"^groups has a missing value \(NA\) at index 2"),
    (lambda pd: dict(y_true=[1, 0, 1], y_score=[0.1, 0.2, 0.3], groups=pd.Series(["a", "b", pd.NA], dtype="string")),
     r"^groups has a missing value \(NA\) at index 2"),
    (lambda pd: dict(y_true=[1, 0, 1], y_score=[0.1, 0.2, 0.3], groups=pd.Categorical([None, "a", "b"])),
     r"^groups has a missing value \(NA\) at index 0"),
])
def test_missing_values_are_named_never_dropped(make, message):
    pd = pytest.importorskip("pandas")
    call = make(pd)
    with pytest.raises(ValueError, match=message):
        if "groups" in call:
            aucrecall.auc_recall_grouped(call["y_true"], call["y_score"], groups=call["groups"])
        else:
            aucrecall.auc_recall(call["y_true"], call["y_score"])


def test_categorical_codes_numbered_in_cpp_match_the_plain_keys():
    # A Categorical's codes are numbered by the module in order of first appearance (not category
    # order) and handed to the library as ids: the groups, their order and the bits must be those
    # of the same keys as plain values, for 1-, 2- and 4-byte codes, unused categories, categories
    # in an order unlike the rows', a Series, an Index, and a Categorical with far more categories
    # than rows (numbered by pandas.factorize instead).
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(31)
    n = 20000
    labels, scores = rng.integers(0, 2, n), rng.random(n).round(2)
    for categories in (5, 300, 40000):
        keys = rng.integers(0, categories, n)
        keys[:50] = categories - 1  # the last category appears first
        order = rng.permutation(categories + 7)  # 7 unused categories, shuffled
        for groups in (pd.Categorical(keys, categories=order), pd.Series(pd.Categorical(keys, categories=order)),
                       pd.CategoricalIndex(keys, categories=order)):
            for options in ({}, {"ties": "stable", "k": 3}):
                got = aucrecall.auc_recall_grouped(labels, scores, groups=groups, **options)
                want = aucrecall.auc_recall_grouped(labels, scores, groups=keys, **options)
                assert list(got.groups) == list(want.groups)
                np.testing.assert_array_equal(got.values, want.values)
                np.testing.assert_array_equal(got.n, want.n)
                assert got.mean == want.mean
    sparse = pd.Categorical([3, 1, 3, 2], categories=range(200000))
    r = aucrecall.auc_recall_grouped([1, 0, 0, 1], [.4, .3, .2, .1], groups=sparse)
    assert list(r.groups) == [3, 1, 2] and list(r.n) == [2, 1, 1]
    wide = pd.Categorical(np.arange(1000) % 400, categories=range(400))  # int16 codes
    wide[777] = np.nan
    with pytest.raises(ValueError, match=r"^groups has a missing value \(NA\) at index 777; drop or fill"):
        aucrecall.auc_recall_grouped(np.arange(1000) % 2, np.arange(1000.0), groups=wide)
    # An undefined group is named by its category, as for plain keys.
    with pytest.raises(ValueError, match=r"^group b is undefined \(no positive item\)"):
        aucrecall.auc_recall_grouped([1, 0, 0, 0], [.4, .3, .2, .1], groups=pd.Categorical(["a", "a", "b", "b"]),
                                     undefined="error")


def test_str_keys_numbered_in_cpp_match_pandas_factorize():
    # Arrays of str are numbered by the module itself (texts hashed in C++); anything else
    # goes through pandas.factorize. Both must give the same groups, in order of first appearance,
    # and the same bits: shared and fresh str objects, runs, non-ASCII texts, a Series, a list.
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(29)
    n = 30000
    codes = rng.integers(0, 700, n)
    codes[100:160] = 5  # a run of one key
    labels, scores = rng.integers(0, 2, n), rng.random(n).round(2)
    pool = np.array([f"q{c}" if c % 3 else f"é-{c}, \"x\"" for c in range(700)], dtype=object)
    shared = pool[codes]
    fresh = np.array([str(k) + "" for k in shared], dtype=object)
    for keys in (shared, fresh, pd.Series(fresh), list(fresh)):
        for options in ({}, {"ties": "stable"}, {"k": 7}):
            got = aucrecall.auc_recall_grouped(labels, scores, groups=keys, **options)
            factorised, uniques = pd.factorize(np.asarray(keys, dtype=object))
            want = aucrecall.auc_recall_grouped(labels, scores, groups=factorised, **options)
            assert list(got.groups) == list(uniques)
            np.testing.assert_array_equal(got.values, want.values)
            np.testing.assert_array_equal(got.n, want.n)
            assert got.mean == want.mean
    # Texts equal as str are one group whichever object holds them; different texts never merge.
    r = aucrecall.auc_recall_grouped([1, 0, 0, 1, 1], [.1, .2, .3, .4, .5],
                                     groups=np.array(["é", "e\u0301", "é", "", ""], dtype=object))
    assert list(r.groups) == ["é", "e\u0301", ""] and list(r.n) == [2, 1, 2]
    # Not all str: the objects' own hashing (a number is its own group). A lone surrogate, which
    # has no UTF-8, is a str like any other.
    mixed = aucrecall.auc_recall_grouped([1, 0, 1], [.1, .2, .3], groups=np.array(["a", 1, "a"], dtype=object))
    assert list(mixed.groups) == ["a", 1]
    lone = aucrecall.auc_recall_grouped([1, 0, 1], [.1, .2, .3],
                                        groups=np.array(["\ud800", "a", "\ud800"], dtype=object))
    assert list(lone.groups) == ["\ud800", "a"] and list(lone.n) == [2, 1]
    with pytest.raises(ValueError, match=r"^groups has a missing value \(NA\) at index 1"):
        aucrecall.auc_recall_grouped([1, 0, 1], [.1, .2, .3], groups=np.array(["a", None, "a"], dtype=object))


def exact_factorize(keys):
    """Codes in order of first appearance and the keys, by Python's own equality of the items
    (pandas.factorize reads str keys only up to a NUL character)."""
    first = {}
    codes = np.array([first.setdefault(k, len(first)) for k in keys.tolist()], dtype=np.int64)
    return codes, list(first)


@pytest.mark.parametrize("threads", ["1", "2", "3", "7"])
def test_str_keys_in_ranges_on_threads_match_exact_factorize(threads, monkeypatch):
    # The module numbers str keys in one range per thread and merges the ranges: keys whose rows
    # cross a range boundary, keys that return in a later range, rows grouped (kept as runs, handed
    # to the library as offsets) or interleaved (ids per item), a range that starts grouped and
    # turns interleaved, and texts whose stored bytes are equal in different widths ("ab" is one
    # byte per character, "\u6261" two: the same two bytes) or that differ after a NUL must give
    # the exact groups, in order of first appearance, and the same bits.
    monkeypatch.setenv("AUCRECALL_THREADS", threads)
    rng = np.random.default_rng(int(threads))
    texts = ["ab", "\u6261", "\u6261\u6261", "abab", "é", "e", "", "\x00", "ab\x00c", "\U0001F600", "a" * 19, "a" * 20,
             "b" * 40 + "x", "b" * 40 + "y", "long key, with a comma and é" * 3]
    texts += [f"q{c}" for c in range(400)]
    pool = np.array(texts, dtype=object)
    n = 40000
    grouped = np.repeat(rng.permutation(len(texts)), n // len(texts) + 1)[:n]
    layouts = {
        "grouped": grouped,
        "interleaved": rng.integers(0, len(texts), n),
        "returning": np.concatenate([grouped[: n // 2], grouped[: n - n // 2]]),
        "grouped then interleaved": np.concatenate([grouped[: n // 4], rng.integers(0, len(texts), n - n // 4)]),
        "one key": np.zeros(n, dtype=np.int64),
    }
    labels, scores = rng.integers(0, 2, n), rng.random(n).round(2)
    for name, codes in layouts.items():
        # Fresh objects, so equal texts are told apart by their text, not their identity.
        keys = np.array([str(t) + "" for t in pool[codes]], dtype=object)
        got = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
        factorised, uniques = exact_factorize(keys)
        want = aucrecall.auc_recall_grouped(labels, scores, groups=factorised)
        assert list(got.groups) == uniques, name
        np.testing.assert_array_equal(got.values, want.values, err_msg=name)
        np.testing.assert_array_equal(got.n, want.n, err_msg=name)
        assert got.mean == want.mean, name
    # A str subclass is grouped by its text; a key that is not a str in a later range sends the
    # whole array to the objects' own hashing, which names a missing key by its index.
    class Tag(str):
        pass
    keys = np.array(["x"] * (n // 2) + [Tag("x")] * (n - n // 2), dtype=object)
    r = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
    assert list(r.groups) == ["x"] and list(r.n) == [n]
    keys[n - 3] = None
    with pytest.raises(ValueError, match=rf"^groups has a missing value \(NA\) at index {n - 3}"):
        aucrecall.auc_recall_grouped(labels, scores, groups=keys)


@pytest.mark.parametrize("threads", ["1", "2", "3"])
def test_fixed_width_text_keys_match_exact_factorize(threads, monkeypatch):
    # NumPy `U` (UCS-4) and `S` (bytes) arrays are numbered in C++ by each item's units without
    # its padding: NULs inside a key are kept ("a\x00b" is not "a"), keys as wide as the item
    # have no padding at all. The keys come back
    # as an array of the caller's dtype, in order of first appearance, and the values are those of
    # the exact codes; big-endian and strided arrays read the same.
    monkeypatch.setenv("AUCRECALL_THREADS", threads)
    rng = np.random.default_rng(10 + int(threads))
    # ASCII keys of `U` arrays are read one byte per character up to 64 characters, others as stored.
    texts = ["", "a", "a\x00b", "\x00a", "ab", "abcdefgh", "abcdefgi", "é", "\U0001F600", "\u0100", "x" * 12,
             "x" * 11 + "y", "y" * 64, "y" * 63 + "é", "z" * 70, "z" * 69 + "é"]
    texts += [f"q{c}" for c in range(300)]
    n = 30000
    grouped = np.repeat(rng.permutation(len(texts)), n // len(texts) + 1)[:n]
    layouts = {"grouped": grouped, "interleaved": rng.integers(0, len(texts), n),
               "returning": np.concatenate([grouped[: n // 2], grouped[: n - n // 2]])}
    labels, scores = rng.integers(0, 2, n), rng.random(n).round(2)
    for name, codes in layouts.items():
        unicode_keys = np.array(texts)[codes]
        byte_keys = np.array([t.encode() for t in texts])[codes]
        arrays = {"U": unicode_keys, ">U": unicode_keys.astype(unicode_keys.dtype.newbyteorder(">")),
                  "S": byte_keys, "U strided": np.repeat(unicode_keys, 2)[::2]}
        for kind, keys in arrays.items():
            what = f"{name}, {kind}"
            got = aucrecall.auc_recall_grouped(labels, scores, groups=keys)
            factorised, uniques = exact_factorize(keys)
            want = aucrecall.auc_recall_grouped(labels, scores, groups=factorised)
            assert got.groups.dtype == keys.dtype, what
            assert list(got.groups) == list(uniques), what
            np.testing.assert_array_equal(got.values, want.values, err_msg=what)
            np.testing.assert_array_equal(got.n, want.n, err_msg=what)
            assert got.mean == want.mean, what
    # Only trailing NULs are padding.
    keys = np.array(["a", "a\x00\x00", "a\x00b", "b"] * 4)
    assert list(aucrecall.auc_recall_grouped(np.arange(16) % 2, np.arange(16.0), groups=keys).groups) == ["a", "a\x00b", "b"]


def test_pandas_string_keys_are_whole_texts():
    # A pandas `string` array is numbered by its texts in C++: pandas.factorize would make "a" and
    # "a\x00b" one group. A missing key is still named by its position.
    pd = pytest.importorskip("pandas")
    texts = ["a", "a\x00b", "\x00", "", "a", "a\x00b"]
    for keys in (pd.array(texts, dtype="string"), pd.Series(texts, dtype="string"), pd.Index(texts, dtype="string")):
        r = aucrecall.auc_recall_grouped([1, 0, 1, 0, 0, 1], [.1, .2, .3, .4, .5, .6], groups=keys)
        assert list(r.groups) == ["a", "a\x00b", "\x00", ""] and list(r.n) == [2, 2, 1, 1], type(keys)
    with pytest.raises(ValueError, match=r"^groups has a missing value \(NA\) at index 2"):
        aucrecall.auc_recall_grouped([1, 0, 1], [.1, .2, .3], groups=pd.array(["a", "b", None], dtype="string"))


def test_wrong_calls_name_the_argument():
    with pytest.raises(TypeError, match=r"^y_score is None; expected a one-dimensional array of numbers$"):
        aucrecall.auc_recall([1, 0], None)
    with pytest.raises(TypeError, match=r"^y_true is None"):
        aucrecall.auc_recall(None, [0.1, 0.2])
    with pytest.raises(TypeError, match=r"^groups is missing or None: pass groups="):
        aucrecall.auc_recall_grouped([1, 0], [0.1, 0.2])
    with pytest.raises(TypeError, match=r"^default_kernel takes n, a number of items \(an int >= 0\), got -1$"):
        aucrecall.default_kernel(-1)
    with pytest.raises(TypeError, match=r"^default_kernel takes n"):
        aucrecall.default_kernel("ten")
    assert aucrecall.default_kernel(0) in KERNEL_NAMES


@pytest.mark.parametrize("threads", ["1", "2"])
def test_low_memory_gives_the_same_bits(threads, monkeypatch):
    # 5000 groups of 1-8 rows, interleaved: enough groups for the partitioned path, where
    # low_memory gathers the scores per partition instead of copying them; every policy, a cutoff
    # and ranked groups give the same bits either way.
    monkeypatch.setenv("AUCRECALL_THREADS", threads)
    rng = np.random.default_rng(22)
    keys = rng.permutation(np.repeat(np.arange(5000) * 7919, rng.integers(1, 9, 5000)))
    labels, scores = rng.integers(0, 2, keys.size), rng.integers(0, 6, keys.size) / 4
    for options in ({}, {"ties": "stable"}, {"k": 3}, {"ties": "stable", "k": 2, "undefined": "zero"}):
        for y_score in (scores, None):
            want = aucrecall.auc_recall_grouped(labels, y_score, groups=keys, **options)
            got = aucrecall.auc_recall_grouped(labels, y_score, groups=keys, low_memory=True, **options)
            np.testing.assert_array_equal(got.values, want.values, err_msg=str(options))
            np.testing.assert_array_equal(got.groups, want.groups)
            np.testing.assert_array_equal(got.n, want.n)
            np.testing.assert_array_equal(got.positives, want.positives)
            assert got.mean == want.mean or (np.isnan(got.mean) and np.isnan(want.mean)), options
    with pytest.raises(ValueError, match=r"^label at index 3 is 2"):
        bad = labels.copy()
        bad[3] = 2
        aucrecall.auc_recall_grouped(bad, scores, groups=keys, low_memory=True)
    with pytest.raises(TypeError, match=r"^low_memory must be True or False, got 'yes'$"):
        aucrecall.auc_recall_grouped(labels, scores, groups=keys, low_memory="yes")


def test_grouped_inputs_are_not_modified():
    rng = np.random.default_rng(3)
    labels, scores, keys = rng.integers(0, 2, 5000), rng.random(5000), rng.integers(0, 50, 5000)
    copies = labels.copy(), scores.copy(), keys.copy()
    aucrecall.auc_recall_grouped(labels, scores, groups=keys, k=10)
    for original, copy in zip((labels, scores, keys), copies):
        assert np.array_equal(original, copy)


@pytest.mark.parametrize("call, error, message", [
    (lambda: aucrecall.auc_recall([1, 0], [1, 2], k=0), ValueError, "k must be at least 1"),
    (lambda: aucrecall.auc_recall([1, 0], [1, 2], k=-2), ValueError, "k must be at least 1"),
    (lambda: aucrecall.auc_recall([1, 0], [1, 2], k=2.0), TypeError, "k must be an int"),
    (lambda: aucrecall.auc_recall([1, 0], [1, 2], k=True), TypeError, "k must be an int"),
    (lambda: aucrecall.auc_recall_ranked([1, 0, 2]), ValueError, "label at index 2 is 2"),
    (lambda: aucrecall.auc_recall_ranked([[1, 0]]), ValueError, "one-dimensional"),
    (lambda: aucrecall.auc_recall_ranked([1, 0], k=0), ValueError, "k must be at least 1"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, 2], groups=[1]), ValueError, "differ in length"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1], groups=[1, 1]), ValueError, "differ in length"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, 2], groups=[[1, 1]]), ValueError, "one-dimensional"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, np.nan], groups=[1, 1]), ValueError, "index 1 is NaN"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, 2], groups=[1, 1], undefined="drop"), ValueError,
     "unknown undefined-group policy 'drop'"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, 2], groups=[1, 1], ties="random"), ValueError,
     "unknown tie policy"),
    (lambda: aucrecall.auc_recall_grouped([1, 0, 0, 0], [1, 2, 3, 4], groups=["x", "x", "y", "y"],
                                          undefined="error"), ValueError,
     "group y is undefined (no positive item); its first item is at index 2"),
    (lambda: aucrecall.auc_recall_grouped([1, 0], [1, 2], groups=[5, 5], k=1, undefined="error"), ValueError,
     "group 5 is undefined (fewer than 2 ranks"),
])
def test_bad_per_query_input_names_the_problem(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


def test_grouped_releases_the_gil():
    rng = np.random.default_rng(4)
    n = 2_000_000
    # Groups of 400, ~80 ms per call here: long enough for the main thread's pauses to be
    # measured against the call (a 17 ms call is a few scheduler time slices).
    labels, scores, keys = rng.integers(0, 2, n), rng.random(n), np.repeat(np.arange(n // 400), 400)

    def call():
        aucrecall.auc_recall_grouped(labels, scores, groups=keys)

    # One library thread per call, as in the kernel test above: the main thread must run Python
    # while a call runs in a worker (longest pause under half the call's time).
    previous = os.environ.get("AUCRECALL_THREADS")
    os.environ["AUCRECALL_THREADS"] = "1"
    try:
        alone, shares = gil_pause_shares(call)
    finally:
        if previous is None:
            del os.environ["AUCRECALL_THREADS"]
        else:
            os.environ["AUCRECALL_THREADS"] = previous
    assert min(shares) < 0.5, (alone, shares)


def test_per_query_docs_and_stub():
    for function in (aucrecall.auc_recall_ranked, aucrecall.auc_recall_grouped):
        assert len(function.__doc__) > 400
    assert "k=None" in aucrecall.auc_recall.__text_signature__
    stub = open(os.path.join(os.path.dirname(__file__), "..", "aucrecall", "__init__.pyi")).read()
    for name in ("def auc_recall_ranked", "def auc_recall_grouped", "class GroupedResult", "k: Optional[int]"):
        assert name in stub
