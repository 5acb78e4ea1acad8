"""aucrecall.dask against the in-memory module: bit-identical results on partitioned data.

Runs on a distributed.LocalCluster of 2 worker processes that the tests start and stop, and on
Dask's local schedulers. Both counting paths (broadcast of the small class, shuffle by score
range) are forced in turn, with ranges small enough that every input spans many of them.
"""
import math
import os
import signal
import threading

import numpy as np
import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

import aucrecall  # noqa: E402
import aucrecall.dask as ad  # noqa: E402

# Worker processes under AddressSanitizer's preloaded runtime are not what these tests are about;
# the release and ThreadSanitizer builds run them.
UNDER_ASAN = "asan" in os.environ.get("LD_PRELOAD", "")


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def chunked(values, sizes):
    return da.from_array(values, chunks=(tuple(sizes),))


def uneven_sizes(n, parts, rng):
    """`parts` chunk lengths summing to n; from 4 parts on, an empty and a one-row partition."""
    if parts == 1:
        return [n]
    cuts = np.sort(rng.integers(0, n + 1, parts - 1))
    sizes = np.diff(np.concatenate([[0], cuts, [n]])).tolist()
    if parts >= 4:
        freed = sizes[1] + sizes[2] - 1   # sizes[1] becomes 0 and sizes[2] 1
        sizes[1], sizes[2] = 0, 1
        largest = max(range(len(sizes)), key=lambda i: sizes[i] if i not in (1, 2) else -1)
        sizes[largest] += freed
    assert sum(sizes) == n and min(sizes) >= 0
    return sizes


