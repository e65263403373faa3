"""Numba kernels of the simulation's quiet path: the bars between two orders.

On such a bar the state (cash, units held) is fixed and only the close moves, so a
run of them is written in blocks by branch-free loops that vectorise. A bar that
needs more (ruin, an unordered timestamp, a state the screen cannot vouch for) is
handed back to ``simulate_checked_nb`` in ``_kernels.py``, whose full path is the
reference: it writes the same values with ``record_bar_nb``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest import _invariant_kernels as ik

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# The quiet path's blocks: it looks for the next target change CHANGE_BLOCK bars at
# a time (a short read past the change) and writes up to QUIET_BLOCK bars at a time
# (the block's arrays stay in cache); SHORT_QUIET_BLOCK is where it starts after a
# flagged bar, doubling from there.
CHANGE_BLOCK = 256
SHORT_QUIET_BLOCK = 8
QUIET_BLOCK = 4096


@njit(cache=True, nogil=True)
def first_change_nb(signal: Floats, lo: int, hi: int, prev: float) -> int:
    """Reference: the first i in [lo, hi) with signal[i] != prev, else hi."""
    start = lo
    while start < hi:
        stop = min(hi, start + CHANGE_BLOCK)
        targets = signal[start:stop]
        # Branch-free count first (the loop vectorises); the exact search only on a hit.
        moved = 0
        for j in range(targets.shape[0]):
            moved += targets[j] != prev
        if moved:
            for j in range(targets.shape[0]):
                if targets[j] != prev:
                    return start + j
        start = stop
    return max(lo, hi)


@njit(cache=True, nogil=True, inline="always")
def quiet_bar_nb(
    j: int,
    cash: float,
    pos: float,
    marks: Floats,
    held_pos: Floats,
    values: Floats,
) -> tuple[float, float]:
    """Reference: record_bar_nb for bar j of a block; returns (held, equity).

    The same operations as the full path (so the same values); cash does not move
    here, so nothing is recorded for it. Inlined, so the loops calling it still
    vectorise.
    """
    held = pos * marks[j]
    equity = cash + held
    held_pos[j] = pos
    values[j] = equity
    return held, equity


@njit(cache=True, nogil=True)
def quiet_block_nb(
    lo: int,
    hi: int,
    cash: float,
    pos: float,
    close: Floats,
    timestamps: Ints,
    position: Floats,
    equity_out: Floats,
    checking: bool,
    max_leverage: float,
    least_tol: float,
) -> int:
    """Reference: record_bar_nb over [lo, hi) with a fixed state; the first bar needing more.

    A bar needs the full path at ruin (equity <= 0 with a position) or, when
    ``checking`` (``lo >= 1``), when its timestamp is not after the previous one or
    ``quiet_state_ok_nb`` cannot vouch for it. The block is written and screened in
    one branch-free loop (it vectorises) and a flagged bar is found afterwards; the
    bars written past it are rewritten by the full path.
    """
    marks = close[lo:hi]
    held_pos = position[lo:hi]
    values = equity_out[lo:hi]
    flagged = 0
    if checking:  # two loops, so that the unchecked one never reads timestamps
        now = timestamps[lo:hi]
        before = timestamps[lo - 1 : hi - 1]
        for j in range(marks.shape[0]):
            held, equity = quiet_bar_nb(j, cash, pos, marks, held_pos, values)
            ruined = (equity <= 0.0) & (pos != 0.0)
            screened = ik.quiet_state_ok_nb(held, equity, max_leverage, least_tol)
            flagged += ruined | (now[j] <= before[j]) | (not screened)
    else:
        for j in range(marks.shape[0]):
            held, equity = quiet_bar_nb(j, cash, pos, marks, held_pos, values)
            flagged += (equity <= 0.0) & (pos != 0.0)
    if flagged:
        for j in range(marks.shape[0]):
            held = pos * marks[j]
            equity = cash + held
            if (equity <= 0.0 and pos != 0.0) or (
                checking
                and (
                    timestamps[lo + j] <= timestamps[lo + j - 1]
                    or not ik.quiet_state_ok_nb(held, equity, max_leverage, least_tol)
                )
            ):
                return lo + j
    return hi


@njit(cache=True, nogil=True)
def quiet_run_nb(
    lo: int,
    hi: int,
    prev: float,
    cash: float,
    pos: float,
    signal: Floats,
    close: Floats,
    timestamps: Ints,
    position: Floats,
    equity_out: Floats,
    checking: bool,
    max_leverage: float,
    least_tol: float,
    first_block: int,
) -> int:
    """Reference: record bars lo.. while the target stays ``prev``; the first bar left.

    A bar is left for the full path when the target changes, at ruin, or (when
    ``checking``) at an unordered timestamp or when ``quiet_state_ok_nb`` cannot vouch
    for it; bar ``hi`` itself is left. Runs in blocks: find the block's first target
    change, then write the bars before it. Blocks start at ``first_block`` bars and
    double up to QUIET_BLOCK; the caller starts short (SHORT_QUIET_BLOCK) after a
    flagged bar, so bars flagged every few bars (warn mode, a state on and off a
    limit) cost a few bars of work each, not a whole block.
    """
    start = lo
    block = first_block
    while start < hi:
        stop = min(hi, start + block)
        end = first_change_nb(signal, start, stop, prev)
        left = quiet_block_nb(
            start, end, cash, pos, close, timestamps, position, equity_out, checking,
            max_leverage, least_tol,
        )  # fmt: skip
        if left < stop:
            return left
        start = stop
        block = min(2 * block, QUIET_BLOCK)
    return max(lo, hi)
