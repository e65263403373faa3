"""The min/max-per-bucket decimation kernel (numpy in, numpy out)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = [
    "BLOCK",
    "all_finite_nb",
    "first_equal_nb",
    "flush_pair_nb",
    "minmax_indices_nb",
    "span_min_max_nb",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Values scanned per vectorised min/max block before an argmin is looked for.
BLOCK = 64


@njit(cache=True, nogil=True, fastmath=True)
def _block_min_max_nb(
    values: npt.NDArray[np.float64], start: int, stop: int
) -> tuple[float, float]:
    """Reference: (values[start:stop].min(), values[start:stop].max())."""
    lo = values[start]
    hi = values[start]
    for t in range(start + 1, stop):
        v = values[t]
        lo = min(lo, v)
        hi = max(hi, v)
    return lo, hi


@njit(cache=True, nogil=True)
def minmax_indices_nb(
    values: npt.NDArray[np.float64], n_buckets: int, out: npt.NDArray[np.int64]
) -> int:
    """Reference: decimate_reference in tests/reporting/test_decimate.py (argmin/argmax per bucket).

    Writes the kept indices, ascending, into ``out`` (at least ``2 * n_buckets + 2``
    slots) and returns how many: the first and last index, and each bucket's first
    minimum and first maximum. ``values`` must be finite.
    """
    n = values.shape[0]
    if n <= 2 * n_buckets + 2:
        for i in range(n):
            out[i] = i
        return int(n)
    k = 0
    out[k] = 0
    k += 1
    for b in range(n_buckets):
        lo = b * n // n_buckets
        hi = (b + 1) * n // n_buckets
        i_min = lo
        i_max = lo
        v_min = values[lo]
        v_max = values[lo]
        j = lo
        while j < hi:
            stop = min(j + BLOCK, hi)
            b_min, b_max = _block_min_max_nb(values, j, stop)
            if b_min < v_min:  # rare after the first blocks: find where
                for t in range(j, stop):
                    if values[t] == b_min:
                        i_min = t
                        v_min = b_min
                        break
            if b_max > v_max:
                for t in range(j, stop):
                    if values[t] == b_max:
                        i_max = t
                        v_max = b_max
                        break
            j = stop
        first = min(i_min, i_max)
        second = max(i_min, i_max)
        if first > out[k - 1]:
            out[k] = first
            k += 1
        if second > out[k - 1]:
            out[k] = second
            k += 1
    if out[k - 1] != n - 1:
        out[k] = n - 1
        k += 1
    return k


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def all_finite_nb(values: Floats) -> bool:
    """Reference: np.isfinite(values).all() (x - x is 0 for a finite x, NaN otherwise)."""
    total = 0.0
    for s in range(values.shape[0]):
        total += values[s] - values[s]
    return total == 0.0


@njit(cache=True, nogil=True)
def span_min_max_nb(los: Floats, his: Floats) -> tuple[float, float]:
    """Reference: (los.min(), his.max()), +inf and -inf when empty.

    Four running minima and maxima, so that the comparisons do not wait on each other.
    """
    lo0 = lo1 = lo2 = lo3 = np.inf
    hi0 = hi1 = hi2 = hi3 = -np.inf
    m = los.shape[0]
    whole = m - m % 4
    for s in range(0, whole, 4):
        lo0 = min(lo0, los[s])
        lo1 = min(lo1, los[s + 1])
        lo2 = min(lo2, los[s + 2])
        lo3 = min(lo3, los[s + 3])
        hi0 = max(hi0, his[s])
        hi1 = max(hi1, his[s + 1])
        hi2 = max(hi2, his[s + 2])
        hi3 = max(hi3, his[s + 3])
    for s in range(whole, m):
        lo0 = min(lo0, los[s])
        hi0 = max(hi0, his[s])
    return min(min(lo0, lo1), min(lo2, lo3)), max(max(hi0, hi1), max(hi2, hi3))


@njit(cache=True, nogil=True)
def first_equal_nb(values: Floats, target: float) -> int:
    """Reference: the first index of ``target`` in ``values`` (present)."""
    for s in range(values.shape[0]):
        if values[s] == target:
            return s
    return -1


@njit(cache=True, nogil=True)
def flush_pair_nb(
    i_min: int, i_max: int, v_min: float, v_max: float, idx_out: Ints, val_out: Floats, k: int
) -> int:
    """Append a bucket's minimum and maximum bars in order, each once; the new count."""
    if i_min < 0:
        return k
    if i_min <= i_max:
        first, v_first, second, v_second = i_min, v_min, i_max, v_max
    else:
        first, v_first, second, v_second = i_max, v_max, i_min, v_min
    if k == 0 or first > idx_out[k - 1]:
        idx_out[k] = first
        val_out[k] = v_first
        k += 1
    if second > idx_out[k - 1]:
        idx_out[k] = second
        val_out[k] = v_second
        k += 1
    return k
