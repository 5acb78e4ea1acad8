# Type stub of the extension module aucrecall (python/aucrecall_module.cpp).
from typing import Literal, Optional

import numpy.typing as npt

__version__: str

def auc_recall(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    *,
    ties: Literal["average", "stable"] = "average",
    kernel: Optional[str] = None,
) -> float:
    """AUC-Recall@k of one scored list (NaN without a positive or with fewer than 2 items)."""

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
