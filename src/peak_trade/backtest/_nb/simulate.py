"""Numba kernel of one backtest: ``simulate_nb``, built from per-bar parts.

The plain-Python reference is ``reference_backtest`` in
``tests/backtest/test_engine_reference.py``; docs/backtest.md states the model. A
bar takes the full path (``full_bar_nb``: the pending order, the stops, the bar's
own order, the end-of-run close and ruin; then ``record_bar_nb`` and
``checked_bar_nb``) or, between orders, the quiet path (``quiet.py``), which writes
the same values in vectorised blocks. A run with stops takes the full path on
every bar. ``close_book_nb`` marks the open trade and ``end_of_run_nb`` runs the end-of-run
checks.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from peak_trade.backtest._nb.checks import (
    CHECK_OFF,
    CHECK_STOP,
    check_reconcile_nb,
    check_state_nb,
    check_time_nb,
    first_code_nb,
    state_ok_nb,
)
from peak_trade.backtest._nb.fill_checks import first_fill_violation_nb, first_of_stop_nb
from peak_trade.backtest._nb.fills import close_position_nb, mark_open_trade_nb, order_nb
from peak_trade.backtest._nb.jit import njit_borrowed
from peak_trade.backtest._nb.quiet import QUIET_BLOCK, SHORT_QUIET_BLOCK, quiet_run_nb
from peak_trade.backtest._nb.records import (
    Book,
    Checks,
    Floats,
    Market,
    Settings,
    State,
    Violations,
)
from peak_trade.backtest._nb.stops import rearm_nb, stop_fill_price_nb

Outcome = tuple[int, int, int, int, int]  # status, bar, fills, trades, stop exits


@njit(cache=True, nogil=True, inline="always")
def start_state_nb(s: Settings) -> State:
    """Reference: flat, all cash, no target seen, no stop armed."""
    return State(s.initial_cash, 0.0, 0, 0, -1, 0.0, False, 0.0, np.nan, np.nan, 0)


@njit(cache=True, nogil=True, inline="always")
def full_bar_nb(
    i: int, st: State, m: Market, s: Settings, signal: Floats, book: Book
) -> tuple[State, float]:
    """Reference: one bar of reference_backtest; the new state and the bar's equity.

    In order: yesterday's change at today's open (``next_open``), the stops over the
    bar's range with the levels set before it, the best price moving with the bar,
    the bar's own target change, the end-of-run close, then ruin (a short that lost
    everything is liquidated).
    """
    cash, pos, nf, nt, cur = st.cash, st.pos, st.nf, st.nt, st.cur
    prev, pending, pending_target = st.prev, st.pending, st.pending_target
    ref, best, n_stops = st.ref, st.best, st.n_stops
    fills, trades = book.fills, book.trades
    n = m.close.shape[0]
    if pending:
        pending = False
        before = pos
        cash, pos, nf, nt, cur = order_nb(
            i, m.open[i], pending_target, s, cash, pos, nf, nt, cur, fills, trades
        )
        if s.has_stops:
            ref, best = rearm_nb(before, pos, m.open[i], ref, best)
    if s.has_stops and pos != 0.0:
        side = 1.0 if pos > 0.0 else -1.0
        price = stop_fill_price_nb(side, ref, best, m.open[i], m.high[i], m.low[i], s)
        if np.isnan(price):
            best = max(best, m.high[i]) if side > 0.0 else min(best, m.low[i])
        else:
            cash, pos, nf, nt, cur = close_position_nb(
                i, price, s, cash, pos, nf, nt, cur, fills, trades
            )
            n_stops += 1
            ref = np.nan
            best = np.nan
    target = signal[i]
    if target != prev:
        prev = target
        if not s.next_open:
            before = pos
            cash, pos, nf, nt, cur = order_nb(
                i, m.close[i], target, s, cash, pos, nf, nt, cur, fills, trades
            )
            if s.has_stops:
                ref, best = rearm_nb(before, pos, m.close[i], ref, best)
        elif i + 1 < n:
            pending = True
            pending_target = target
    mark = m.close[i]
    if s.close_at_end and i == n - 1 and pos != 0.0:
        cash, pos, nf, nt, cur = close_position_nb(
            i, mark, s, cash, pos, nf, nt, cur, fills, trades
        )
    equity = cash + pos * mark
    if equity <= 0.0 and pos != 0.0:  # a short lost everything: liquidate
        cash, pos, nf, nt, cur = close_position_nb(
            i, mark, s, cash, pos, nf, nt, cur, fills, trades
        )
        equity = cash
        ref = np.nan
        best = np.nan
    state = State(cash, pos, nf, nt, cur, prev, pending, pending_target, ref, best, n_stops)
    return state, equity


@njit(cache=True, nogil=True, inline="always")
def record_bar_nb(
    i: int, st: State, equity: float, last_cash: float, last_pos: float, steps: int, book: Book
) -> int:
    """Reference: reference_backtest's per-bar rows; cash and position as steps.

    Equity is written per bar; a step (bar, cash, position) where either differs
    from the bar before (NaN equals NaN). Returns the step count; a step past the
    buffer is counted, not written.
    """
    book.equity[i] = equity
    cash, pos = st.cash, st.pos
    cash_moved = cash != last_cash and not (cash != cash and last_cash != last_cash)
    pos_moved = pos != last_pos and not (pos != pos and last_pos != last_pos)
    if cash_moved or pos_moved:
        if steps < book.step_bars.shape[0]:
            book.step_bars[steps] = i
            book.step_cash[steps] = cash
            book.step_pos[steps] = pos
        steps += 1
    return steps


@njit_borrowed
def checked_bar_nb(
    i: int, st: State, equity: float, m: Market, s: Settings, c: Checks, book: Book,
    viol: Violations,
) -> tuple[int, int]:  # fmt: skip
    """Reference: the bar's timestamp, then its state (``checks.py``); (code, bar).

    The bar's fills are checked after the loop, all at once (``fill_checks.py``);
    in strict mode a violation here is first weighed against the fills before it.
    """
    unordered = i > 0 and m.timestamps[i] <= m.timestamps[i - 1]
    mark = m.close[i]
    if not unordered and state_ok_nb(st.cash, st.pos, mark, equity, c):
        return 0, -1
    stop = c.mode == CHECK_STOP
    code = check_time_nb(i, m.timestamps, viol) if unordered else 0
    if not (code and stop):
        code = code or check_state_nb(i, st.cash, st.pos, mark, equity, c, viol)
    if code and stop:
        return first_of_stop_nb(code, i, book.fills, st.nf, m.low, m.high, s.slip, c, viol)
    return code, i


@njit_borrowed
def close_book_nb(st: State, m: Market, book: Book) -> None:
    """Reference: an open trade at the end is marked at the last close."""
    if st.cur >= 0:
        n = m.close.shape[0]
        mark_open_trade_nb(st.cur, n - 1, st.pos, m.close[n - 1], book.trades)


@njit_borrowed
def end_of_run_nb(
    st: State, m: Market, s: Settings, c: Checks, book: Book, viol: Violations
) -> Outcome:
    """Reference: the fills' checks, then the trades' reconciliation; the run's outcome."""
    n = m.close.shape[0]
    counts = st.nf, st.nt, st.n_stops
    if c.mode == CHECK_OFF:
        return 0, -1, counts[0], counts[1], counts[2]
    code, bar = first_fill_violation_nb(book.fills, st.nf, m.low, m.high, s.slip, c, viol)
    if code and c.mode == CHECK_STOP:
        return code, bar, counts[0], counts[1], counts[2]
    if n > 0:
        final = book.equity[n - 1]
        code = check_reconcile_nb(n - 1, s.initial_cash, final, book.trades, st.nt, c, viol)
        if code and c.mode == CHECK_STOP:
            return code, n - 1, counts[0], counts[1], counts[2]
    code, bar = first_code_nb(viol)
    return code, bar, counts[0], counts[1], counts[2]