def data(kind, n, rng, label_dtype=np.int64, score_dtype=np.float64):
    labels = (rng.random(n) < 0.3).astype(label_dtype)
    if kind == "uniform":
        scores = rng.random(n)
    elif kind == "ties":
        scores = np.round(rng.random(n) * 8) / 8
    elif kind == "equal":
        scores = np.full(n, 0.5)
    elif kind == "narrow":  # many distinct scores inside one histogram bin
        scores = 0.5 + rng.random(n) * 1e-12
    elif kind == "heavy":   # one score value holding half the rows, beside distinct neighbours
        scores = np.where(rng.random(n) < 0.5, 0.5, 0.5 + rng.random(n) * 1e-13)
    elif kind == "one_positive":
        labels = np.zeros(n, label_dtype)
        labels[n // 2] = 1
        scores = rng.random(n)
    elif kind == "no_positive":
        labels = np.zeros(n, label_dtype)
        scores = rng.random(n)
    else:
        raise ValueError(kind)
    return labels, scores.astype(score_dtype)


@pytest.fixture(scope="module")
def client():
    if UNDER_ASAN:
        pytest.skip("worker processes are not run under AddressSanitizer (release and tsan builds run this)")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture
def small_ranges(monkeypatch):
    monkeypatch.setattr(ad, "RANGE_MAX_ITEMS", 37)


@pytest.mark.parametrize("path", ["broadcast", "shuffle"])
@pytest.mark.parametrize("ties", ["average", "stable"])
def test_bit_identical_on_a_cluster(client, small_ranges, path, ties):
    rng = np.random.default_rng(11)
    for kind in ("uniform", "ties", "equal", "heavy", "one_positive", "no_positive"):
        for parts in (1, 2, 7, 64):
            labels, scores = data(kind, 700, rng)
            sizes = uneven_sizes(len(labels), parts, rng)
            expected = aucrecall.auc_recall(labels, scores, ties=ties)
            got = ad.auc_recall(chunked(labels, sizes), chunked(scores, sizes), ties=ties, path=path)
            assert same(got, expected), (kind, parts, got, expected)


@pytest.mark.parametrize("kind", ["narrow", "heavy", "equal", "ties"])
@pytest.mark.parametrize("ties", ["average", "stable"])
def test_no_shuffled_range_exceeds_the_budget(small_ranges, monkeypatch, kind, ties):
    """A bin above the range budget is split by a finer histogram; a score value above it is
    counted in closed form and never travels: every shuffled range stays within the budget."""
    largest = []
    count_range = ad._count_range
    def watched(frame, ties):
        largest.extend(len(rows) for _, rows in frame.groupby("_partitions"))
        return count_range(frame, ties)
    monkeypatch.setattr(ad, "_count_range", watched)
    rng = np.random.default_rng(17)
    with dask.config.set(scheduler="sync"):
        for parts in (1, 5, 23):
            for score_dtype in (np.float64, np.float32):
                labels, scores = data(kind, 900, rng, score_dtype=score_dtype)
                sizes = uneven_sizes(len(labels), parts, rng)
                expected = aucrecall.auc_recall(labels, scores, ties=ties)
                got = ad.auc_recall(chunked(labels, sizes), chunked(scores, sizes), ties=ties, path="shuffle")
                assert same(got, expected), (kind, parts, score_dtype, got, expected)
    assert max(largest, default=0) <= ad.RANGE_MAX_ITEMS


@pytest.mark.parametrize("label_dtype", [np.bool_, np.uint8, np.int32, np.int64])
@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
def test_every_label_and_score_dtype_on_the_local_scheduler(small_ranges, label_dtype, score_dtype):
    rng = np.random.default_rng(5)
    labels, scores = data("ties", 500, rng, label_dtype, score_dtype)
    sizes = uneven_sizes(500, 9, rng)
    with dask.config.set(scheduler="threads"):
        for path in ("broadcast", "shuffle"):
            for ties in ("average", "stable"):
                got = ad.auc_recall(chunked(labels, sizes), chunked(scores, sizes), ties=ties, path=path)
                assert same(got, aucrecall.auc_recall(labels, scores, ties=ties)), (path, ties)


def test_integer_scores_within_two_to_the_53_and_a_clear_refusal_beyond(small_ranges):
    rng = np.random.default_rng(8)
    labels = (rng.random(600) < 0.3).astype(np.int64)
    scores = rng.integers(-2**53, 2**53, 200, endpoint=True)[rng.integers(0, 200, 600)]  # ties
    sizes = uneven_sizes(600, 7, rng)
    with dask.config.set(scheduler="sync"):
        for dtype in (np.int32, np.int64):
            s = scores.astype(dtype) if dtype == np.int64 else (scores >> 23).astype(np.int32)
            for path in ("broadcast", "shuffle"):
                for ties in ("average", "stable"):
                    got = ad.auc_recall(chunked(labels, sizes), chunked(s, sizes), ties=ties, path=path)
                    assert same(got, aucrecall.auc_recall(labels, s, ties=ties)), (dtype, path, ties)
        wide = scores.copy()
        wide[555] = 2**53 + 1
        with pytest.raises(ValueError, match=r"beyond \+-2\^53"):
            ad.auc_recall(chunked(labels, sizes), chunked(wide, sizes))


def test_dask_series_and_the_default_path(client):
    rng = np.random.default_rng(3)
    labels, scores = data("uniform", 3000, rng)
    frame = dd.from_pandas(pd.DataFrame({"y": labels, "s": scores}), npartitions=5)
    assert ad.auc_recall(frame["y"], frame["s"]) == aucrecall.auc_recall(labels, scores)
    balanced = (rng.random(3000) < 0.5).astype(np.int64)
    # Both classes above the broadcast limit: the default takes the shuffle path.
    original = ad.BROADCAST_MAX_ITEMS
    try:
        ad.BROADCAST_MAX_ITEMS = 100
        got = ad.auc_recall(chunked(balanced, [1000] * 3), chunked(scores, [1000] * 3))
    finally:
        ad.BROADCAST_MAX_ITEMS = original
    assert got == aucrecall.auc_recall(balanced, scores)


@pytest.mark.parametrize("ties", ["average", "stable"])
def test_cutoff_straddling_a_tie_group_at_a_bin_edge(client, ties):
    rng = np.random.default_rng(9)
    labels = (rng.random(2000) < 0.2).astype(np.int64)
    scores = np.round(rng.random(2000) * 10) / 10  # 11 values: every K sits in a large tie group
    sizes = uneven_sizes(2000, 13, rng)
    y, s = chunked(labels, sizes), chunked(scores, sizes)
    for k in (1, 2, 3, 150, 181, 999, 1999, 2000, 5000):
        expected = aucrecall.auc_recall(labels, scores, ties=ties, k=k)
        assert same(ad.auc_recall(y, s, ties=ties, k=k), expected), k


@pytest.mark.parametrize("kind", ["narrow", "heavy", "equal", "ties", "uniform"])
@pytest.mark.parametrize("ties", ["average", "stable"])
def test_cutoff_gathers_at_most_k_plus_the_budget(small_ranges, monkeypatch, kind, ties):
    """The rows sent to the cutoff's task: those above the cell holding rank K-1 plus that cell,
    refined below the range budget; of a single score value holding more rows, only those that
    reach rank K. Bit identical to the in-memory metric at K."""
    gathered = []
    compute_top = ad._core._compute_top
    def watched(labels, scores, k, *args, **kwargs):
        gathered.append((len(labels), k))
        return compute_top(labels, scores, k, *args, **kwargs)
    monkeypatch.setattr(ad._core, "_compute_top", watched)
    rng = np.random.default_rng(29)
    with dask.config.set(scheduler="sync"):
        for parts in (1, 6):
            labels, scores = data(kind, 900, rng)
            sizes = uneven_sizes(len(labels), parts, rng)
            y, s = chunked(labels, sizes), chunked(scores, sizes)
            for k in (2, 3, 40, 300, 451, 899):
                gathered.clear()
                expected = aucrecall.auc_recall(labels, scores, ties=ties, k=k)
                got = ad.auc_recall(y, s, ties=ties, k=k)
                assert same(got, expected), (kind, parts, k, got, expected)
                rows, _ = gathered[0]
                assert rows <= k + ad.RANGE_MAX_ITEMS, (kind, parts, k, rows)


def test_bad_input_in_a_late_partition_names_the_global_row(client):
    labels = np.zeros(1000, np.int64)
    labels[::3] = 1
    scores = np.linspace(0, 1, 1000)
    bad = labels.copy()
    bad[950] = 2
    sizes = [100] * 10
    with pytest.raises(ValueError, match=r"label at index 950 is 2"):
        ad.auc_recall(chunked(bad, sizes), chunked(scores, sizes))
    nan = scores.copy()
    nan[987] = np.nan
    with pytest.raises(ValueError, match=r"score at index 987 is NaN"):
        ad.auc_recall(chunked(labels, sizes), chunked(nan, sizes))


def test_wrong_calls_are_named():
    y = chunked(np.array([1, 0, 1, 0]), [2, 2])
    with pytest.raises(ValueError, match="partitioned alike"):
        ad.auc_recall(y, chunked(np.array([0.1, 0.2, 0.3, 0.4]), [1, 3]))
    with pytest.raises(TypeError, match="in-memory"):
        ad.auc_recall(np.array([1, 0]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="tie policy"):
        ad.auc_recall(y, y, ties="first")
    with pytest.raises(ValueError, match="at least 1"):
        ad.auc_recall(y, y, k=0)


@pytest.mark.parametrize("keys", ["int", "str"])
@pytest.mark.parametrize("undefined", ["skip", "zero"])
def test_groups_split_over_partitions(client, keys, undefined):
    rng = np.random.default_rng(21)
    n = 3000
    groups = rng.integers(0, 200, n)
    if keys == "str":
        groups = np.array([f"q{g}" for g in groups], dtype=object)
    labels = (rng.random(n) < 0.15).astype(np.int64)
    scores = np.round(rng.random(n) * 20) / 20
    sizes = uneven_sizes(n, 11, rng)
    for k in (None, 5):
        for ties in ("average", "stable"):
            expected = aucrecall.auc_recall_grouped(labels, scores, groups=groups, k=k, ties=ties,
                                                    undefined=undefined)
            got = ad.auc_recall_grouped(chunked(labels, sizes), chunked(scores, sizes),
                                        groups=chunked(groups, sizes), k=k, ties=ties, undefined=undefined)
            assert list(got.frame["group"]) == list(expected.groups)
            assert np.array_equal(got.frame["auc_recall"].to_numpy(), expected.values, equal_nan=True)
            assert np.array_equal(got.frame["n"].to_numpy(), expected.n)
            assert same(got.mean, expected.mean) and got.counted == expected.counted
            assert got.skipped == expected.skipped


def test_more_shuffle_targets_than_groups_from_csv_shards(client, tmp_path):
    # Two groups over many shuffle targets: most targets get no row, and their empty results must
    # not turn the partition and row columns into floats (string keys, as read_csv gives them).
    (tmp_path / "runs-0.csv").write_text("query,label,score\nq1,1,0.9\nq2,0,0.7\nq1,0,0.8\n")
    (tmp_path / "runs-1.csv").write_text("query,label,score\nq2,1,0.2\nq1,1,0.3\n")
    frame = dd.read_csv(str(tmp_path / "runs-*.csv"))
    expected = aucrecall.auc_recall_grouped([1, 0, 0, 1, 1], [0.9, 0.7, 0.8, 0.2, 0.3],
                                            groups=np.array(["q1", "q2", "q1", "q2", "q1"], dtype=object))
    for npartitions in (None, 7):
        got = ad.auc_recall_grouped(frame["label"], frame["score"], groups=frame["query"], npartitions=npartitions)
        assert list(got.frame["group"]) == ["q1", "q2"]
        assert np.array_equal(got.frame["auc_recall"].to_numpy(), expected.values, equal_nan=True)
        assert same(got.mean, expected.mean)


def test_ranked_groups_and_the_error_policy(client):
    labels = np.array([1, 0, 0, 0, 1, 1, 0, 0])
    groups = np.array([7, 8, 7, 8, 9, 9, 7, 9])
    y, g = chunked(labels, [3, 2, 3]), chunked(groups, [3, 2, 3])
    expected = aucrecall.auc_recall_grouped(labels, groups=groups)
    got = ad.auc_recall_grouped(y, groups=g)
    assert np.array_equal(got.frame["auc_recall"].to_numpy(), expected.values, equal_nan=True)
    with pytest.raises(ValueError, match=r"group 8 is undefined \(no positive item\); its first item is at index 1"):
        ad.auc_recall_grouped(y, groups=g, undefined="error")


def test_a_killed_worker_does_not_change_the_value(client, small_ranges):
    rng = np.random.default_rng(33)
    labels, scores = data("ties", 200_000, rng)
    sizes = [12_500] * 16
    expected = aucrecall.auc_recall(labels, scores)
    victim = next(iter(client.cluster.workers.values()))  # a Nanny: it starts a new worker
    before = victim.process.process.pid
    killer = threading.Timer(0.2, lambda: os.kill(victim.process.process.pid, signal.SIGKILL))
    killer.start()
    got = ad.auc_recall(chunked(labels, sizes), chunked(scores, sizes), path="shuffle")
    killer.join()
    assert got == expected
    client.wait_for_workers(2, timeout=60)
    assert victim.process.process.pid != before  # the kill happened (during or after the call)
