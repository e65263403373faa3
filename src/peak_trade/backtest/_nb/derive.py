"""Numba kernels for the per-bar columns a result derives on access.

A run stores per bar only position and equity; cash is kept as (bar, value) steps
where it changes (``_kernels.record_bar_nb``). These kernels rebuild cash, exposure
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
def cash_from_steps_nb(
    cash_bars: Ints, cash_values: Floats, initial_cash: float, out: Floats
) -> None:
    """Reference: out[i] = the value of the last step at a bar <= i, else initial_cash.

    Steps are in bar order; unused slots at the end hold bar -1.
    """
    cash = initial_cash
    j = 0
    n_steps = cash_bars.shape[0]
    for i in range(out.shape[0]):
        while j < n_steps and cash_bars[j] == i:
            cash = cash_values[j]
            j += 1
        out[i] = cash


@njit(cache=True, nogil=True)
def cash_steps_nb(cash: Floats, initial_cash: float, cash_bars: Ints, cash_values: Floats) -> int:
    """Reference: the bars where cash differs from the bar before (NaN equals NaN)."""
    last = initial_cash
    steps = 0
    for i in range(cash.shape[0]):
        c = cash[i]
        if c != last and not (c != c and last != last):
            if steps < cash_bars.shape[0]:
                cash_bars[steps] = i
                cash_values[steps] = c
            steps += 1
        last = c
    return steps


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
