"""Numba kernels of the stops: stop loss, take profit and trailing stop, bar by bar.

Everything here takes and returns numpy arrays and scalars only. The plain-Python
reference is ``reference_backtest`` (with ``high``/``low``/stops) in
``tests/backtest/test_engine_reference.py``; docs/backtest.md ("Stops") states the
fill rules. ``simulate_stops_nb`` is the engine's path only when a stop is set: it
runs every bar through the full path (no quiet path, whose bars cannot change the
position), with the same fill, order and check kernels as ``simulate_checked_nb``.

Stop state, in explicit locals: ``ref`` (the raw price of the fill that opened or
last enlarged the position; NaN when flat) and ``best`` (the best price since then:
the highest high of a long, the lowest low of a short, starting at ``ref``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest import _deferred_kernels as dk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest._fill_kernels import close_position_nb, mark_open_trade_nb, order_nb
from peak_trade.backtest._kernels import record_bar_nb

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Positions in the ``stops`` array (NaN: that stop is off).
STOP_LOSS = 0
TAKE_PROFIT = 1
TRAILING_STOP = 2
N_STOPS = 3


@njit(cache=True, nogil=True)
def stop_fill_price_nb(
    side: float,
    ref: float,
    best: float,
    open_: float,
    high: float,
    low: float,
    stops: Floats,
) -> float:
    """Reference: the stop step of reference_backtest; the raw exit price, or NaN.

    The loss side (stop loss and trailing stop, the tighter of the two) is checked
    first and wins when both sides trigger in the bar. A gap through a level fills
    at the open.
    """
    sl = float(stops[STOP_LOSS])
    tp = float(stops[TAKE_PROFIT])
    trail = float(stops[TRAILING_STOP])
    if side > 0.0:
        level = -np.inf
        if not np.isnan(sl):
            level = ref * (1.0 - sl)
        if not np.isnan(trail):
            level = max(level, best * (1.0 - trail))
        if open_ <= level:
            return open_
        if low <= level:
            return level
        if not np.isnan(tp):
            target = ref * (1.0 + tp)
            if open_ >= target:
                return open_
            if high >= target:
                return target
        return np.nan
    level = np.inf
    if not np.isnan(sl):
        level = ref * (1.0 + sl)
    if not np.isnan(trail):
        level = min(level, best * (1.0 + trail))
    if open_ >= level:
        return open_
    if high >= level:
        return level
    if not np.isnan(tp):
        target = ref * (1.0 - tp)
        if open_ <= target:
            return open_
        if low <= target:
            return target
    return np.nan


@njit(cache=True, nogil=True)
def rearm_nb(
    before: float, after: float, price: float, ref: float, best: float
) -> tuple[float, float]:
    """Reference: reference_backtest's stop reset; (ref, best) after an order at ``price``.

    Flat clears the stops; opening, flipping or enlarging the position sets both to
    the order's raw price; a partial reduction keeps them.
    """
    if after == 0.0:
        return np.nan, np.nan
    if before == 0.0 or (after > 0.0) != (before > 0.0) or abs(after) > abs(before):
        return price, price
    return ref, best


@njit(cache=True, nogil=True)
def simulate_stops_nb(
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
    stops: Floats,
    check_mode: int,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    position: Floats,
    equity_out: Floats,
    cash_bars: Ints,
    cash_values: Floats,
    fills: Floats,
    trades: Floats,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int, int, int, int]:
    """Reference: reference_backtest with stops in tests/backtest/test_engine_reference.py.

    Returns ``(status, bar, n_fills, n_trades, n_stops)`` with status and bar as in
    ``simulate_checked_nb``. Within a bar: the pending order at the open
    (``next_open``), then the stops over the bar's range with the levels set before
    the bar, then the best price moves with the bar's high (low), then the bar's
    own target change, the end-of-run close, ruin and the checks.
    """
    checking = check_mode != ik.CHECK_OFF
    stop = check_mode == ik.CHECK_STOP
    n = close.shape[0]
    cash = initial_cash
    pos = 0.0
    nf = 0
    nt = 0
    n_stops = 0
    cur = -1
    prev = 0.0
    pending = False
    pending_target = 0.0
    ref = np.nan
    best = np.nan
    steps = 0
    last_cash = initial_cash
    for i in range(n):
        if pending:  # next_open: yesterday's change fills at today's open
            pending = False
            before = pos
            cash, pos, nf, nt, cur = order_nb(
                i, open_[i], pending_target, fee_rate, slip, fraction, cash, pos,
                nf, nt, cur, fills, trades,
            )  # fmt: skip
            ref, best = rearm_nb(before, pos, open_[i], ref, best)
        if pos != 0.0:
            side = 1.0 if pos > 0.0 else -1.0
            price = stop_fill_price_nb(side, ref, best, open_[i], high[i], low[i], stops)
            if np.isnan(price):
                best = max(best, high[i]) if side > 0.0 else min(best, low[i])
            else:
                cash, pos, nf, nt, cur = close_position_nb(
                    i, price, fee_rate, slip, cash, pos, nf, nt, cur, fills, trades
                )
                n_stops += 1
                ref = np.nan
                best = np.nan
        target = signal[i]
        if target != prev:
            prev = target
            if not next_open:
                before = pos
                cash, pos, nf, nt, cur = order_nb(
                    i, close[i], target, fee_rate, slip, fraction, cash, pos,
                    nf, nt, cur, fills, trades,
                )  # fmt: skip
                ref, best = rearm_nb(before, pos, close[i], ref, best)
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
            ref = np.nan
            best = np.nan
        steps = record_bar_nb(
            i, pos, cash, equity, last_cash, steps, position, equity_out, cash_bars, cash_values
        )
        last_cash = cash
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
                    return code, bar, nf, nt, n_stops
    if cur >= 0:  # an open trade: mark the remainder at the last close
        mark_open_trade_nb(cur, n - 1, pos, close[n - 1], trades)
    if checking:
        code, bar = dk.first_fill_fault_nb(
            fills, nf, low, high, slip, abs_tol, rel_tol, stop, counts, first_bar, first_vals
        )
        if code and stop:
            return code, bar, nf, nt, n_stops
    if checking and n > 0:
        code = ik.check_reconcile_nb(
            n - 1, initial_cash, equity_out[n - 1], trades, nt, abs_tol, rel_tol,
            counts, first_bar, first_vals,
        )  # fmt: skip
        if code and stop:
            return code, n - 1, nf, nt, n_stops
        code, bar = ik.first_code_nb(counts, first_bar)
        return code, bar, nf, nt, n_stops
    return 0, -1, nf, nt, n_stops
