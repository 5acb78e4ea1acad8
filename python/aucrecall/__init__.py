"""AUC-Recall@k on NumPy arrays (the aucrecall C++ library).

The entry points come from the extension module `aucrecall._aucrecall`; this package adds the
mergeable summary (`summarize`, `merge`, `Summary`) and, imported only when used, `aucrecall.dask`
(the exact metric on partitioned Dask data).
"""
from dataclasses import dataclass

from ._aucrecall import *  # noqa: F401,F403  (auc_recall, auc_recall_ranked, auc_recall_grouped, ...)
from ._aucrecall import __doc__, __version__  # noqa: F401
from ._aucrecall import _input_addresses, _group_keys_address  # noqa: F401  (testing hooks)
from . import _aucrecall


@dataclass(frozen=True)
class Summary:
    """The integers of the rank-sum identity for one input: everything the metric needs.

    Two summaries of parts whose score ranges do not overlap merge into the summary of their
    concatenation (`merge`), so a data set split by score range, shard or query is counted part
    by part and still gives the exact metric (`metric()`, the same bits as `auc_recall`).
    Plain fields, so a Summary pickles and travels between processes.
    """
    ties: str
    n: int
    positives: int
    discordant: int           # D: (negative, positive) pairs with the negative scored higher
    tied: int                 # T: (negative, positive) pairs with equal scores
    tied_negative_first: int  # under "stable": tied pairs with the negative first in input order
    top_size: int             # items with the highest score
    top_positives: int        # positives among them
    top_first_positive: bool  # the label of the first of them in input order
    lowest: float             # the score range (+inf, -inf when empty)
    highest: float

    def metric(self):
        """AUC-Recall of the summarised input (NaN without a positive or with fewer than 2 items)."""
        return _aucrecall._summary_metric(self._tuple())

    def _tuple(self):
        return (self.ties, self.n, self.positives, self.discordant, self.tied, self.tied_negative_first,
                self.top_size, self.top_positives, self.top_first_positive, self.lowest, self.highest)


def summarize(y_true, y_score, *, ties="average"):
    """The mergeable counts of one scored list (aucrecall.Summary), counted by the library's
    fastest kernel. Raises ValueError like auc_recall for bad input."""
    return Summary(*_aucrecall._summarize(y_true, y_score, ties))


def merge(a, b):
    """The Summary of two parts whose scores do not overlap (every score of one above every
    score of the other), in either order. Raises ValueError when the ranges overlap (equal scores
    across the parts) or the parts were counted for different tie policies."""
    if not isinstance(a, Summary) or not isinstance(b, Summary):
        raise TypeError("merge takes two aucrecall.Summary values, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    return Summary(*_aucrecall._merge(a._tuple(), b._tuple()))
