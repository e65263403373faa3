"""Numba kernels of the backtest engine: the signal scan, the simulation and the grid.

Everything here takes and returns numpy arrays and scalars only. The plain-Python
reference of the simulation is ``reference_backtest`` in
``tests/backtest/test_engine_reference.py``; docs/backtest.md states the model.

Per-bar state of the simulation, kept in explicit locals so that per-bar checks
(``check_mode > 0``, reserved for the invariants) can read it: ``cash``, ``pos``
(signed units), the mark price ``close[i]`` and the equity ``cash + pos * close[i]``.
Fills write one row each into ``fills``; trades one row each into ``trades``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest._stats_kernels import stats_nb

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Status codes of scan_signal_nb (and of each grid column).
SIGNAL_OK = 0
SIGNAL_NAN = 1
SIGNAL_OUT_OF_RANGE = 2
SIGNAL_SHORT = 3

# Columns of the fills array: one row per fill.
F_BAR = 0
F_QTY = 1  # signed units: > 0 buys, < 0 sells
F_PRICE = 2  # the fill price, slippage included
F_FEE = 3
N_FILL_COLS = 4

# Columns of the trades array: one row per round trip from flat to flat.
T_ENTRY_BAR = 0
T_EXIT_BAR = 1
T_SIDE = 2  # +1 long, -1 short
T_QTY = 3  # units entered (sum over the entry fills)
T_ENTRY_VALUE = 4  # sum of entry units * entry fill price
T_EXIT_QTY = 5
T_EXIT_VALUE = 6  # sum of exit units * exit fill price (open: remainder at last close)
T_FEES = 7
T_PNL = 8
T_RETURN = 9
T_OPEN = 10
N_TRADE_COLS = 11

# Test-only faults injected by simulate_checked_nb at ``fault_bar`` (0: none).
NO_FAULT = 0
FAULT_CASH = 1  # cash += value (kept: later bars carry it)
FAULT_EQUITY = 2  # the recorded equity += value (that bar only)
FAULT_LEVERAGE = 3  # position *= value, cash pays for it: equity unchanged
FAULT_FILL_PRICE = 4  # the bar's first fill price *= value (the record only)
FAULT_FEE = 5  # the bar's first fill fee = value (the record only)
FAULT_TRADE_PNL = 6  # the first trade's pnl += value, after the run


@njit(cache=True, nogil=True)
def scan_signal_nb(signal: Floats, allow_short: bool) -> tuple[int, int, float, int]:
    """Reference: a loop returning the first NaN / out-of-range / short bar and the changes."""
    prev = 0.0
    changes = 0
    for i in range(signal.shape[0]):
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
def fill_capacity_nb(changes: int) -> int:
    """Reference: two fills per target change (a flip), plus one end-of-run close."""
    return 2 * changes + 2


@njit(cache=True, nogil=True)
def fill_nb(
    bar: int,
    qty: float,
    price: float,
    fee_rate: float,
    cash: float,
    pos: float,
    nf: int,
    nt: int,
    cur: int,
    fills: Floats,
    trades: Floats,
) -> tuple[float, float, int, int, int]:
    """Reference: reference_backtest's fill step; qty never crosses zero."""
    notional = abs(qty) * price
    fee = notional * fee_rate
    cash = cash - qty * price - fee
    fills[nf, F_BAR] = bar
    fills[nf, F_QTY] = qty
    fills[nf, F_PRICE] = price
    fills[nf, F_FEE] = fee
    nf += 1
    if cur < 0:  # opens a trade from flat
        cur = nt
        nt += 1
        trades[cur, T_ENTRY_BAR] = bar
        trades[cur, T_EXIT_BAR] = -1.0
        trades[cur, T_SIDE] = 1.0 if qty > 0.0 else -1.0
        trades[cur, T_QTY] = abs(qty)
        trades[cur, T_ENTRY_VALUE] = notional
        trades[cur, T_EXIT_QTY] = 0.0
        trades[cur, T_EXIT_VALUE] = 0.0
        trades[cur, T_FEES] = fee
        trades[cur, T_PNL] = 0.0
        trades[cur, T_RETURN] = 0.0
        trades[cur, T_OPEN] = 1.0
        return cash, qty, nf, nt, cur
    trades[cur, T_FEES] += fee
    if (qty > 0.0) == (pos > 0.0):  # adds to the trade
        trades[cur, T_QTY] += abs(qty)
        trades[cur, T_ENTRY_VALUE] += notional
        return cash, pos + qty, nf, nt, cur
    trades[cur, T_EXIT_QTY] += abs(qty)
    trades[cur, T_EXIT_VALUE] += notional
    pos = pos + qty
    if pos == 0.0:  # back to flat: the round trip is done
        side = trades[cur, T_SIDE]
        entry = trades[cur, T_ENTRY_VALUE]
        pnl = side * (trades[cur, T_EXIT_VALUE] - entry) - trades[cur, T_FEES]
        trades[cur, T_EXIT_BAR] = bar
        trades[cur, T_PNL] = pnl
        trades[cur, T_RETURN] = pnl / entry
        trades[cur, T_OPEN] = 0.0
        cur = -1
    return cash, pos, nf, nt, cur


