"""Numba kernels of the simulation's quiet path: the bars between two orders.

On such a bar the state (cash, units held) is fixed and only the close moves, so a
run of them is written in blocks by branch-free loops that vectorise. A bar that
needs more (ruin, an unordered timestamp, a state that fails the table of
``checks.py``) is handed back to ``simulate_nb``, whose full path is the
reference: it writes the same values with ``record_bar_nb``.
"""

from __future__ import annotations

from numba import njit

from peak_trade.backtest._nb.checks import CHECK_OFF, state_ok_nb
from peak_trade.backtest._nb.records import Book, Checks, Floats, Market

# The quiet path's blocks: it looks for the next target change CHANGE_BLOCK bars at
# a time (a short read past the change) and writes up to QUIET_BLOCK bars at a time
# (the block's arrays stay in cache); SHORT_QUIET_BLOCK is where it starts after a
# flagged bar, doubling from there.
CHANGE_BLOCK = 256
SHORT_QUIET_BLOCK = 8
QUIET_BLOCK = 4096


@njit(cache=True, nogil=True, inline="always")
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
def quiet_bar_nb(j: int, cash: float, pos: float, marks: Floats, values: Floats) -> float:
    """Reference: record_bar_nb for bar j of a block; returns the equity.

    The same operations as the full path (so the same values); cash and position
    do not move here, so no step is recorded. Inlined, so the loops calling it
    still vectorise.
    """
    equity: float = cash + pos * marks[j]
    values[j] = equity
    return equity


@njit(cache=True, nogil=True, inline="always")
def needs_full_nb(
    cash: float, pos: float, mark: float, equity: float, unordered: bool, c: Checks
) -> bool:
    """Reference: ruin, an unordered timestamp or a failed state check (checks on)."""
    ruined = (equity <= 0.0) & (pos != 0.0)
    return ruined | unordered | (not state_ok_nb(cash, pos, mark, equity, c))


@njit(cache=True, nogil=True, inline="always")
def quiet_block_nb(
    lo: int, hi: int, cash: float, pos: float, m: Market, c: Checks, book: Book
) -> int:
    """Reference: record_bar_nb over [lo, hi) with a fixed state; the first bar needing more.

    A bar needs the full path at ruin (equity <= 0 with a position) or, when checks
    are on (``lo >= 1`` then), when ``needs_full_nb``. The block is written and
    screened in one branch-free loop (it vectorises) and a flagged bar is found
    afterwards; the bars written past it are rewritten by the full path.
    """
    marks = m.close[lo:hi]
    values = book.equity[lo:hi]
    flagged = 0
    checking = c.mode != CHECK_OFF
    if checking:  # two loops, so that the unchecked one never reads timestamps
        now = m.timestamps[lo:hi]
        before = m.timestamps[lo - 1 : hi - 1]
        for j in range(marks.shape[0]):
            equity = quiet_bar_nb(j, cash, pos, marks, values)
            flagged += needs_full_nb(cash, pos, marks[j], equity, now[j] <= before[j], c)
    else:
        for j in range(marks.shape[0]):
            equity = quiet_bar_nb(j, cash, pos, marks, values)
            flagged += (equity <= 0.0) & (pos != 0.0)
    if flagged:
        for j in range(marks.shape[0]):
            equity = cash + pos * marks[j]
            if not checking:
                if equity <= 0.0 and pos != 0.0:
                    return lo + j
            elif needs_full_nb(
                cash, pos, marks[j], equity, m.timestamps[lo + j] <= m.timestamps[lo + j - 1], c
            ):
                return lo + j
    return hi


@njit(cache=True, nogil=True, inline="always")
def quiet_run_nb(
    lo: int, hi: int, cash: float, pos: float, prev: float, signal: Floats, m: Market,
    c: Checks, book: Book, first_block: int,
) -> int:  # fmt: skip
    """Reference: record bars lo.. while the target stays ``prev``; the first bar left.

    A bar is left for the full path when the target changes or when
    ``needs_full_nb``; bar ``hi`` itself is left. Runs in blocks: find the block's
    first target change, then write the bars before it. Blocks start at
    ``first_block`` bars and double up to QUIET_BLOCK; the caller starts short
    (SHORT_QUIET_BLOCK) after a flagged bar, so bars flagged every few bars cost a
    few bars of work each, not a whole block.
    """
    start = lo
    block = first_block
    while start < hi:
        stop = min(hi, start + block)
        end = first_change_nb(signal, start, stop, prev)
        left = quiet_block_nb(start, end, cash, pos, m, c, book)
        if left < stop:
            return left
        start = stop
        block = min(2 * block, QUIET_BLOCK)
    return max(lo, hi)
