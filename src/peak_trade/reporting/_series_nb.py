"""A run's equity, drawdown and price, decimated in one pass (numpy in, numpy out).

The page draws these three series at a few thousand points each. This kernel
reads the equity and the price once and keeps, for each series, what
``minmax_indices_nb`` keeps: the first and last bar and each bucket's first
minimum and maximum. The drawdown is formed chunk by chunk (``equity / running
peak - 1``, the formula of ``backtest._derive_kernels.drawdown_nb``) and never
written per bar: where a chunk of bars sets no new peak, the drawdown's
extremes are the equity's (``e / peak - 1`` rises with ``e``), so only chunks
that set a new peak divide bar by bar.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.reporting._decimate_nb import (
    all_finite_nb,
    first_equal_nb,
    flush_pair_nb,
    span_min_max_nb,
)

__all__ = ["CHUNK", "EQUITY", "DRAWDOWN", "PRICE", "run_series_minmax_nb"]

#: Bars per chunk: the chunk's buffers stay in the L1 cache.
CHUNK = 512
#: The rows of the kernel's outputs.
EQUITY, DRAWDOWN, PRICE = 0, 1, 2

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def _track_nb(
    values: Floats, j0: int, row: int, lows: Floats, highs: Floats, at_low: Ints, at_high: Ints
) -> None:
    """Reference: lower lows[row] / raise highs[row] to values' min / max, at their first bar."""
    a, z = span_min_max_nb(values, values)
    if a < lows[row]:
        lows[row] = a
        at_low[row] = j0 + first_equal_nb(values, a)
    if z > highs[row]:
        highs[row] = z
        at_high[row] = j0 + first_equal_nb(values, z)


@njit(cache=True, nogil=True)
def _first_drawdown_nb(seg: Floats, peak: float, target: float, near: float) -> int:
    """Reference: the first t with seg[t] / peak - 1.0 == target (present).

    Only the bars with ``seg[t]`` within ``1e-12 * (peak + |near|)`` of ``near``
    (the chunk's min or max, whose drawdown ``target`` is) are divided: an equal
    drawdown needs an equity closer than that (a few units in the last place of
    ``e / peak``).
    """
    tol = 1e-12 * (peak + abs(near))
    for t in range(seg.shape[0]):
        if abs(seg[t] - near) <= tol and seg[t] / peak - 1.0 == target:
            return t
    return -1


@njit(cache=True, nogil=True, error_model="numpy")
def run_series_minmax_nb(
    equity: Floats,
    price: Floats,
    initial: float,
    n_buckets: int,
    idx_out: Ints,
    val_out: Floats,
    counts: Ints,
) -> int:
    """Reference: decimate_reference of equity, drawdown_reference and price (test_series_kernel).

    Writes each series' kept bars and values into its row of ``idx_out`` and
    ``val_out`` (rows ``EQUITY``, ``DRAWDOWN``, ``PRICE``; ``min(n, 2 * n_buckets
    + 2)`` columns) and their counts into ``counts``. Returns the first bar whose
    equity or price is NaN or inf, or -1 (the outputs are meaningless then).
    """
    n = equity.shape[0]
    peaks = np.empty(CHUNK)
    dds = np.empty(CHUNK)
    lows = np.empty(3)
    highs = np.empty(3)
    at_low = np.empty(3, dtype=np.int64)
    at_high = np.empty(3, dtype=np.int64)
    keep_all = n <= 2 * n_buckets + 2
    n_b = 1 if keep_all else n_buckets
    counts[:] = 0
    peak = initial
    for b in range(n_b):
        lows[:] = np.inf
        highs[:] = -np.inf
        at_low[:] = -1
        at_high[:] = -1
        stop = (b + 1) * n // n_b
        for j0 in range(b * n // n_b, stop, CHUNK):
            seg = equity[j0 : min(j0 + CHUNK, stop)]
            px = price[j0 : j0 + seg.shape[0]]
            m = seg.shape[0]
            if not (all_finite_nb(seg) and all_finite_nb(px)):
                for t in range(m):
                    if not (math.isfinite(seg[t]) and math.isfinite(px[t])):
                        return j0 + t
            a, z = span_min_max_nb(seg, seg)
            if keep_all or z > peak or not peak > 0.0:
                # each bar's drawdown: the running peak bar by bar where it moves
                dd = dds[:m]
                pk = peaks[:m]
                for t in range(m):
                    e = seg[t]
                    if e > peak:
                        peak = e
                    pk[t] = peak
                for t in range(m):
                    dd[t] = seg[t] / pk[t] - 1.0
                if keep_all:
                    for t in range(m):
                        idx_out[:, j0 + t] = j0 + t
                        val_out[EQUITY, j0 + t] = seg[t]
                        val_out[DRAWDOWN, j0 + t] = dd[t]
                        val_out[PRICE, j0 + t] = px[t]
                    counts[:] += m
                    continue
                _track_nb(dd, j0, DRAWDOWN, lows, highs, at_low, at_high)
            else:
                # (most chunks) the peak stands: e / peak - 1 rises with e, so the
                # drawdown's extremes are at the equity's; no per-bar division
                d_lo = a / peak - 1.0
                d_hi = z / peak - 1.0
                if d_lo < lows[DRAWDOWN]:
                    lows[DRAWDOWN] = d_lo
                    at_low[DRAWDOWN] = j0 + _first_drawdown_nb(seg, peak, d_lo, a)
                if d_hi > highs[DRAWDOWN]:
                    highs[DRAWDOWN] = d_hi
                    at_high[DRAWDOWN] = j0 + _first_drawdown_nb(seg, peak, d_hi, z)
            if j0 == 0:  # the first bar, kept in each series
                idx_out[:, 0] = 0
                val_out[EQUITY, 0] = seg[0]
                val_out[DRAWDOWN, 0] = seg[0] / max(initial, seg[0]) - 1.0
                val_out[PRICE, 0] = px[0]
                counts[:] = 1
            if a < lows[EQUITY]:
                lows[EQUITY] = a
                at_low[EQUITY] = j0 + first_equal_nb(seg, a)
            if z > highs[EQUITY]:
                highs[EQUITY] = z
                at_high[EQUITY] = j0 + first_equal_nb(seg, z)
            _track_nb(px, j0, PRICE, lows, highs, at_low, at_high)
        if keep_all:
            continue
        for row in range(3):  # the bucket's extremes, in bar order
            counts[row] = flush_pair_nb(
                at_low[row],
                at_high[row],
                lows[row],
                highs[row],
                idx_out[row],
                val_out[row],
                counts[row],
            )
    if not keep_all and n > 0:  # the last bar, kept in each series
        last = (equity[n - 1], equity[n - 1] / peak - 1.0, price[n - 1])
        for row in range(3):
            k = counts[row]
            if idx_out[row, k - 1] != n - 1:
                idx_out[row, k] = n - 1
                val_out[row, k] = last[row]
                counts[row] = k + 1
    return -1
