"""The exact AUC-Recall@k of a data set spread over Dask partitions.

The data never has to fit in one process: every count is made by the aucrecall C++ library on
one partition (or one score range) at a time, and the counts merge exactly (SPEC.md,
"Partitioned input"): the result equals the in-memory `aucrecall.auc_recall` on the concatenated
data, bit for bit. Dask does the scheduling, the transport and the shuffle; nothing here
replaces them.

    import dask.array as da, aucrecall.dask
    y_true = da.from_array(labels, chunks=1_000_000)
    y_score = da.from_array(scores, chunks=1_000_000)
    aucrecall.dask.auc_recall(y_true, y_score)            # a float, like aucrecall.auc_recall

Each call computes (like `.compute()`) on the scheduler in force: a `distributed.Client` when
one exists (`Client("tcp://scheduler:8786")` points it at a cluster), otherwise Dask's default
scheduler. How the global metric is counted:

1. One pass over every partition, tree-reduced in partition order: the input checks (a bad label
   or a NaN names its global row: the rows of earlier partitions plus its index in its partition),
   n, P, the highest score's tie group, a per-label histogram of score keys (bins on key
   boundaries, so equal scores share a bin), and the keys of whichever class is small.
2. When one class has at most `BROADCAST_MAX_ITEMS` items (the retrieval case: few positives),
   its sorted keys go to every partition, which counts its own items of the other class against
   them: one more read, integers summed, no shuffle ("broadcast").
3. Otherwise the rows are range-partitioned by score (ranges of whole histogram bins, at most
   `RANGE_MAX_ITEMS` rows each) with Dask's task shuffle, each range is counted as one input and
   the range summaries merge in score order ("shuffle"). A bin holding more rows is split by a
   finer histogram (one more read per level, only for such bins); a single score value holding
   more rows does not travel: all its pairs are ties, counted in closed form where its rows lie.

`ties="stable"` follows the global row order (partition, then row); the row position travels
where it is needed. A cutoff `k` sends only the rows that can reach rank K (the histogram says
which bins, refined like the ranges above) to one task; of a single score value holding more
rows than `RANGE_MAX_ITEMS` at rank K, only the rows needed to reach rank K travel, the rest are
counted. Groups are shuffled by key so that each group is evaluated whole.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

import dask
import dask.array as da
import dask.dataframe as dd
from dask.dataframe.shuffle import rearrange_by_column

from . import _aucrecall as _core
from . import auc_recall_grouped as _grouped_in_memory

# The smaller class is broadcast up to this many items (16 bytes each, key and position: 256 MiB
# held by every worker at the most).
BROADCAST_MAX_ITEMS = 16_000_000
# Rows per score range in the shuffle path: larger histogram bins are split by one more read per
# level, and a single score value holding more rows never travels (its pairs are counted in closed
# form), so no worker holds more than this many shuffled rows at a time plus its own partitions.
RANGE_MAX_ITEMS = 2_000_000
_HISTOGRAM_SHIFT = 64 - _core._histogram_bits()


# ---- inputs ---------------------------------------------------------------------------------------

def _partitions(name, values):
    """The delayed partitions of a 1-D Dask array or a Dask Series, and their lengths when known."""
    if isinstance(values, da.Array):
        if values.ndim != 1:
            raise ValueError(f"{name} must be a one-dimensional Dask array, got {values.ndim} dimensions")
        return list(values.to_delayed().ravel()), list(values.chunks[0])
    if isinstance(values, dd.Series):
        return list(values.to_delayed()), None
    if isinstance(values, dd.DataFrame):
        raise TypeError(f"{name} must be a Dask Series or array, got a Dask DataFrame: pick its column")
    raise TypeError(f"{name} must be a Dask array or a Dask Series, got {type(values).__name__} "
                    "(aucrecall.auc_recall takes in-memory data)")


def _aligned(**columns):
    """The partitions of each given column; they must be partitioned alike."""
    found = {name: _partitions(name, values) for name, values in columns.items() if values is not None}
    names = list(found)
    first = names[0]
    for name in names[1:]:
        if len(found[name][0]) != len(found[first][0]):
            raise ValueError(f"{first} and {name} must be partitioned alike: {len(found[first][0])} "
                             f"and {len(found[name][0])} partitions")
        a, b = found[first][1], found[name][1]
        if a is not None and b is not None and a != b:
            raise ValueError(f"{first} and {name} must be partitioned alike: chunk lengths differ "
                             f"(first difference at partition {next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)})")
    return {name: parts for name, (parts, _) in found.items()}


def _as_numpy(part):
    return part.to_numpy() if isinstance(part, pd.Series) else np.asarray(part)


# ---- pass 1: checks, counts, top group, histogram, the small class ---------------------------------

def _scan(index, labels, scores, collect_max):
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    if len(labels) != len(scores):
        return {"n": 0, "lengths": [len(labels)], "error": (
            0, f"partition {index}: y_true has {len(labels)} rows and y_score {len(scores)}")}
    (n, positives, top_key, top_size, top_positives, top_first, bins, bin_pos, bin_neg,
     error) = _core._partition_scan(labels, scores)
    out = {"n": n, "lengths": [n], "positives": positives, "error": error,
           "top": (top_key, top_size, top_positives, top_first) if n else None}
    if error is not None:
        return out
    out["bins"], out["bin_positives"], out["bin_negatives"] = bins, bin_pos, bin_neg
    small = {}
    for label, count in ((True, positives), (False, n - positives)):
        if count <= collect_max:  # the keys of a class small enough to be broadcast, and only those
            small[label] = _class_items(labels, scores, 0, label)
    out["small"] = small
    return out


def _combine(a, b, collect_max):
    """a's rows come before b's: positions and error indices of b shift by a's rows."""
    shift = a["n"]
    out = {"n": a["n"] + b["n"], "lengths": a["lengths"] + b["lengths"]}
    if a.get("error") is not None or b.get("error") is not None:
        if a.get("error") is not None:
            out["error"] = a["error"]
        else:
            index, message = b["error"]
            out["error"] = (shift + index, message)
        return out
    out["error"] = None
    out["positives"] = a["positives"] + b["positives"]
    tops = [t for t in (a["top"], b["top"]) if t is not None]
    if len(tops) == 2 and tops[0][0] == tops[1][0]:
        out["top"] = (tops[0][0], tops[0][1] + tops[1][1], tops[0][2] + tops[1][2], tops[0][3])
    else:
        out["top"] = max(tops, key=lambda t: t[0]) if tops else None
    bins = np.concatenate([a["bins"], b["bins"]])
    merged, inverse = np.unique(bins, return_inverse=True)
    out["bins"] = merged
    out["bin_positives"] = np.bincount(inverse, weights=np.concatenate([a["bin_positives"], b["bin_positives"]]),
                                       minlength=len(merged)).astype(np.uint64)
    out["bin_negatives"] = np.bincount(inverse, weights=np.concatenate([a["bin_negatives"], b["bin_negatives"]]),
                                       minlength=len(merged)).astype(np.uint64)
    small = {}
    for label in (True, False):
        if label in a["small"] and label in b["small"] and \
                len(a["small"][label][0]) + len(b["small"][label][0]) <= collect_max:
            small[label] = (np.concatenate([a["small"][label][0], b["small"][label][0]]),
                            np.concatenate([a["small"][label][1], b["small"][label][1] + np.uint64(shift)]))
    out["small"] = small
    return out


