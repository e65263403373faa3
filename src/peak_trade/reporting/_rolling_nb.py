"""The rolling Sharpe kernel of the report, decimated as it goes (numpy in, numpy out).

The page draws at most a few thousand points of the rolling Sharpe, so the kernel
never writes the per-bar series: it keeps, per bucket of bars, the first minimum
and the first maximum (the rule of ``_decimate_nb``, over the bars with a finite
Sharpe). It works in chunks of ``CHUNK`` bars so that the divisions and square
roots run as vector loops; only the two running sums are a serial loop, and
that one runs four independent chains (``_prefix_sums_nb``). The
chunk loops index slices with loop counters (numba wraps a negative ``i - 1``,
which stops LLVM from vectorising) and divide with ``error_model="numpy"``
(no zero-division check in the loop).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest._risk_nb import returns_into_nb
from peak_trade.reporting._decimate_nb import first_equal_nb, flush_pair_nb, span_min_max_nb

__all__ = ["CHUNK", "rolling_sharpe_minmax_nb"]

#: Bars per chunk: the chunk's buffers stay in the L1 cache.
CHUNK = 512

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def _prefix_sums_nb(a: Floats, b: Floats) -> None:
    """Reference: a[:] = np.cumsum(a); b[:] = np.cumsum(b) (up to the order of additions).

    The two halves of each array are summed as four independent chains (an
    addition's latency, not its throughput, bounds a single running sum), then
    the first half's total is added to the second half.
    """
    m = a.shape[0]
    h = m // 2
    a_lo, a_hi = a[:h], a[h : 2 * h]
    b_lo, b_hi = b[:h], b[h : 2 * h]
    xa = xb = ya = yb = 0.0
    for t in range(h):
        xa += a_lo[t]
        a_lo[t] = xa
        xb += b_lo[t]
        b_lo[t] = xb
        ya += a_hi[t]
        a_hi[t] = ya
        yb += b_hi[t]
        b_hi[t] = yb
    if m % 2:
        a[m - 1] += ya
        b[m - 1] += yb
    a_tail, b_tail = a[h:], b[h:]
    for t in range(a_tail.shape[0]):
        a_tail[t] += xa
        b_tail[t] += xb


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_sharpe_minmax_nb(
    equity: Floats,
    initial: float,
    window: int,
    root: float,
    n_buckets: int,
    idx_out: Ints,
    val_out: Floats,
) -> int:
    """Reference: rolling_sharpe_reference + decimated_reference in tests/reporting/test_rolling.py.

    The Sharpe of bar ``i`` is mean / std (ddof 1) * ``root`` of the ``window``
    bar returns up to ``i``; bars with a zero std or a non-finite Sharpe have
    none. Writes ascending bar indices and their Sharpe into ``idx_out`` and
    ``val_out`` (``2 * n_buckets + 2`` slots each) and returns how many: every
    bar with a Sharpe if there are at most that many bars, else the first and
    last bar with one and, for each of ``n_buckets`` equal runs of bars, the
    first minimum and first maximum among its bars with one.
    """
    n = equity.shape[0]
    keep_all = n <= 2 * n_buckets + 2
    # mean / std * root = s1 * c / sqrt(q) with q = s2 - s1 * s1 / window.
    c = root * math.sqrt(window - 1) / window
    inv_w = 1.0 / window
    new = np.empty(CHUNK)
    old = np.empty(CHUNK)
    lo_buf = np.empty(CHUNK)  # the Sharpe, +inf where there is none
    hi_buf = np.empty(CHUNK)  # the Sharpe, -inf where there is none
    s1 = 0.0
    s2 = 0.0
    k = 0
    last = -1  # the last bar with a Sharpe
    last_v = 0.0
    bucket = 0
    b_stop = n // n_buckets
    i_min = -1  # this bucket's first minimum and maximum so far
    i_max = -1
    v_min = np.inf
    v_max = -np.inf
    for j0 in range(0, n, CHUNK):
        j1 = min(j0 + CHUNK, n)
        m = j1 - j0
        returns_into_nb(equity, initial, j0, j1, new)
        # The returns leaving the window: bar i - window's, none before bar window.
        gone = max(window - j0, 0)
        old[: min(gone, m)] = 0.0
        if gone < m:
            returns_into_nb(equity, initial, j0 + gone - window, j1 - window, old[gone:])
        for t in range(m):  # each bar's change of the two sums
            v = new[t]
            o = old[t]
            new[t] = v - o
            old[t] = v * v - o * o
        _prefix_sums_nb(new[:m], old[:m])
        change = old[m - 1]
        for t in range(m):  # the running sums, and q
            x = s1 + new[t]
            new[t] = x
            old[t] = s2 + old[t] - x * x * inv_w
        s1 = new[m - 1]
        s2 += change
        for t in range(m):
            q = old[t]
            x = new[t] * c / math.sqrt(q)
            ok = q > 0.0 and x - x == 0.0  # x - x is NaN for inf and NaN
            lo_buf[t] = x if ok else np.inf
            hi_buf[t] = x if ok else -np.inf
        if j1 <= window - 1:
            continue
        t = max(window - 1 - j0, 0)
        while t < m:
            while not keep_all and b_stop <= j0 + t:  # buckets before the first Sharpe
                k = flush_pair_nb(i_min, i_max, v_min, v_max, idx_out, val_out, k)
                i_min, i_max, v_min, v_max = -1, -1, np.inf, -np.inf
                bucket += 1
                b_stop = (bucket + 1) * n // n_buckets
            # the bars [t, u) of this chunk in the current bucket
            u = m if keep_all else min(m, b_stop - j0)
            los = lo_buf[t:u]
            his = hi_buf[t:u]
            lo, hi = span_min_max_nb(los, his)
            if hi > -np.inf:  # some bar of [t, u) has a Sharpe
                if last < 0:  # the first bar with a Sharpe
                    first = _first_below_nb(los, np.inf)
                    idx_out[0] = j0 + t + first
                    val_out[0] = los[first]
                    k = 1
                end = los.shape[0] - 1
                while not los[end] < np.inf:
                    end -= 1
                last = j0 + t + end
                last_v = los[end]
                if keep_all:
                    for s in range(los.shape[0]):
                        if los[s] < np.inf and j0 + t + s > idx_out[k - 1]:
                            idx_out[k] = j0 + t + s
                            val_out[k] = los[s]
                            k += 1
                else:
                    if lo < v_min:
                        i_min = j0 + t + first_equal_nb(los, lo)
                        v_min = lo
                    if hi > v_max:
                        i_max = j0 + t + first_equal_nb(his, hi)
                        v_max = hi
            t = u
            if not keep_all and j0 + u == b_stop:  # the bucket ends: keep its extremes
                k = flush_pair_nb(i_min, i_max, v_min, v_max, idx_out, val_out, k)
                i_min, i_max, v_min, v_max = -1, -1, np.inf, -np.inf
                bucket += 1
                b_stop = (bucket + 1) * n // n_buckets
    if last >= 0 and (k == 0 or last > idx_out[k - 1]):
        idx_out[k] = last
        val_out[k] = last_v
        k += 1
    return k


@njit(cache=True, nogil=True)
def _first_below_nb(values: Floats, bound: float) -> int:
    """Reference: the first index of a value below ``bound`` in ``values`` (present)."""
    for s in range(values.shape[0]):
        if values[s] < bound:
            return s
    return -1
