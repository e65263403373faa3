"""The min/max-per-bucket decimation kernel (numpy in, numpy out)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["BLOCK", "minmax_indices_nb"]

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
