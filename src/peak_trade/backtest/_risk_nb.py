"""The moments kernel of the risk stats (numpy in, scalars out)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = [
    "bar_returns_nb",
    "mean_sq_dev_nb",
    "moments_nb",
    "searchsorted_sorted_nb",
    "split_tails_nb",
]


@njit(cache=True, nogil=True)
def moments_nb(r: npt.NDArray[np.float64]) -> tuple[float, float, float, float, float, float]:
    """Reference: (r[r>0].sum(), -r[r<0].sum(), mean, mean(d**2), mean(d**3), mean(d**4))."""
    n = r.shape[0]
    gain = 0.0
    loss = 0.0
    total = 0.0
    for i in range(n):
        v = r[i]
        total += v
        # Selects, not branches (the signs of returns are unpredictable); NaN adds 0.
        gain += v if v > 0.0 else 0.0
        loss -= v if v < 0.0 else 0.0
    mean = total / n if n > 0 else np.nan
    m2 = 0.0
    m3 = 0.0
    m4 = 0.0
    for i in range(n):
        d = r[i] - mean
        d2 = d * d
        m2 += d2
        m3 += d2 * d
        m4 += d2 * d2
    return gain, loss, mean, m2 / n, m3 / n, m4 / n


@njit(cache=True, nogil=True)
def bar_returns_nb(
    equity: npt.NDArray[np.float64], initial: float, out: npt.NDArray[np.float64]
) -> None:
    """Reference: equity / [initial, equity[:-1]] - 1, and 0.0 where that previous is <= 0."""
    prev = initial
    for i in range(equity.shape[0]):
        e = equity[i]
        out[i] = e / prev - 1.0 if prev > 0.0 else 0.0
        prev = e


@njit(cache=True, nogil=True)
def split_tails_nb(
    r: npt.NDArray[np.float64],
    lo: float,
    hi: float,
    low_out: npt.NDArray[np.float64],
    high_out: npt.NDArray[np.float64],
) -> tuple[int, int]:
    """Reference: low_out[:a] = r[r <= lo], high_out[:b] = r[r >= hi]; returns (a, b)."""
    a = 0
    b = 0
    for i in range(r.shape[0]):  # branch-free: a write past the tail is overwritten
        v = r[i]
        low_out[a] = v
        a += v <= lo
        high_out[b] = v
        b += v >= hi
    return a, b


@njit(cache=True, nogil=True)
def mean_sq_dev_nb(r: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Reference: (r.mean(), ((r - r.mean()) ** 2).sum()), two passes, no temporary."""
    n = r.shape[0]
    total = 0.0
    for i in range(n):
        total += r[i]
    mean = total / n if n > 0 else np.nan
    ss = 0.0
    for i in range(n):
        d = r[i] - mean
        ss += d * d
    return mean, ss


@njit(cache=True, nogil=True)
def searchsorted_sorted_nb(
    stamps: npt.NDArray[np.int64], keys: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> None:
    """Reference: np.searchsorted(stamps, keys) for ascending keys (galloping from the last)."""
    n = stamps.shape[0]
    lo = 0
    for k in range(keys.shape[0]):
        key = keys[k]
        # Gallop: widen [lo, hi) until stamps[hi - 1] >= key, then bisect inside it.
        step = 1
        hi = lo
        while hi < n and stamps[hi] < key:
            lo = hi + 1
            hi += step
            step *= 2
        hi = min(hi, n)
        while lo < hi:
            mid = (lo + hi) // 2
            if stamps[mid] < key:
                lo = mid + 1
            else:
                hi = mid
        out[k] = lo
