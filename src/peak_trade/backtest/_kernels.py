"""Numba kernels of the backtest engine: the signal scan and the simulation.

Everything here takes and returns numpy arrays and scalars only. The plain-Python
reference of the simulation is ``reference_backtest`` in
``tests/backtest/test_engine_reference.py``; docs/backtest.md states the model. The
fills and the trade book are in ``_fill_kernels.py``, the bars between orders in
``_quiet_kernels.py``, the grid in ``_grid_kernels.py``.

Per-bar state of the simulation, kept in explicit locals so that the per-bar
invariant checks (``check_mode > 0``) can read it: ``cash``, ``pos`` (signed units),
the mark price ``close[i]`` and the equity ``cash + pos * close[i]``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest import _deferred_kernels as dk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest._fill_kernels import (
    F_FEE,
    F_PRICE,
    T_PNL,
    close_position_nb,
    mark_open_trade_nb,
    order_nb,
)
from peak_trade.backtest._quiet_kernels import QUIET_BLOCK, SHORT_QUIET_BLOCK, quiet_run_nb

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Status codes of scan_signal_nb (and of each grid column).
SIGNAL_OK = 0
SIGNAL_NAN = 1
SIGNAL_OUT_OF_RANGE = 2
SIGNAL_SHORT = 3

# Test-only faults injected by simulate_checked_nb at ``fault_bar`` (0: none).
NO_FAULT = 0
FAULT_CASH = 1  # cash += value (kept: later bars carry it)
FAULT_EQUITY = 2  # the recorded equity += value (that bar only)
FAULT_LEVERAGE = 3  # position *= value, cash pays for it: equity unchanged
FAULT_FILL_PRICE = 4  # the bar's first fill price *= value (the record only)
FAULT_FEE = 5  # the bar's first fill fee = value (the record only)
FAULT_TRADE_PNL = 6  # the first trade's pnl += value, after the run


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


@njit(cache=True, nogil=True)
def record_bar_nb(
    i: int,
    pos: float,
    cash: float,
    equity: float,
    last_cash: float,
    steps: int,
    position: Floats,
    equity_out: Floats,
    cash_bars: Ints,
    cash_values: Floats,
) -> int:
    """Reference: reference_backtest's per-bar rows; cash as (bar, value) steps.

    Position and equity are written per bar. Cash moves only at a fill (or a test
    fault), so a step is recorded where it differs from ``last_cash`` (NaN equals
    NaN); the caller then passes ``cash`` as ``last_cash``. Returns the step count;
    a step past the buffer is counted, not written. Exposure and drawdown are
    derived from these (``_derive_kernels.py``).
    """
    position[i] = pos
    equity_out[i] = equity
    if cash != last_cash and not (cash != cash and last_cash != last_cash):
        if steps < cash_bars.shape[0]:
            cash_bars[steps] = i
            cash_values[steps] = cash
        steps += 1
    return steps


@njit(cache=True, nogil=True)
def simulate_nb(
    open_: Floats,
    close: Floats,
    signal: Floats,
    initial_cash: float,
    fee_rate: float,
    slip: float,
    fraction: float,
    next_open: bool,
    close_at_end: bool,
    check_mode: int,
    position: Floats,
    equity_out: Floats,
    cash_bars: Ints,
    cash_values: Floats,
    fills: Floats,
    trades: Floats,
) -> tuple[int, int, int, int]:
    """Reference: reference_backtest; simulate_checked_nb without checks (high = low = close)."""
    counts = np.zeros(ik.N_INVARIANTS, dtype=np.int64)
    first_bar = np.full(ik.N_INVARIANTS, -1, dtype=np.int64)
    first_vals = np.zeros((ik.N_INVARIANTS, 3))
    # Bar numbers stand in for timestamps; not needed (nor allocated) without checks.
    ts = np.arange(close.shape[0]) if check_mode != ik.CHECK_OFF else np.empty(0, np.int64)
    return simulate_checked_nb(
        open_,
        close,
        close,
        close,
        ts,
        signal,
        initial_cash,
        fee_rate,
        slip,
        fraction,
        next_open,
        close_at_end,
        check_mode,
        0.0,
        0.0,
        np.inf,
        False,
        NO_FAULT,
        -1,
        0.0,
        position,
        equity_out,
        cash_bars,
        cash_values,
        fills,
        trades,
        counts,
        first_bar,
        first_vals,
    )


@njit(cache=True, nogil=True)
def simulate_checked_nb(
    open_: Floats,
    high: Floats,
    low: Floats,
    close: Floats,
    timestamps: Ints,
    signal: Floats,
    initial_cash: float,
    fee_rate: float,
    slip: float,
    fraction: float,
    next_open: bool,
    close_at_end: bool,
    check_mode: int,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    fault: int,
    fault_bar: int,
    fault_value: float,
    position: Floats,
    equity_out: Floats,
    cash_bars: Ints,
    cash_values: Floats,
    fills: Floats,
    trades: Floats,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int, int, int]:
    """Reference: reference_backtest in tests/backtest/test_engine_reference.py.

    Returns ``(status, bar, n_fills, n_trades)``: status 0 is success, else the
    invariant code (``_invariant_kernels``) found first and its bar. ``check_mode``
    is CHECK_OFF, CHECK_STOP (strict: keep only the first violation) or CHECK_COUNT
    (record and go on). Fills are checked after the loop, so CHECK_STOP returns at
    the first timestamp or state violation, or at the end; the status and bar are
    the first violation in each bar's order either way, while the per-bar arrays,
    the fill and trade rows and their counts past that bar are scratch. ``fault``
    (a FAULT_* code, tests only) corrupts the state at ``fault_bar``.

    Per bar it writes ``position`` and ``equity_out``; cash is written as steps
    (``record_bar_nb``) into ``cash_bars``/``cash_values``, which need the fill
    capacity + 2 slots (a step per fill bar, the fault bar) with ``cash_bars``
    pre-filled with -1: the unused slots keep it.
    """
    checking = check_mode != ik.CHECK_OFF
    stop = check_mode == ik.CHECK_STOP
    n = close.shape[0]
    cash = initial_cash
    pos = 0.0
    nf = 0
    nt = 0
    cur = -1
    prev = 0.0
    pending = False
    pending_target = 0.0
    violated = False  # warn mode: the bar just checked broke an invariant
    block = QUIET_BLOCK  # the quiet path's first block
    least_tol = abs_tol + rel_tol  # tol(x) >= least_tol for every x
    steps = 0
    last_cash = initial_cash
    i = 0
    while i < n:
        # The full path: orders, the end-of-run close, ruin, faults and the checks.
        nf_bar = nf
        if pending:  # next_open: yesterday's change fills at today's open
            pending = False
            cash, pos, nf, nt, cur = order_nb(
                i, open_[i], pending_target, fee_rate, slip, fraction, cash, pos,
                nf, nt, cur, fills, trades,
            )  # fmt: skip
        target = signal[i]
        if target != prev:
            prev = target
            if not next_open:
                cash, pos, nf, nt, cur = order_nb(
                    i, close[i], target, fee_rate, slip, fraction, cash, pos,
                    nf, nt, cur, fills, trades,
                )  # fmt: skip
            elif i + 1 < n:
                pending = True
                pending_target = target
        mark = close[i]
        if close_at_end and i == n - 1 and pos != 0.0:
            cash, pos, nf, nt, cur = close_position_nb(
                i, mark, fee_rate, slip, cash, pos, nf, nt, cur, fills, trades
            )
        equity = cash + pos * mark
        if equity <= 0.0 and pos != 0.0:  # a short lost everything: liquidate
            cash, pos, nf, nt, cur = close_position_nb(
                i, mark, fee_rate, slip, cash, pos, nf, nt, cur, fills, trades
            )
            equity = cash
        if fault != NO_FAULT and i == fault_bar:
            if fault == FAULT_CASH:
                cash += fault_value
                equity = cash + pos * mark
            elif fault == FAULT_EQUITY:
                equity += fault_value
            elif fault == FAULT_LEVERAGE:
                cash -= (fault_value - 1.0) * pos * mark
                pos *= fault_value
            elif fault == FAULT_FILL_PRICE and nf > nf_bar:
                fills[nf_bar, F_PRICE] *= fault_value
            elif fault == FAULT_FEE and nf > nf_bar:
                fills[nf_bar, F_FEE] = fault_value
        steps = record_bar_nb(
            i, pos, cash, equity, last_cash, steps, position, equity_out, cash_bars, cash_values
        )
        last_cash = cash
        # The bar's fills are checked after the loop, all at once (_deferred_kernels.py):
        # their low/high reads then overlap instead of stalling this loop.
        if checking:
            unordered = i > 0 and timestamps[i] <= timestamps[i - 1]
            if unordered or not ik.state_ok_nb(
                cash, pos, mark, equity, abs_tol, rel_tol, max_leverage, short_account
            ):
                code = ik.check_bar_nb(
                    i, timestamps, unordered, fills, nf, nf, low[i], high[i], cash, pos,
                    mark, equity, slip, abs_tol, rel_tol, max_leverage, short_account, stop,
                    counts, first_bar, first_vals,
                )  # fmt: skip
                if code and stop:
                    code, bar = dk.first_of_stop_nb(
                        code, i, fills, nf, low, high, slip, abs_tol, rel_tol,
                        counts, first_bar, first_vals,
                    )  # fmt: skip
                    return code, bar, nf, nt
                # warn: a violation that lasts would flag the quiet path's next
                # block at its first bar; take the next bar on the full path.
                violated = code != 0
        i += 1
        if pending or violated:
            violated = False
            continue
        # The quiet path: bars with no order (the target is unchanged), before the
        # last bar and the fault bar. The state only moves with the close; a bar that
        # needs more (ruin, an unordered timestamp, a failed screen) goes through the
        # full path, which rewrites it.
        limit = n - 1
        if fault != NO_FAULT and fault_bar >= i:
            limit = min(limit, fault_bar)
        if checking and not cash >= -least_tol:
            limit = i  # the cheap screen below would not suffice: every bar takes the full path
        i = quiet_run_nb(
            i, limit, prev, cash, pos, signal, close, timestamps, position, equity_out,
            checking, max_leverage, least_tol, block,
        )  # fmt: skip
        # Left at a flagged bar (not a target change, not the limit): start the next
        # quiet stretch with short blocks, in case the flags come every few bars.
        block = QUIET_BLOCK if i >= limit or signal[i] != prev else SHORT_QUIET_BLOCK
    if cur >= 0:  # an open trade: mark the remainder at the last close
        mark_open_trade_nb(cur, n - 1, pos, close[n - 1], trades)
    if fault == FAULT_TRADE_PNL and nt > 0:
        trades[0, T_PNL] += fault_value
    if checking:
        code, bar = dk.first_fill_fault_nb(
            fills, nf, low, high, slip, abs_tol, rel_tol, stop, counts, first_bar, first_vals
        )
        if code and stop:
            return code, bar, nf, nt
    if checking and n > 0:
        code = ik.check_reconcile_nb(
            n - 1,
            initial_cash,
            equity_out[n - 1],
            trades,
            nt,
            abs_tol,
            rel_tol,
            counts,
            first_bar,
            first_vals,
        )
        if code and stop:
            return code, n - 1, nf, nt
        code, bar = ik.first_code_nb(counts, first_bar)
        return code, bar, nf, nt
    return 0, -1, nf, nt
