"""The rolling Sharpe kernel of the report (numpy in, numpy out)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["rolling_sharpe_nb"]


@njit(cache=True, nogil=True)
def _bar_return_nb(equity: npt.NDArray[np.float64], initial: float, i: int) -> float:
    """Reference: peak_trade.backtest.risk_stats.bar_returns(equity, initial)[i]."""
    prev = equity[i - 1] if i > 0 else initial
    return equity[i] / prev - 1.0 if prev > 0.0 else 0.0


@njit(cache=True, nogil=True)
def rolling_sharpe_nb(
    equity: npt.NDArray[np.float64],
    initial: float,
    window: int,
    root: float,
    idx_out: npt.NDArray[np.int64],
    val_out: npt.NDArray[np.float64],
) -> int:
    """Reference: polars rolling_mean / rolling_std (ddof 1) * root of the bar returns, finite only.

    The bar returns are computed on the fly (no full-length array); the finite
    Sharpe values and their bar indices are written compactly into ``val_out``
    and ``idx_out`` (each at least ``equity.shape[0]`` long), and their count is
    returned.
    """
    s1 = 0.0
    s2 = 0.0
    k = 0
    for i in range(equity.shape[0]):
        v = _bar_return_nb(equity, initial, i)
        s1 += v
        s2 += v * v
        if i >= window:
            old = _bar_return_nb(equity, initial, i - window)
            s1 -= old
            s2 -= old * old
        if i < window - 1:
            continue
        mean = s1 / window
        var = max(s2 - s1 * mean, 0.0) / (window - 1)
        if var > 0.0:
            sharpe = mean / math.sqrt(var) * root
            if math.isfinite(sharpe):
                idx_out[k] = i
                val_out[k] = sharpe
                k += 1
    return k
