"""The rolling Sharpe kernel of the report (numpy in, numpy out)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["rolling_sharpe_nb"]


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
    # mean / std * root = s1 * c / sqrt(q) with q = s2 - s1 * s1 / window: one
    # division and one square root a bar (division-bound); the returns leaving
    # the window come from a ring of the last ``window`` returns.
    c = root * math.sqrt(window - 1) / window
    inv_w = 1.0 / window
    ring = np.zeros(window, dtype=np.float64)
    slot = 0
    s1 = 0.0
    s2 = 0.0
    k = 0
    prev = initial
    for i in range(equity.shape[0]):
        e = equity[i]
        v = e / prev - 1.0 if prev > 0.0 else 0.0  # bar_returns_nb's formula
        prev = e
        old = ring[slot]  # 0.0 until the window is full
        ring[slot] = v
        slot = slot + 1 if slot + 1 < window else 0
        s1 += v - old
        s2 += v * v - old * old
        if i < window - 1:
            continue
        q = s2 - s1 * s1 * inv_w
        if q > 0.0:
            sharpe = s1 * c / math.sqrt(q)
            if math.isfinite(sharpe):
                idx_out[k] = i
                val_out[k] = sharpe
                k += 1
    return k