@njit_borrowed
def simulate_nb(
    m: Market, s: Settings, c: Checks, signal: Floats, book: Book, viol: Violations
) -> Outcome:
    """Reference: reference_backtest in tests/backtest/test_engine_reference.py.

    Returns ``(status, bar, n_fills, n_trades, n_stops)``: status 0 is success, else
    the invariant code found first and its bar. ``c.mode`` is CHECK_OFF, CHECK_STOP
    (strict: keep only the first violation) or CHECK_COUNT (record and go on). In
    strict mode the status and bar are the first violation in each bar's order,
    while the per-bar arrays and the rows past that bar are scratch.
    """
    n = m.close.shape[0]
    st = start_state_nb(s)
    steps = 0
    block = QUIET_BLOCK  # the quiet path's first block
    i = 0
    while i < n:
        last_cash, last_pos = st.cash, st.pos
        st, equity = full_bar_nb(i, st, m, s, signal, book)
        steps = record_bar_nb(i, st, equity, last_cash, last_pos, steps, book)
        violated = False  # warn mode: a violation that lasts would flag the next block
        if c.mode != CHECK_OFF:
            code, bar = checked_bar_nb(i, st, equity, m, s, c, book, viol)
            if code and c.mode == CHECK_STOP:
                return code, bar, st.nf, st.nt, st.n_stops
            violated = code != 0
        i += 1
        if st.pending or violated or s.has_stops:
            continue
        # The quiet path, up to the last bar (which may close at the end).
        i = quiet_run_nb(i, n - 1, st.cash, st.pos, st.prev, signal, m, c, book, block)
        # Left at a flagged bar (not a target change, not the end): start the next
        # quiet stretch with short blocks, in case the flags come every few bars.
        block = QUIET_BLOCK if i >= n - 1 or signal[i] != st.prev else SHORT_QUIET_BLOCK
    close_book_nb(st, m, book)
    return end_of_run_nb(st, m, s, c, book, viol)