@njit(cache=True, nogil=True)
def close_position_nb(
    bar: int,
    price: float,
    fee_rate: float,
    slip: float,
    cash: float,
    pos: float,
    nf: int,
    nt: int,
    cur: int,
    fills: Floats,
    trades: Floats,
) -> tuple[float, float, int, int, int]:
    """Reference: sell a long at price * (1 - slip), buy back a short at price * (1 + slip)."""
    fill_price = price * (1.0 - slip) if pos > 0.0 else price * (1.0 + slip)
    return fill_nb(bar, -pos, fill_price, fee_rate, cash, pos, nf, nt, cur, fills, trades)


@njit(cache=True, nogil=True)
def order_nb(
    bar: int,
    price: float,
    target: float,
    fee_rate: float,
    slip: float,
    fraction: float,
    cash: float,
    pos: float,
    nf: int,
    nt: int,
    cur: int,
    fills: Floats,
    trades: Floats,
) -> tuple[float, float, int, int, int]:
    """Reference: reference_backtest's rebalance to a target exposure at a raw price."""
    if pos != 0.0 and (target == 0.0 or (target > 0.0) != (pos > 0.0)):
        # Exit first: flat, or the close leg of a flip.
        cash, pos, nf, nt, cur = close_position_nb(
            bar, price, fee_rate, slip, cash, pos, nf, nt, cur, fills, trades
        )
    if target == 0.0:
        return cash, pos, nf, nt, cur
    equity = cash + pos * price
    units = 0.0
    if equity > 0.0:
        units = target * fraction * equity / (price * (1.0 + slip) * (1.0 + fee_rate))
    if units == 0.0:  # nothing left to size with: the account is ruined
        if pos != 0.0:
            cash, pos, nf, nt, cur = close_position_nb(
                bar, price, fee_rate, slip, cash, pos, nf, nt, cur, fills, trades
            )
        return cash, pos, nf, nt, cur
    delta = units - pos
    if delta == 0.0:
        return cash, pos, nf, nt, cur
    fill_price = price * (1.0 + slip) if delta > 0.0 else price * (1.0 - slip)
    return fill_nb(bar, delta, fill_price, fee_rate, cash, pos, nf, nt, cur, fills, trades)


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
    cash_out: Floats,
    equity_out: Floats,
    exposure_out: Floats,
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
        cash_out,
        equity_out,
        exposure_out,
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
    cash_out: Floats,
    equity_out: Floats,
    exposure_out: Floats,
    fills: Floats,
    trades: Floats,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int, int, int]:
    """Reference: reference_backtest in tests/backtest/test_engine_reference.py.

    Returns ``(status, bar, n_fills, n_trades)``: status 0 is success, else the
    invariant code (``_invariant_kernels``) found first and its bar. ``check_mode``
    is CHECK_OFF, CHECK_STOP (return at the first violation) or CHECK_COUNT (record
    and go on). ``fault`` (a FAULT_* code, tests only) corrupts the state at
    ``fault_bar``.
    """
    checking = check_mode != ik.CHECK_OFF
    stop = check_mode == ik.CHECK_STOP
    halted = 0
    halted_bar = -1
    n = close.shape[0]
    cash = initial_cash
    pos = 0.0
    nf = 0
    nt = 0
    cur = -1
    prev = 0.0
    pending = False
    pending_target = 0.0
    start = 0
    nf_bar = 0
    while start < n:
        failed = -1
        for i in range(start, n):
            nf_bar = nf
            if pending:  # next_open: yesterday's change fills at today's open
                pending = False
                cash, pos, nf, nt, cur = order_nb(
                    i,
                    open_[i],
                    pending_target,
                    fee_rate,
                    slip,
                    fraction,
                    cash,
                    pos,
                    nf,
                    nt,
                    cur,
                    fills,
                    trades,
                )
            target = signal[i]
            if target != prev:
                prev = target
                if not next_open:
                    cash, pos, nf, nt, cur = order_nb(
                        i,
                        close[i],
                        target,
                        fee_rate,
                        slip,
                        fraction,
                        cash,
                        pos,
                        nf,
                        nt,
                        cur,
                        fills,
                        trades,
                    )
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
            position[i] = pos
            cash_out[i] = cash
            equity_out[i] = equity
            held = pos * mark
            if held == 0.0:
                exposure_out[i] = 0.0
            elif equity > 0.0:
                exposure_out[i] = held / equity
            else:
                exposure_out[i] = np.nan
            if checking:
                # Branch-free (& not `and`); at i = 0, timestamps[-1] is a valid read.
                ok = (
                    ((i == 0) | (timestamps[i] > timestamps[i - 1]))
                    & (nf == nf_bar)
                    & ik.state_ok_nb(
                        cash, pos, mark, equity, abs_tol, rel_tol, max_leverage, short_account
                    )
                )
                if not ok:  # leave the hot loop; the cold path below records it
                    failed = i
                    break

        if failed < 0:
            break
        # The cold path, outside the hot loop: find and record what broke, in order.
        code = ik.check_bar_nb(
            failed, timestamps, fills, nf_bar, nf, low[failed], high[failed], cash, pos,
            close[failed], equity_out[failed], slip, abs_tol, rel_tol, max_leverage,
            short_account, stop, counts, first_bar, first_vals,
        )  # fmt: skip
        if code and stop:
            halted = code
            halted_bar = failed
            break
        start = failed + 1
    if halted:
        return halted, halted_bar, nf, nt
    if cur >= 0:  # an open trade: mark the remainder at the last close
        remaining = abs(pos)
        trades[cur, T_EXIT_BAR] = n - 1
        trades[cur, T_EXIT_QTY] += remaining
        trades[cur, T_EXIT_VALUE] += remaining * close[n - 1]
        entry = trades[cur, T_ENTRY_VALUE]
        pnl = trades[cur, T_SIDE] * (trades[cur, T_EXIT_VALUE] - entry) - trades[cur, T_FEES]
        trades[cur, T_PNL] = pnl
        trades[cur, T_RETURN] = pnl / entry
        trades[cur, T_OPEN] = 1.0
    if fault == FAULT_TRADE_PNL and nt > 0:
        trades[0, T_PNL] += fault_value
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