def _tree(parts, combine):
    """Pairwise reduction that keeps partition order (a binary tree of delayed calls)."""
    while len(parts) > 1:
        parts = [dask.delayed(combine)(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
                 for i in range(0, len(parts), 2)]
    return parts[0]


def _first_pass(label_parts, score_parts, collect_max):
    # A partition offers a class's keys only up to its even share of the broadcast limit, so pass 1
    # never moves a large class around; an uneven spread of the small class costs one more read
    # (_gather_class) instead.
    share = max(1024, collect_max // max(1, len(label_parts))) if collect_max else 0
    scans = [dask.delayed(_scan)(i, y, s, share) for i, (y, s) in enumerate(zip(label_parts, score_parts))]
    total = dask.compute(_tree(scans, lambda a, b: _combine(a, b, collect_max)))[0]
    if total.get("error") is not None:
        index, message = total["error"]
        raise ValueError(f"{message} (global row {index})" if "partition" in message
                         else _global_message(message, index))
    return total


def _global_message(message, index):
    """The library's message names the index inside a partition; name the global row instead."""
    local = message.split(" at index ", 1)
    if len(local) == 2:
        rest = local[1].split(maxsplit=1)
        return f"{local[0]} at index {index}" + (f" {rest[1]}" if len(rest) > 1 else "")
    return f"{message} (global row {index})"


def _offsets(lengths):
    return np.concatenate([[0], np.cumsum(lengths, dtype=np.uint64)[:-1]]).astype(np.uint64)


# ---- the global metric -------------------------------------------------------------------------------

def _check_k(k):
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an int or None, got {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be at least 1 (a cutoff of K ranks), got {k}")
    return int(k)


def _check_ties(ties):
    if ties not in ("average", "stable"):
        raise ValueError(f"unknown tie policy '{ties}' (known: average, stable)")
    return ties


def _summary(ties, first, discordant, tied, tied_negative_first):
    top_key, top_size, top_positives, top_first = first["top"]
    return (ties, first["n"], first["positives"], discordant, tied, tied_negative_first,
            top_size, top_positives, top_first, math.inf, -math.inf)


def _count_part(labels, scores, offset, keys, positions, class_is_positive, ties):
    return _core._count_against(_as_numpy(labels), _as_numpy(scores), int(offset), keys, positions,
                                class_is_positive, ties)


def _class_items(labels, scores, offset, label):
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    where = np.flatnonzero((labels != 0) == label)
    return _core._score_keys(scores[where]), where.astype(np.uint64) + np.uint64(offset)


def _broadcast_counts(label_parts, score_parts, first, ties):
    # The smaller class (positives on a tie: the retrieval case), gathered in pass 1 when every
    # partition offered it, else by one more read.
    positives, negatives = first["positives"], first["n"] - first["positives"]
    label = positives <= negatives
    offsets = _offsets(first["lengths"])
    if label in first["small"]:
        keys, positions = first["small"][label]
    else:
        pieces = dask.compute(*[dask.delayed(_class_items)(y, s, offsets[i], label)
                                for i, (y, s) in enumerate(zip(label_parts, score_parts))])
        keys = np.concatenate([p[0] for p in pieces])
        positions = np.concatenate([p[1] for p in pieces])
    order = np.lexsort((positions, keys))  # keys ascending, ties in global order
    keys_d, positions_d = dask.delayed(keys[order]), dask.delayed(positions[order])
    counts = dask.compute(*[dask.delayed(_count_part)(y, s, offsets[i], keys_d, positions_d, label, ties)
                            for i, (y, s) in enumerate(zip(label_parts, score_parts))])
    return tuple(sum(c[j] for c in counts) for j in range(3))


# ---- the shuffle path: score ranges, refined where a bin is too large ----------------------------
#
# A cell is a run of 2^shift consecutive keys (a histogram bin is a cell of shift 64 - bits). Cells
# holding more than RANGE_MAX_ITEMS rows are split into finer cells by one more read, at the shifts
# below in turn; a cell whose rows all share one key (a single score value) is never split or
# moved: its pairs are all ties, counted in closed form from per-partition counts.
_REFINE_SHIFTS = (24, 4, 0)


@dataclass
class _Cells:
    """Non-empty cells in ascending key order: first key, shift, rows per label, and whether all
    of a cell's rows are known to share one key."""
    low: np.ndarray        # uint64, first key of each cell
    shift: np.ndarray      # uint64
    positives: np.ndarray  # uint64
    negatives: np.ndarray  # uint64
    one_key: np.ndarray    # bool

    def sizes(self):
        return self.positives + self.negatives


def _histogram_cells(first):
    shift = np.uint64(_HISTOGRAM_SHIFT)
    bins = first["bins"].astype(np.uint64)
    return _Cells(low=bins << shift, shift=np.full(len(bins), shift, np.uint64),
                  positives=first["bin_positives"].astype(np.uint64),
                  negatives=first["bin_negatives"].astype(np.uint64), one_key=np.zeros(len(bins), bool))


def _split_part(labels, scores, lows, lasts, shift):
    """This partition's rows in the cells [lows, lasts] (sorted, disjoint), counted per finer cell
    of 2^shift keys: (cell ids, positives, negatives, lowest key, highest key)."""
    keys = _core._score_keys(_as_numpy(scores))
    where = np.searchsorted(lows, keys, side="right") - 1
    inside = (where >= 0) & (keys <= lasts[np.maximum(where, 0)])
    keys, positive = keys[inside], (_as_numpy(labels)[inside] != 0)
    order = np.argsort(keys, kind="stable")
    keys, positive = keys[order], positive[order]
    cells = keys >> np.uint64(shift)
    if len(cells) == 0:
        empty = np.array([], np.uint64)
        return empty, empty, empty, empty, empty
    starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
    ends = np.concatenate([starts[1:], [len(cells)]]) - 1
    pos = np.add.reduceat(positive.astype(np.uint64), starts)
    sizes = (ends - starts + 1).astype(np.uint64)
    return cells[starts], pos, sizes - pos, keys[starts], keys[ends]


def _merge_splits(a, b):
    cells = np.concatenate([a[0], b[0]])
    unique, inverse = np.unique(cells, return_inverse=True)
    def summed(i):
        return np.bincount(inverse, weights=np.concatenate([a[i], b[i]]), minlength=len(unique)).astype(np.uint64)
    lowest = np.full(len(unique), np.iinfo(np.uint64).max, np.uint64)
    highest = np.zeros(len(unique), np.uint64)
    np.minimum.at(lowest, inverse, np.concatenate([a[3], b[3]]))
    np.maximum.at(highest, inverse, np.concatenate([a[4], b[4]]))
    return unique, summed(1), summed(2), lowest, highest


def _refine(label_parts, score_parts, cells, max_items):
    """Split every cell above max_items rows that may hold several keys, one read per level,
    until each cell fits or holds one key (at shift 0 every cell holds one key)."""
    for shift in _REFINE_SHIFTS:
        big = (cells.sizes() > np.uint64(max_items)) & ~cells.one_key
        if not big.any():
            break
        lows = cells.low[big]  # cells that may hold several keys are aligned to their size
        lasts = lows + ((np.uint64(1) << cells.shift[big]) - np.uint64(1))
        parts = [dask.delayed(_split_part)(y, s, lows, lasts, shift) for y, s in zip(label_parts, score_parts)]
        ids, pos, neg, lowest, highest = dask.compute(_tree(parts, _merge_splits))[0]
        fine = _Cells(low=ids << np.uint64(shift), shift=np.full(len(ids), shift, np.uint64),
                      positives=pos, negatives=neg, one_key=lowest == highest)
        # A cell holding one key starts at that key, so the ranges below never reach past it.
        fine.low = np.where(fine.one_key, lowest, fine.low)
        keep = ~big
        order = np.argsort(np.concatenate([cells.low[keep], fine.low]), kind="stable")
        cells = _Cells(*(np.concatenate([getattr(cells, f)[keep], getattr(fine, f)])[order]
                         for f in ("low", "shift", "positives", "negatives", "one_key")))
    return cells


def _ranges(cells, max_items):
    """Range starts (first keys, ascending), consecutive whole cells up to max_items rows each,
    and which ranges are one score value holding more rows than that (counted in closed form)."""
    starts, heavy, rows = [], [], 0
    for low, size, one_key in zip(cells.low, cells.sizes(), cells.one_key):
        big = bool(one_key) and int(size) > max_items
        if not starts or big or heavy[-1] or rows + int(size) > max_items:
            starts.append(int(low))
            heavy.append(big)
            rows = 0
        rows += int(size)
    return np.array(starts, dtype=np.uint64), np.array(heavy, dtype=bool)


def _range_frame(labels, scores, offset, starts, heavy, ties):
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    ranges = np.searchsorted(starts, _core._score_keys(scores), side="right").astype(np.int64) - 1
    rows = None
    if heavy.any():  # a heavy score value's rows stay where they are
        rows = np.flatnonzero(~heavy[ranges]).astype(np.uint64)
        labels, scores, ranges = labels[rows], scores[rows], ranges[rows]
    columns = {"label": (labels != 0).astype(np.uint8), "score": scores}
    if ties == "stable":  # the global row order travels only where ties need it
        columns["position"] = (np.arange(len(labels), dtype=np.uint64) if rows is None else rows) + np.uint64(offset)
    columns["_partitions"] = ranges
    return pd.DataFrame(columns)


def _heavy_part(labels, scores, keys):
    """Per score value in `keys`, this partition's rows of that value counted in closed form:
    (positives, negatives, (negative, positive) pairs with the negative first, first row's label,
    the score)."""
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    row_keys = _core._score_keys(scores)
    out = []
    for key in keys:
        rows = np.flatnonzero(row_keys == key)
        positive = labels[rows] != 0
        negatives_before = np.cumsum(~positive) - ~positive
        out.append((int(positive.sum()), int(len(rows) - positive.sum()),
                    int(negatives_before[positive].sum(dtype=np.uint64)),
                    bool(positive[0]) if len(rows) else None, float(scores[rows[0]]) if len(rows) else None))
    return out


def _heavy_summaries(pieces, ties):
    """The summary of each heavy score value from its partitions' counts, in partition order: a
    later partition's positives follow every negative of the earlier ones."""
    summaries = []
    for counts in zip(*pieces):
        positives = negatives = negative_first = 0
        first = score = None
        for p, n, pairs, first_label, value in counts:
            negative_first += pairs + negatives * p
            positives, negatives = positives + p, negatives + n
            if first is None and first_label is not None:
                first, score = first_label, value
        size = positives + negatives
        summaries.append((ties, size, positives, 0, positives * negatives,
                          negative_first if ties == "stable" else 0, size, positives, first, score, score))
    return summaries


def _count_range(frame, ties):
    """Summaries of the score ranges in one shuffled partition, as (range, summary) pairs."""
    out = []
    for r, rows in frame.groupby("_partitions", sort=True):
        if "position" in rows:
            rows = rows.sort_values("position", kind="stable")
        out.append((int(r), _core._summarize(rows["label"].to_numpy(), rows["score"].to_numpy(), ties)))
    return out


def _shuffle_counts(label_parts, score_parts, first, ties):
    cells = _refine(label_parts, score_parts, _histogram_cells(first), RANGE_MAX_ITEMS)
    starts, heavy = _ranges(cells, RANGE_MAX_ITEMS)
    offsets = _offsets(first["lengths"])
    score_dtype = dask.compute(dask.delayed(lambda s: _as_numpy(s).dtype)(score_parts[0]))[0]
    meta = _range_frame(np.array([], np.uint8), np.array([], score_dtype), 0, starts, heavy, ties)
    frames = [dask.delayed(_range_frame)(y, s, offsets[i], starts, heavy, ties)
              for i, (y, s) in enumerate(zip(label_parts, score_parts))]
    table = dd.from_delayed(frames, meta=meta, verify_meta=False)
    shuffled = rearrange_by_column(table, "_partitions", npartitions=len(starts), shuffle="tasks")
    heavy_keys = starts[heavy]
    counted = [dask.delayed(_count_range)(part, ties) for part in shuffled.to_delayed()]
    heavy_parts = [dask.delayed(_heavy_part)(y, s, heavy_keys) for y, s in zip(label_parts, score_parts)] \
        if len(heavy_keys) else []
    pieces, heavy_pieces = dask.compute(counted, heavy_parts)
    ordered = [pair for piece in pieces for pair in piece]
    if len(heavy_keys):
        ordered += list(zip(np.flatnonzero(heavy).tolist(), _heavy_summaries(heavy_pieces, ties)))
    ordered.sort(key=lambda pair: pair[0])
    total = None
    for _, summary in ordered:
        total = summary if total is None else _core._merge(total, summary)
    return total


def auc_recall(y_true, y_score, *, k=None, ties="average", path=None):
    """AUC-Recall@k of one scored list held as Dask arrays or Dask Series (same partitioning):
    the same float as aucrecall.auc_recall on the concatenated data, bit for bit.

    k: cutoff K (int >= 1) or None. ties: "average" or "stable" (ties follow the global row order:
    partition, then row). path: None picks "broadcast" when one class has at most
    BROADCAST_MAX_ITEMS items, else "shuffle"; either can be forced (tests, measurements).
    Raises ValueError naming the global row of the first bad label or NaN score, and for
    partitionings that differ; TypeError for in-memory inputs.
    """
    ties = _check_ties(ties)
    k = _check_k(k)
    if path not in (None, "broadcast", "shuffle"):
        raise ValueError(f"unknown path '{path}' (known: broadcast, shuffle)")
    parts = _aligned(y_true=y_true, y_score=y_score)
    label_parts, score_parts = parts["y_true"], parts["y_score"]
    first = _first_pass(label_parts, score_parts,
                        collect_max=0 if path == "shuffle" else BROADCAST_MAX_ITEMS)
    n, positives = first["n"], first.get("positives", 0)
    if positives == 0 or n < 2 or (k is not None and k < 2):
        return math.nan
    if k is not None and k < n:
        return _cutoff(label_parts, score_parts, first, k, ties)
    small_class = min(positives, n - positives)
    if path == "broadcast" or (path is None and small_class <= BROADCAST_MAX_ITEMS):
        discordant, tied, tied_negative_first = _broadcast_counts(label_parts, score_parts, first, ties)
        if ties != "stable":
            tied_negative_first = 0
        return _core._summary_metric(_summary(ties, first, discordant, tied, tied_negative_first))
    merged = _shuffle_counts(label_parts, score_parts, first, ties)
    return _core._summary_metric(merged)


# ---- cutoff K: the rows that can reach rank K --------------------------------------------------------

def _top_rows(labels, scores, threshold_key):
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    keep = _core._score_keys(scores) >= np.uint64(threshold_key)
    return labels[keep], scores[keep]


def _above_and_first_tied(labels, scores, tie_key, tied_wanted):
    """This partition's rows scoring above the tie group's score and its first `tied_wanted` rows
    of the group (row order), and which of the rows returned are the group's: with the earlier
    partitions' first rows, the group's first in global order."""
    labels, scores = _as_numpy(labels), _as_numpy(scores)
    keys = _core._score_keys(scores)
    tied = keys == np.uint64(tie_key)
    keep = (keys > np.uint64(tie_key)) | (tied & (np.cumsum(tied) <= tied_wanted))
    return labels[keep], scores[keep], tied[keep]


def _straddling_cell(cells, k):
    """(index of the cell holding rank k-1 counted from the top, rows in the cells above it)."""
    above = np.cumsum(cells.sizes()[::-1].astype(np.uint64))  # rows in the highest cells
    at = int(np.searchsorted(above, np.uint64(k)))
    index = len(above) - 1 - at
    return index, int(above[at]) - int(cells.sizes()[index])


def _cutoff(label_parts, score_parts, first, k, ties):
    """Rows that can reach rank K go to one task: every row above the cell holding rank K-1 and
    that cell's rows. A cell of more than RANGE_MAX_ITEMS rows is split by finer histograms
    (_refine) until it fits or holds one score value; such a value's rows beyond those that
    reach rank K are counted, not moved (the closed form needs only their number and positives)."""
    cells = _histogram_cells(first)
    index, above = _straddling_cell(cells, k)
    if int(cells.sizes()[index]) > RANGE_MAX_ITEMS:
        one = _Cells(*(getattr(cells, f)[index:index + 1]
                       for f in ("low", "shift", "positives", "negatives", "one_key")))
        fine = _refine(label_parts, score_parts, one, RANGE_MAX_ITEMS)
        inner, inner_above = _straddling_cell(fine, k - above)
        cells, index, above = fine, inner, above + inner_above
    size = int(cells.sizes()[index])
    if bool(cells.one_key[index]) and size > RANGE_MAX_ITEMS:
        tie_key, wanted = int(cells.low[index]), k - above
        pieces = dask.compute(*[dask.delayed(_above_and_first_tied)(y, s, tie_key, wanted)
                                for y, s in zip(label_parts, score_parts)])
        labels_list, scores_list, kept_tied, kept_tied_positives = [], [], 0, 0
        for labels, scores, tied in pieces:  # partition order: the group's first rows in global order
            keep = ~tied | (np.cumsum(tied) <= wanted - kept_tied)
            labels, tied = labels[keep], tied[keep]
            kept_tied += int(np.count_nonzero(tied))
            kept_tied_positives += int(np.count_nonzero(labels[tied]))
            labels_list.append(labels)
            scores_list.append(scores[keep])
        labels, scores = np.concatenate(labels_list), np.concatenate(scores_list)
        positives_below = first["positives"] - int(np.count_nonzero(labels))
        return _core._compute_top(labels, scores, k, positives_below, ties,
                                  tied_elsewhere=size - kept_tied,
                                  tied_positives_elsewhere=int(cells.positives[index]) - kept_tied_positives)
    threshold = int(cells.low[index])
    pieces = dask.compute(*[dask.delayed(_top_rows)(y, s, threshold) for y, s in zip(label_parts, score_parts)])
    labels = np.concatenate([p[0] for p in pieces])
    scores = np.concatenate([p[1] for p in pieces])
    positives_below = first["positives"] - int(np.count_nonzero(labels))
    return _core._compute_top(labels, scores, k, positives_below, ties)


# ---- groups ------------------------------------------------------------------------------------------

@dataclass
class GroupedResult:
    """Per-group values of a partitioned data set (columns group, n, positives, auc_recall, in
    order of first appearance) and the mean over counted groups, as aucrecall.GroupedResult."""
    frame: pd.DataFrame
    mean: float
    counted: int
    skipped: int


def _group_frame(index, labels, scores, groups):
    labels = _as_numpy(labels)
    frame = pd.DataFrame({"label": labels, "group": _as_numpy(groups),
                          "part": np.full(len(labels), index, dtype=np.int64),
                          "row": np.arange(len(labels), dtype=np.int64)})
    if scores is not None:
        frame["score"] = _as_numpy(scores)
    return frame


def _evaluate_groups(frame, k, ties):
    if len(frame) == 0:  # a shuffle target no group went to: typed, so the concatenation stays int64
        return pd.DataFrame({"group": frame["group"].to_numpy(), "n": np.zeros(0, np.uint64),
                             "positives": np.zeros(0, np.uint64), "auc_recall": np.zeros(0, np.float64),
                             "part": np.zeros(0, np.int64), "row": np.zeros(0, np.int64)})
    frame = frame.sort_values(["part", "row"], kind="stable")
    scores = frame["score"].to_numpy() if "score" in frame else None
    result = _grouped_in_memory(frame["label"].to_numpy(), scores, groups=frame["group"].to_numpy(),
                                k=k, ties=ties, undefined="skip")
    firsts = frame.drop_duplicates("group", keep="first")
    return pd.DataFrame({"group": result.groups, "n": result.n, "positives": result.positives,
                         "auc_recall": result.values, "part": firsts["part"].to_numpy(),
                         "row": firsts["row"].to_numpy()})


def auc_recall_grouped(y_true, y_score=None, *, groups, k=None, ties="average", undefined="skip",
                       npartitions=None):
    """AUC-Recall@k per group of a partitioned data set, and the mean over groups: the values of
    aucrecall.auc_recall_grouped on the concatenated data, bit for bit (the mean too).

    Rows of a group may sit in any partition: one shuffle by group key (Dask's task shuffle)
    brings each group's rows together, each group is evaluated whole in global row order, and the
    results are put back in order of first appearance. y_score None: each group's rows are in
    rank order. undefined: "skip", "zero" or "error" (ValueError naming the first undefined
    group and the global row of its first item). npartitions: partitions after the shuffle
    (default: as many as y_true has).
    """
    ties = _check_ties(ties)
    k = _check_k(k)
    if undefined not in ("skip", "zero", "error"):
        raise ValueError(f"unknown undefined-group policy '{undefined}' (known: skip, zero, error)")
    parts = _aligned(y_true=y_true, y_score=y_score, groups=groups)
    label_parts, group_parts = parts["y_true"], parts["groups"]
    score_parts = parts.get("y_score", [None] * len(label_parts))
    frames = [dask.delayed(_group_frame)(i, y, s, g)
              for i, (y, s, g) in enumerate(zip(label_parts, score_parts, group_parts))]
    sample = dask.compute(frames[0])[0].iloc[:0]
    table = dd.from_delayed(frames, meta=sample, verify_meta=False)
    shuffled = table.shuffle("group", npartitions=npartitions or len(label_parts), shuffle="tasks")
    lengths = [dask.delayed(len)(y) for y in label_parts]
    pieces, lengths = dask.compute([dask.delayed(_evaluate_groups)(p, k, ties) for p in shuffled.to_delayed()],
                                   lengths)
    result = pd.concat(pieces, ignore_index=True).sort_values(["part", "row"], kind="stable")
    offsets = _offsets(lengths)
    first_row = offsets[result["part"].to_numpy(np.int64)] + result["row"].to_numpy(np.int64).astype(np.uint64)
    values = result["auc_recall"].to_numpy(dtype=np.float64).copy()
    undefined_mask = np.isnan(values)
    if undefined == "error" and undefined_mask.any():
        g = int(np.flatnonzero(undefined_mask)[0])
        n_g, positives_g = int(result["n"].iloc[g]), int(result["positives"].iloc[g])
        reason = "no positive item" if positives_g == 0 else \
            f"fewer than 2 ranks: {n_g} item{'' if n_g == 1 else 's'}" + (f", cutoff K = {k}" if k else "")
        raise ValueError(f"group {result['group'].iloc[g]} is undefined ({reason}); "
                         f"its first item is at index {int(first_row[g])}")
    if undefined == "zero":
        values[undefined_mask] = 0.0
    counted = values[~np.isnan(values)]
    # The library's mean: a long double sum in group order, one division (cumsum is sequential).
    mean = float(np.cumsum(counted.astype(np.longdouble))[-1] / np.longdouble(len(counted))) \
        if len(counted) else math.nan
    frame = pd.DataFrame({"group": result["group"].to_numpy(), "n": result["n"].to_numpy(np.int64),
                          "positives": result["positives"].to_numpy(np.int64), "auc_recall": values})
    return GroupedResult(frame=frame, mean=mean, counted=len(counted),
                         skipped=int(undefined_mask.sum()) if undefined == "skip" else 0)
