"""Numba kernel of ``signals.from_entries_exits`` (entries and exits to target exposure)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@njit(cache=True, nogil=True)
def entries_exits_nb(
    long_entry: Bools, long_exit: Bools, short_entry: Bools, short_exit: Bools, out: Floats
) -> None:
    """Reference: target_reference in tests/backtest/test_signals.py (one bar at a time)."""
    state = 0.0
    for i in range(out.shape[0]):
        le = long_entry[i]
        lx = long_exit[i]
        se = short_entry[i]
        sx = short_exit[i]
        if le and lx:  # an entry and an exit of one side cancel
            le = False
            lx = False
        if se and sx:
            se = False
            sx = False
        if le and se:  # opposite entries on one bar cancel
            le = False
            se = False
        if state > 0.0:
            if se:
                state = -1.0
            elif lx:
                state = 0.0
        elif state < 0.0:
            if le:
                state = 1.0
            elif sx:
                state = 0.0
        elif le:
            state = 1.0
        elif se:
            state = -1.0
        out[i] = state