@njit(cache=True, nogil=True)
def grid_nb(
    open_: Floats,
    close: Floats,
    signals: Floats,
    allow_short: bool,
    initial_cash: float,
    fee_rate: float,
    slip: float,
    fraction: float,
    next_open: bool,
    close_at_end: bool,
    periods_per_year: float,
    years: float,
    n_chunks: int,
    out_stats: Floats,
    out_status: Ints,
    out_index: Ints,
    out_value: Floats,
) -> None:
    """Reference: grid_checked_nb without checks (high = low = close)."""
    m = signals.shape[1]
    grid_checked_nb(
        open_,
        close,
        close,
        close,
        np.empty(0, np.int64),  # unused: checks are off
        signals,
        allow_short,
        initial_cash,
        fee_rate,
        slip,
        fraction,
        next_open,
        close_at_end,
        periods_per_year,
        years,
        n_chunks,
        ik.CHECK_OFF,
        False,
        0.0,
        0.0,
        np.inf,
        out_stats,
        out_status,
        out_index,
        out_value,
        np.zeros(m, dtype=np.int64),
        np.zeros(m, dtype=np.int64),
        np.zeros((m, 3)),
    )


@njit(cache=True, nogil=True, parallel=True)
def grid_checked_nb(
    open_: Floats,
    high: Floats,
    low: Floats,
    close: Floats,
    timestamps: Ints,
    signals: Floats,
    allow_short: bool,
    initial_cash: float,
    fee_rate: float,
    slip: float,
    fraction: float,
    next_open: bool,
    close_at_end: bool,
    periods_per_year: float,
    years: float,
    n_chunks: int,
    check_mode: int,
    at_end: bool,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    out_stats: Floats,
    out_status: Ints,
    out_index: Ints,
    out_value: Floats,
    out_code: Ints,
    out_bar: Ints,
    out_vals: Floats,
) -> None:
    """Reference: simulate_checked_nb (+ end_checks_nb) then stats_nb per column, serially.

    Per column ``j``: ``out_status/out_index/out_value`` hold the signal scan,
    ``out_code/out_bar/out_vals`` the first invariant violation (code 0: none);
    in CHECK_STOP mode a violating column's stats are NaN, in CHECK_COUNT they are kept.
    """
    n = signals.shape[0]
    m = signals.shape[1]
    size = (m + n_chunks - 1) // n_chunks
    per_bar = ik.CHECK_OFF if at_end else check_mode
    stop = check_mode == ik.CHECK_STOP
    for c in prange(n_chunks):
        lo = c * size
        hi = min(m, lo + size)
        if lo >= hi:
            continue
        position = np.empty(n)
        cash = np.empty(n)
        equity = np.empty(n)
        exposure = np.empty(n)
        no_drawdown = np.empty(0)
        counts = np.zeros(ik.N_INVARIANTS, dtype=np.int64)
        first_bar = np.full(ik.N_INVARIANTS, -1, dtype=np.int64)
        first_vals = np.zeros((ik.N_INVARIANTS, 3))
        for j in range(lo, hi):
            out_code[j] = 0
            out_bar[j] = -1
            signal = signals[:, j]
            status, index, value, changes = scan_signal_nb(signal, allow_short)
            out_status[j] = status
            out_index[j] = index
            out_value[j] = value
            if status != SIGNAL_OK:
                out_stats[j, :] = np.nan
                continue
            cap = fill_capacity_nb(changes)
            fills = np.empty((cap, N_FILL_COLS))
            trades = np.empty((cap, N_TRADE_COLS))
            counts[:] = 0
            first_bar[:] = -1
            code, bar, nf, nt = simulate_checked_nb(
                open_,
                high,
                low,
                close,
                timestamps,
                signal,
                initial_cash,
                fee_rate,
                slip,
                fraction,
                next_open,
                close_at_end,
                per_bar,
                abs_tol,
                rel_tol,
                max_leverage,
                allow_short,
                NO_FAULT,
                -1,
                0.0,
                position,
                cash,
                equity,
                exposure,
                fills,
                trades,
                counts,
                first_bar,
                first_vals,
            )
            if at_end and check_mode != ik.CHECK_OFF:
                code, bar = ik.end_checks_nb(
                    timestamps,
                    close,
                    high,
                    low,
                    position,
                    cash,
                    equity,
                    fills,
                    nf,
                    trades,
                    nt,
                    initial_cash,
                    slip,
                    abs_tol,
                    rel_tol,
                    max_leverage,
                    allow_short,
                    stop,
                    counts,
                    first_bar,
                    first_vals,
                )
            if code != 0:
                out_code[j] = code
                out_bar[j] = bar
                out_vals[j, :] = first_vals[code - 1, :]
                if stop:
                    out_stats[j, :] = np.nan
                    continue
            stats_nb(
                equity,
                position,
                initial_cash,
                trades[:nt, T_PNL],
                trades[:nt, T_RETURN],
                periods_per_year,
                years,
                out_stats[j],
                no_drawdown,
            )
