"""The rolling Sharpe kernel of the report (numpy in, numpy out)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["rolling_sharpe_nb"]


@njit(cache=True, nogil=True)
def rolling_sharpe_nb(
    r: npt.NDArray[np.float64], window: int, root: float, out: npt.NDArray[np.float64]
) -> None:
    """Reference: polars rolling_mean / rolling_std (ddof 1) * root; NaN before a full window."""
    s1 = 0.0
    s2 = 0.0
    for i in range(r.shape[0]):
        v = r[i]
        s1 += v
        s2 += v * v
        if i >= window:
            old = r[i - window]
            s1 -= old
            s2 -= old * old
        if i < window - 1:
            out[i] = np.nan
            continue
        mean = s1 / window
        var = max(s2 - s1 * mean, 0.0) / (window - 1)
        out[i] = mean / math.sqrt(var) * root if var > 0.0 else np.nan
