"""Decimate a long series for display: every bucket's minimum and maximum are kept.

A chart ``P`` pixels wide cannot show more than one low and one high per pixel
column; keeping exactly those points (the first minimum and first maximum of each
bucket, plus the first and last point) draws the same picture as the full series,
and the series' global extremes (the equity peak, the drawdown trough) are exact.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from peak_trade.core.errors import PeakTradeError
from peak_trade.reporting._decimate_nb import minmax_indices_nb

__all__ = ["MAX_POINTS", "decimate_indices"]

#: Points per series after decimation, at most.
MAX_POINTS: Final = 4_000


def decimate_indices(
    values: npt.ArrayLike, /, *, max_points: int = MAX_POINTS
) -> npt.NDArray[np.int64]:
    """The ascending indices of ``values`` to draw: at most ``max_points`` of them.

    Raises:
        PeakTradeError: ``max_points`` is below 4, or ``values`` holds NaN or inf.

    Example:
        >>> decimate_indices(np.array([0.0, 5.0, -1.0, 2.0, 3.0, 1.0]), max_points=4)
        array([0, 1, 2, 5])
    """
    if max_points < 4:
        msg = f"`max_points` must be at least 4; got {max_points!r}"
        raise PeakTradeError(msg, hint="pass max_points=4000 (the default)")
    arr = np.ascontiguousarray(values, dtype=np.float64)
    # One summing pass: a finite sum means finite values (an overflow is looked at closely).
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(arr.sum())
    if not math.isfinite(total) and not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        msg = f"cannot decimate a series with NaN or inf; first at index {bad} ({arr[bad]!r})"
        raise PeakTradeError(msg, hint="drop or fill the non-finite values first")
    n_buckets = (max_points - 2) // 2
    out = np.empty(2 * n_buckets + 2, dtype=np.int64)
    if arr.size > out.size:
        return out[: minmax_indices_nb(arr, n_buckets, out)].copy()
    return np.arange(arr.size, dtype=np.int64)
