"""Inputs as users hold them, turned into the NumPy arrays the library reads.

Called by the extension module only for what NumPy alone does not read as numbers: pandas'
extension dtypes (nullable Int64/boolean/Float64, Categorical, string) and group keys that are not
integers. Missing values are never dropped: the first one is named by its position.
"""
import numpy as np


def _first_missing(missing, what):
    missing = np.asarray(missing, dtype=bool)
    if missing.any():
        index = int(np.flatnonzero(missing)[0])
        raise ValueError(f"{what} has a missing value (NA) at index {index}; "
                         "drop or fill missing values before calling")


def column(value, what):
    """A pandas Series or array with an extension dtype as a NumPy array of its values: nullable
    integer, boolean and float dtypes as their NumPy dtype (int64, bool, float64), a Categorical
    as its category values. ValueError naming the first NA."""
    import pandas as pd
    _first_missing(pd.isna(value), what)
    dtype = value.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return np.asarray(value)
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if numpy_dtype is not None:
        return value.to_numpy(dtype=numpy_dtype)
    return value.to_numpy()


def categorical_codes(value):
    """(the Categorical, its codes as a NumPy integer array, its number of categories) for a pandas
    Categorical, categorical Series or CategoricalIndex; None for anything else. The module numbers
    the codes in order of first appearance itself (a table per category, no hashing); a code of -1
    is a missing key."""
    if type(getattr(value, "dtype", None)).__name__ != "CategoricalDtype":  # pandas need not be imported
        return None
    categorical = getattr(value, "array", value)  # a Series' or an Index's Categorical
    return categorical, np.asarray(categorical.codes), len(categorical.categories)


def string_objects(value):
    """A pandas `string` Series, Index or array as a NumPy object array of its values (a missing
    key stays pd.NA, which group_codes then names by its position); None for anything else. The
    module numbers the texts itself: pandas.factorize reads such keys only up to a NUL character
    ("a" and "a\\x00b" would be one group)."""
    if type(getattr(value, "dtype", None)).__name__ != "StringDtype":  # pandas need not be imported
        return None
    return np.asarray(value, dtype=object)


def group_codes(value):
    """(int64 codes, the keys indexable by item) for group keys that are not a NumPy integer array,
    an array of str or a Categorical: codes from hashing (pandas.factorize; NumPy's unique, a sort,
    only where pandas is missing). ValueError naming the first NA key (None, NaN, pd.NA)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency of the study, not of the module
        return _group_codes_numpy(value)
    if isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        keys = value
    else:
        keys = np.asarray(value)
        if keys.ndim != 1:
            raise ValueError(f"groups must be one-dimensional, got {keys.ndim} dimensions")
    codes, _ = pd.factorize(keys)
    _first_missing(codes < 0, "groups")
    return codes.astype(np.int64, copy=False), np.asarray(keys)


def _group_codes_numpy(value):
    keys = np.asarray(value)
    if keys.dtype.kind == "f":
        _first_missing(np.isnan(keys), "groups")
    elif keys.dtype.kind == "O":
        _first_missing([k is None or k != k for k in keys], "groups")
    _, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64).ravel(), keys
