"""Numba kernels of the fills: sizing an order, filling it, and the trade book.

Everything here takes and returns numpy arrays and scalars only; the plain-Python
reference is ``reference_backtest`` in ``tests/backtest/test_engine_reference.py``
and docs/backtest.md states the model. Fills write one row each into ``fills``
(columns ``F_*``); round trips one row each into ``trades`` (columns ``T_*``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]

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
def mark_open_trade_nb(cur: int, bar: int, pos: float, price: float, trades: Floats) -> None:
    """Reference: an open trade's remainder marked at ``price`` (the last close) at ``bar``."""
    remaining = abs(pos)
    trades[cur, T_EXIT_BAR] = bar
    trades[cur, T_EXIT_QTY] += remaining
    trades[cur, T_EXIT_VALUE] += remaining * price
    entry = trades[cur, T_ENTRY_VALUE]
    pnl = trades[cur, T_SIDE] * (trades[cur, T_EXIT_VALUE] - entry) - trades[cur, T_FEES]
    trades[cur, T_PNL] = pnl
    trades[cur, T_RETURN] = pnl / entry
    trades[cur, T_OPEN] = 1.0
