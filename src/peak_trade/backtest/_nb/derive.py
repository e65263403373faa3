"""Numba kernels for the per-bar columns a result derives on access.

A run stores per bar only equity; cash and position are kept as (bar, value) steps
where they change (``simulate.record_bar_nb``). These kernels rebuild cash, exposure
and drawdown with the same floating-point operations the simulation and
``stats_nb`` use, so the values are bit for bit those a per-bar record would hold.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def from_steps_nb(bars: Ints, values: Floats, initial: float, out: Floats) -> None:
    """Reference: out[i] = the value of the last step at a bar <= i, else ``initial``.

    Steps are in bar order; unused slots at the end hold bar -1.
    """
    value = initial
    j = 0
    n_steps = bars.shape[0]
    for i in range(out.shape[0]):
        while j < n_steps and bars[j] == i:
            value = values[j]
            j += 1
        out[i] = value


@njit(cache=True, nogil=True)
def exposed_bars_nb(bars: Ints, positions: Floats, n: int) -> int:
    """Reference: how many of ``n`` bars hold a position != 0 (NaN counts), from its steps."""
    exposed = 0
    n_steps = bars.shape[0]
    for j in range(n_steps):
        start = bars[j]
        if start < 0:
            break
        end = bars[j + 1] if j + 1 < n_steps and bars[j + 1] >= 0 else n
        if positions[j] != 0.0:
            exposed += end - start
    return exposed


@njit(cache=True, nogil=True)
def exposure_nb(position: Floats, close: Floats, equity: Floats, out: Floats) -> None:
    """Reference: pos * close / equity; 0 when flat, NaN once equity <= 0."""
    for i in range(out.shape[0]):
        held = position[i] * close[i]
        ratio = held / equity[i] if equity[i] > 0.0 else np.nan
        out[i] = 0.0 if held == 0.0 else ratio


@njit(cache=True, nogil=True)
def drawdown_nb(equity: Floats, initial_cash: float, out: Floats) -> None:
    """Reference: equity / running peak (from initial_cash) - 1, as in stats_nb."""
    peak = initial_cash
    for i in range(out.shape[0]):
        e = equity[i]
        if e > peak:
            peak = e
        out[i] = e / peak - 1.0
