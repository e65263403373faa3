"""The records the engine's kernels take: named tuples of arrays and scalars.

numba compiles a ``typing.NamedTuple`` into a struct, so a kernel takes a handful
of records instead of thirty positional arguments, and an engine option is added
in one place: a field here and its value in ``backtest/_inputs.build_inputs``.
Fills and trades are numpy structured arrays (``FILL_DTYPE``, ``TRADE_DTYPE``)
with integer bars and sides. Nothing here is compiled.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "FILL_DTYPE",
    "TRADE_DTYPE",
    "Book",
    "Checks",
    "GridOut",
    "Market",
    "Settings",
    "State",
    "Violations",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Records = npt.NDArray[np.void]

#: One row per fill: the bar, signed units (> 0 buys), the price (slippage
#: included) and the fee.
FILL_DTYPE = np.dtype(
    [("bar", np.int64), ("qty", np.float64), ("price", np.float64), ("fee", np.float64)],
    align=True,
)

#: One row per round trip from flat to flat. ``exit_bar`` is -1 while the trade
#: runs; an open trade at the end is marked at the last close (``is_open``).
TRADE_DTYPE = np.dtype(
    [
        ("entry_bar", np.int64),
        ("exit_bar", np.int64),
        ("side", np.int64),  # +1 long, -1 short
        ("qty", np.float64),  # units entered, summed over the entry fills
        ("entry_value", np.float64),  # sum of entry units x entry fill price
        ("exit_qty", np.float64),
        ("exit_value", np.float64),  # sum of exit units x exit fill price
        ("fees", np.float64),
        ("pnl", np.float64),
        ("ret", np.float64),
        ("is_open", np.bool_),
    ],
    align=True,
)


class Market(NamedTuple):
    """The bars the simulation reads, as contiguous arrays of one length."""

    open: Floats
    high: Floats
    low: Floats
    close: Floats
    timestamps: Ints  # int64 nanoseconds (any strictly increasing integer works)


class Settings(NamedTuple):
    """Costs, sizing, fill timing and stops (docs/backtest.md)."""

    initial_cash: float
    fee_rate: float
    slip: float
    fraction: float  # share of equity a target of 1 commits
    next_open: bool  # fill a change at the next bar's open, else at this close
    close_at_end: bool
    has_stops: bool
    stop_loss: float  # NaN: off
    take_profit: float  # NaN: off
    trailing_stop: float  # NaN: off


class Checks(NamedTuple):
    """How the invariants are checked inside the simulation (``checks.py``)."""

    mode: int  # CHECK_OFF, CHECK_STOP or CHECK_COUNT
    abs_tol: float
    rel_tol: float
    max_leverage: float
    short_account: bool  # shorts allowed: a ruined short may end below zero


class Book(NamedTuple):
    """What one run writes: equity per bar, cash and position as steps, fills, trades.

    Cash and position move only at a fill (or ruin), so each is kept as steps: from
    bar ``step_bars[j]`` on, cash is ``step_cash[j]`` and position ``step_pos[j]``
    (before the first step: the initial cash and flat). ``step_bars`` starts filled
    with -1, which the unused slots keep.
    """

    equity: Floats
    step_bars: Ints
    step_cash: Floats
    step_pos: Floats
    fills: Records  # FILL_DTYPE
    trades: Records  # TRADE_DTYPE


class Violations(NamedTuple):
    """Broken invariants by ``code - 1``: count, first bar (-1: never) and values there."""

    counts: Ints
    first_bar: Ints
    first_vals: Floats  # (N_INVARIANTS, 3)


class State(NamedTuple):
    """The simulation's state between bars (``simulate.py``)."""

    cash: float
    pos: float  # signed units held
    nf: int  # fills written
    nt: int  # trades opened
    cur: int  # the open trade's row, -1 when flat
    prev: float  # the last target seen
    pending: bool  # next_open: a change waits for the next open
    pending_target: float
    ref: float  # stops: the raw price of the fill that opened or enlarged; NaN flat
    best: float  # stops: the best price since ``ref``
    n_stops: int  # stop exits so far


class GridOut(NamedTuple):
    """Per grid column: its stats row, the signal scan and the first violation."""

    stats: Floats  # (m, N_STATS)
    scan: Ints  # SIGNAL_* code of the signal scan
    scan_bar: Ints  # the scan's bad bar
    scan_value: Floats  # its bad value
    code: Ints  # first invariant code, 0: none
    bar: Ints
    vals: Floats  # (m, 3)
