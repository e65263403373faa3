"""The equity and its drawdown, decimated in one pass (numpy in, numpy out).

The page draws the equity and the drawdown at a few thousand points each. This
kernel reads the equity once and keeps, for both series, what
``minmax_indices_nb`` keeps: the first and last bar and each bucket's first
minimum and maximum. The drawdown is formed chunk by chunk (``equity / running
peak - 1``, the formula of ``backtest._derive_kernels.drawdown_nb``) and never
written per bar.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.reporting._decimate_nb import first_equal_nb, flush_pair_nb, span_min_max_nb

__all__ = ["CHUNK", "equity_drawdown_minmax_nb"]

#: Bars per chunk: the chunk's buffers stay in the L1 cache.
CHUNK = 512

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True, error_model="numpy")
def equity_drawdown_minmax_nb(
    equity: Floats,
    initial: float,
    n_buckets: int,
    eq_idx: Ints,
    eq_val: Floats,
    dd_idx: Ints,
    dd_val: Floats,
) -> tuple[int, int, int]:
    """Reference: decimate_reference of the equity and of drawdown_reference (test_drawdown.py).

    Writes the kept bars of each series and their values into ``eq_idx``,
    ``eq_val``, ``dd_idx`` and ``dd_val`` (each ``min(n, 2 * n_buckets + 2)``
    slots). Returns the two counts and the first bar whose equity is NaN
    or inf (-1 if none; the counts are then meaningless).
    """
    n = equity.shape[0]
    peaks = np.empty(CHUNK)
    dds = np.empty(CHUNK)
    keep_all = n <= 2 * n_buckets + 2
    n_b = 1 if keep_all else n_buckets
    k_eq = 0
    k_dd = 0
    peak = initial
    for b in range(n_b):
        lo = b * n // n_b
        hi = (b + 1) * n // n_b
        e_min = np.inf
        e_max = -np.inf
        d_min = np.inf
        d_max = -np.inf
        ie_min = ie_max = id_min = id_max = -1
        vd_min = vd_max = 0.0
        for j0 in range(lo, hi, CHUNK):
            seg = equity[j0 : min(j0 + CHUNK, hi)]
            m = seg.shape[0]
            total = 0.0
            for t in range(m):  # the serial part: the running peak
                e = seg[t]
                total += e
                if e > peak:
                    peak = e
                peaks[t] = peak
            if not math.isfinite(total):  # a NaN or inf (or an overflowing sum): look closer
                for t in range(m):
                    if not math.isfinite(seg[t]):
                        return k_eq, k_dd, j0 + t
            dd = dds[:m]
            pk = peaks[:m]
            for t in range(m):
                dd[t] = seg[t] / pk[t] - 1.0
            if keep_all:
                for t in range(m):
                    eq_idx[k_eq] = j0 + t
                    eq_val[k_eq] = seg[t]
                    dd_idx[k_dd] = j0 + t
                    dd_val[k_dd] = dd[t]
                    k_eq += 1
                    k_dd += 1
                continue
            if j0 == 0:  # the first bar, kept in both series
                eq_idx[0] = 0
                eq_val[0] = seg[0]
                dd_idx[0] = 0
                dd_val[0] = dd[0]
                k_eq = 1
                k_dd = 1
            a, z = span_min_max_nb(seg, seg)
            if a < e_min:
                e_min = a
                ie_min = j0 + first_equal_nb(seg, a)
            if z > e_max:
                e_max = z
                ie_max = j0 + first_equal_nb(seg, z)
            a, z = span_min_max_nb(dd, dd)
            if a < d_min:
                d_min = a
                id_min = j0 + first_equal_nb(dd, a)
                vd_min = a
            if z > d_max:
                d_max = z
                id_max = j0 + first_equal_nb(dd, z)
                vd_max = z
            if j0 + m == n:  # the last bar, kept in both series after its bucket's
                k_eq = flush_pair_nb(ie_min, ie_max, e_min, e_max, eq_idx, eq_val, k_eq)
                k_dd = flush_pair_nb(id_min, id_max, vd_min, vd_max, dd_idx, dd_val, k_dd)
                ie_min = id_min = -1
                if eq_idx[k_eq - 1] != n - 1:
                    eq_idx[k_eq] = n - 1
                    eq_val[k_eq] = seg[m - 1]
                    k_eq += 1
                if dd_idx[k_dd - 1] != n - 1:
                    dd_idx[k_dd] = n - 1
                    dd_val[k_dd] = dd[m - 1]
                    k_dd += 1
        k_eq = flush_pair_nb(ie_min, ie_max, e_min, e_max, eq_idx, eq_val, k_eq)
        k_dd = flush_pair_nb(id_min, id_max, vd_min, vd_max, dd_idx, dd_val, k_dd)
    return k_eq, k_dd, -1
