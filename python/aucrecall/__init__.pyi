# Type stub of the package aucrecall: the extension module (python/aucrecall_module.cpp) and the
# mergeable summary of python/aucrecall/__init__.py. aucrecall.dask is plain Python.
from typing import Literal, Optional

import numpy as np
import numpy.typing as npt

__version__: str

def auc_recall(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    *,
    k: Optional[int] = None,
    ties: Literal["average", "stable"] = "average",
    kernel: Optional[str] = None,
) -> float:
    """AUC-Recall@k of one scored list, over the first k ranks when k is given (NaN without a
    positive or with fewer than 2 ranks)."""

def auc_recall_ranked(y_true: npt.ArrayLike, *, k: Optional[int] = None) -> float:
    """AUC-Recall@k of labels already in rank order (index 0 = rank 0)."""

class GroupedResult:
    values: npt.NDArray[np.float64]
    groups: np.ndarray
    n: npt.NDArray[np.int64]
    positives: npt.NDArray[np.int64]
    mean: float
    counted: int
    skipped: int
    def __len__(self) -> int: ...

def auc_recall_grouped(
    y_true: npt.ArrayLike,
    y_score: Optional[npt.ArrayLike] = None,
    *,
    groups: npt.ArrayLike,
    k: Optional[int] = None,
    ties: Literal["average", "stable"] = "average",
    undefined: Literal["skip", "zero", "error"] = "skip",
    low_memory: bool = False,
) -> GroupedResult:
    """AUC-Recall@k per group (query, user) in order of first appearance, and their mean."""

def kernels() -> list[tuple[str, str]]:
    """(name, description) of every kernel, in registry order."""

def default_kernel(n: int) -> str:
    """The kernel auc_recall runs for n items when none is named."""

def simd_isa() -> str:
    """The instruction set the SIMD kernels use in this process."""

def scratch_bytes() -> int:
    """Bytes of scratch memory kept for the calling thread between calls."""

def release_scratch() -> None:
    """Frees the scratch memory kept for the calling thread."""

def _input_addresses(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> tuple[int, int]: ...

def _group_keys_address(groups: npt.ArrayLike) -> int: ...

class Summary:
    ties: str
    n: int
    positives: int
    discordant: int
    tied: int
    tied_negative_first: int
    top_size: int
    top_positives: int
    top_first_positive: bool
    lowest: float
    highest: float
    def metric(self) -> float:
        """AUC-Recall of the summarised input."""

def summarize(
    y_true: npt.ArrayLike, y_score: npt.ArrayLike, *, ties: Literal["average", "stable"] = "average"
) -> Summary:
    """The mergeable counts of one scored list."""

def merge(a: Summary, b: Summary) -> Summary:
    """The Summary of two parts whose score ranges do not overlap."""
