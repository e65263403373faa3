"""Benchmark reference: the strict OHLCV row rules as one numba pass.

This is not library code. It is the "single-pass numba kernel doing the same
checks over the same columns" that issue 2 measures the contract gate against:
per row it checks every strict row rule (timestamp order and uniqueness, missing
and non-finite values, positive prices, high/low sanity, non-negative volume) and
returns the first failing row. Null timestamps and null values are read from the
Arrow validity metadata (``null_count``, O(1)), as the gate does; a valid frame
has none, so the arrays are zero-copy views.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import polars as pl
from numba import njit

__all__ = ["first_bad_row_nb", "numba_contract_ok"]

_VALUES = ("open", "high", "low", "close", "volume")


@njit(cache=True, nogil=True)
def first_bad_row_nb(
    ts: npt.NDArray[np.int64],
    o: npt.NDArray[np.float64],
    h: npt.NDArray[np.float64],
    lo: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
) -> int:
    """Reference: tests/data/contract_reference.py's row-by-row strict checker."""
    n = ts.shape[0]
    for i in range(n):
        if i > 0 and ts[i] <= ts[i - 1]:  # duplicate_timestamps / unsorted_timestamps
            return i
        oi = o[i]
        hi = h[i]
        li = lo[i]
        ci = c[i]
        vi = v[i]
        # missing_values + non_finite, per column
        if not (
            math.isfinite(oi)
            and math.isfinite(hi)
            and math.isfinite(li)
            and math.isfinite(ci)
            and math.isfinite(vi)
        ):
            return i
        # non_positive_price, per column
        if oi <= 0.0 or hi <= 0.0 or li <= 0.0 or ci <= 0.0:
            return i
        if hi < li:  # high_below_low
            return i
        if hi < max(oi, ci):  # high_below_open_close
            return i
        if li > min(oi, ci):  # low_above_open_close
            return i
        if vi < 0.0:  # negative_volume
            return i
    return -1


def numba_contract_ok(df: pl.DataFrame, /, *, timestamp: str = "timestamp") -> bool:
    """True when ``df`` passes every strict row rule (Float64 values, Datetime index)."""
    ts_col = df.get_column(timestamp)
    if ts_col.null_count() or any(df.get_column(n).null_count() for n in _VALUES):
        return False  # null_timestamp / missing_values
    ts = ts_col.to_physical().to_numpy()
    o, h, lo, c, v = (df.get_column(n).to_numpy() for n in _VALUES)
    return bool(first_bad_row_nb(ts, o, h, lo, c, v) < 0)
