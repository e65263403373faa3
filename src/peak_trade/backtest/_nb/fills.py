"""Numba kernels of the fills: sizing an order, filling it, and the trade book.

The plain-Python reference is ``reference_backtest`` in
``tests/backtest/test_engine_reference.py``; docs/backtest.md states the model.
A fill writes one ``FILL_DTYPE`` row into ``fills``; a round trip one
``TRADE_DTYPE`` row into ``trades`` (``records.py``). They take the two arrays, not
the ``Book``: an array read from a record per call costs a reference count.
"""

from __future__ import annotations

from numba import njit

from peak_trade.backtest._nb.records import Records, Settings

Fill = tuple[float, float, int, int, int]  # cash, pos, nf, nt, cur


@njit(cache=True, nogil=True)
def fill_capacity_nb(changes: int, has_stops: bool) -> int:
    """Reference: two fills per target change (a flip), one stop exit per change, one close."""
    return (3 if has_stops else 2) * changes + 2


@njit(cache=True, nogil=True, inline="always")
def fill_nb(
    bar: int, qty: float, price: float, fee_rate: float,
    cash: float, pos: float, nf: int, nt: int, cur: int, fills: Records, trades: Records,
) -> Fill:  # fmt: skip
    """Reference: reference_backtest's fill step; qty never crosses zero."""
    notional = abs(qty) * price
    fee = notional * fee_rate
    cash = cash - qty * price - fee
    f = fills[nf]
    f.bar = bar
    f.qty = qty
    f.price = price
    f.fee = fee
    nf += 1
    if cur < 0:  # opens a trade from flat
        cur = nt
        nt += 1
        t = trades[cur]
        t.entry_bar = bar
        t.exit_bar = -1
        t.side = 1 if qty > 0.0 else -1
        t.qty = abs(qty)
        t.entry_value = notional
        t.exit_qty = 0.0
        t.exit_value = 0.0
        t.fees = fee
        t.pnl = 0.0
        t.ret = 0.0
        t.is_open = True
        return cash, qty, nf, nt, cur
    t = trades[cur]
    t.fees += fee
    if (qty > 0.0) == (pos > 0.0):  # adds to the trade
        t.qty += abs(qty)
        t.entry_value += notional
        return cash, pos + qty, nf, nt, cur
    t.exit_qty += abs(qty)
    t.exit_value += notional
    pos = pos + qty
    if pos == 0.0:  # back to flat: the round trip is done
        pnl = t.side * (t.exit_value - t.entry_value) - t.fees
        t.exit_bar = bar
        t.pnl = pnl
        t.ret = pnl / t.entry_value
        t.is_open = False
        cur = -1
    return cash, pos, nf, nt, cur


@njit(cache=True, nogil=True, inline="always")
def close_position_nb(
    bar: int, price: float, s: Settings, cash: float, pos: float, nf: int, nt: int, cur: int,
    fills: Records, trades: Records,
) -> Fill:  # fmt: skip
    """Reference: sell a long at price * (1 - slip), buy back a short at price * (1 + slip)."""
    fill_price = price * (1.0 - s.slip) if pos > 0.0 else price * (1.0 + s.slip)
    return fill_nb(bar, -pos, fill_price, s.fee_rate, cash, pos, nf, nt, cur, fills, trades)


@njit(cache=True, nogil=True, inline="always")
def order_nb(
    bar: int, price: float, target: float, s: Settings,
    cash: float, pos: float, nf: int, nt: int, cur: int, fills: Records, trades: Records,
) -> Fill:  # fmt: skip
    """Reference: reference_backtest's rebalance to a target exposure at a raw price."""
    if pos != 0.0 and (target == 0.0 or (target > 0.0) != (pos > 0.0)):
        # Exit first: flat, or the close leg of a flip.
        cash, pos, nf, nt, cur = close_position_nb(
            bar, price, s, cash, pos, nf, nt, cur, fills, trades
        )
    if target == 0.0:
        return cash, pos, nf, nt, cur
    equity = cash + pos * price
    units = 0.0
    if equity > 0.0:
        units = target * s.fraction * equity / (price * (1.0 + s.slip) * (1.0 + s.fee_rate))
    if units == 0.0:  # nothing left to size with: the account is ruined
        if pos != 0.0:
            cash, pos, nf, nt, cur = close_position_nb(
                bar, price, s, cash, pos, nf, nt, cur, fills, trades
            )
        return cash, pos, nf, nt, cur
    delta = units - pos
    if delta == 0.0:
        return cash, pos, nf, nt, cur
    fill_price = price * (1.0 + s.slip) if delta > 0.0 else price * (1.0 - s.slip)
    return fill_nb(bar, delta, fill_price, s.fee_rate, cash, pos, nf, nt, cur, fills, trades)


@njit(cache=True, nogil=True)
def mark_open_trade_nb(cur: int, bar: int, pos: float, price: float, trades: Records) -> None:
    """Reference: an open trade's remainder marked at ``price`` (the last close) at ``bar``."""
    t = trades[cur]
    remaining = abs(pos)
    t.exit_bar = bar
    t.exit_qty += remaining
    t.exit_value += remaining * price
    pnl = t.side * (t.exit_value - t.entry_value) - t.fees
    t.pnl = pnl
    t.ret = pnl / t.entry_value
    t.is_open = True
