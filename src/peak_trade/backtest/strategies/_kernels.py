"""Numba kernels of the strategy families; numpy arrays and scalars only.

The plain references live in tests/backtest/strategies/ (explicit window sums).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def running_sma_nb(close: Floats, windows: Ints) -> Floats:
    """Reference: for each window w, mean(close[i-w+1 : i+1]) via a running sum; NaN in warm-up."""
    n = close.shape[0]
    running = np.empty(n)
    total = 0.0
    for i in range(n):
        total += close[i]
        running[i] = total
    out = np.empty((windows.shape[0], n))
    for k in range(windows.shape[0]):
        w = windows[k]
        div = float(w)
        for i in range(min(w - 1, n)):
            out[k, i] = np.nan
        if w - 1 < n:
            out[k, w - 1] = (running[w - 1] - 0.0) / div
        for i in range(w, n):
            out[k, i] = (running[i] - running[i - w]) / div
    return out


@njit(cache=True, nogil=True)
def crossover_matrix_nb(
    smas: Floats, windows: Ints, fast: Ints, slow: Ints, margin: float, out: Floats
) -> None:
    """Reference: out[i, j] = 1.0 if fast[i] > slow[i] + margin * |slow[i]| after warm-up."""
    n = smas.shape[1]
    for j in range(fast.shape[0]):
        fast_sma = smas[fast[j]]
        slow_sma = smas[slow[j]]
        warm = min(windows[slow[j]] - 1, n)
        for i in range(warm):
            out[i, j] = 0.0
        for i in range(warm, n):
            out[i, j] = 1.0 if fast_sma[i] > slow_sma[i] + margin * abs(slow_sma[i]) else 0.0


@njit(cache=True, nogil=True)
def momentum_matrix_nb(
    close: Floats,
    present: npt.NDArray[np.bool_],
    lookbacks: Ints,
    entries: Floats,
    exits: Floats,
    out: Floats,
) -> None:
    """Reference: hold(close[i] / close[i-n] - 1 > entry, < exit) per column; NaN as +max."""
    bars = close.shape[0]
    for j in range(lookbacks.shape[0]):
        n = lookbacks[j]
        state = 0.0
        for i in range(bars):
            if i >= n and present[i] and present[i - n]:  # a null change keeps the state
                change = close[i] / close[i - n] - 1.0
                # polars orders NaN above every number: a NaN change enters, as there.
                if change > entries[j] or change != change:
                    state = 1.0
                elif change < exits[j]:
                    state = 0.0
            out[i, j] = state
