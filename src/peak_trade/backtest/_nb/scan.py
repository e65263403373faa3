"""Numba kernels of the signal scan: the first bad target and the number of changes."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak_trade.backtest._nb.records import Floats

# Status codes of scan_signal_nb (and of each grid column).
SIGNAL_OK = 0
SIGNAL_NAN = 1
SIGNAL_OUT_OF_RANGE = 2
SIGNAL_SHORT = 3


@njit(cache=True, nogil=True)
def scan_block_nb(
    signal: Floats, lo: int, hi: int, allow_short: bool, changes: int
) -> tuple[int, int, float, int]:
    """Reference: a loop over [lo, hi) returning the first NaN / out-of-range / short bar."""
    prev = signal[lo - 1] if lo > 0 else 0.0
    for i in range(lo, hi):
        x = signal[i]
        if np.isnan(x):
            return SIGNAL_NAN, i, x, changes
        if x > 1.0 or x < -1.0:
            return SIGNAL_OUT_OF_RANGE, i, x, changes
        if x < 0.0 and not allow_short:
            return SIGNAL_SHORT, i, x, changes
        if x != prev:
            changes += 1
            prev = x
    return SIGNAL_OK, -1, 0.0, changes


@njit(cache=True, nogil=True)
def scan_signal_nb(signal: Floats, allow_short: bool) -> tuple[int, int, float, int]:
    """Reference: a loop returning the first NaN / out-of-range / short bar and the changes."""
    n = signal.shape[0]
    floor = -1.0 if allow_short else 0.0
    changes = 0
    lo = 0
    while lo < n:
        hi = min(n, lo + 4096)
        # Branch-free over the block (vectorised); the exact loop only on a bad block.
        x = signal[lo]
        bad = int(not ((x >= floor) & (x <= 1.0)))  # NaN fails both
        moved = int(x != (signal[lo - 1] if lo > 0 else 0.0))
        # Views indexed from 0 (no negative-index wraparound): the loop vectorises.
        cur = signal[lo + 1 : hi]
        before = signal[lo : hi - 1]
        for j in range(cur.shape[0]):
            y = cur[j]
            bad += (y < floor) | (y > 1.0) | (y != y)
            moved += y != before[j]
        if bad:
            return scan_block_nb(signal, lo, hi, allow_short, changes)
        changes += moved
        lo = hi
    return SIGNAL_OK, -1, 0.0, changes
