"""A test-only simulation that corrupts its own state: the invariants must catch it.

``simulate_fault_nb`` is built from the production parts of ``_nb/simulate.py``
(``full_bar_nb``, ``record_bar_nb``, ``checked_bar_nb``, ``close_book_nb``,
``end_of_run_nb``) and takes every bar on the full path (the quiet path writes the
same values: tests/backtest/test_quiet_kernels.py). At ``fault.bar`` it breaks one
thing, which a correct run never does. ``run_with_fault`` runs it in place of
``simulate_nb`` between the engine's own ``prepare_run`` and ``package_run``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import NamedTuple

from numba import njit

from peak_trade.backtest._inputs import new_violations
from peak_trade.backtest._nb.checks import CHECK_OFF, CHECK_STOP
from peak_trade.backtest._nb.records import (
    Book,
    Checks,
    Floats,
    Market,
    Settings,
    State,
    Violations,
)
from peak_trade.backtest._nb.simulate import (
    checked_bar_nb,
    close_book_nb,
    end_of_run_nb,
    full_bar_nb,
    record_bar_nb,
    start_state_nb,
)
from peak_trade.backtest.engine import Simulated, package_run, prepare_run

NO_FAULT = 0
FAULT_CASH = 1  # cash += value (kept: later bars carry it)
FAULT_EQUITY = 2  # the recorded equity += value (that bar only)
FAULT_LEVERAGE = 3  # position *= value, cash pays for it: equity unchanged
FAULT_FILL_PRICE = 4  # the bar's first fill price *= value (the record only)
FAULT_FEE = 5  # the bar's first fill fee = value (the record only)
FAULT_TRADE_PNL = 6  # the first trade's pnl += value, after the run
FAULT_TIMESTAMP = 7  # an input fault: timestamps[bar] = timestamps[bar - 1]


class Fault(NamedTuple):
    code: int
    bar: int
    value: float


@njit(cache=True, nogil=True)
def simulate_fault_nb(
    m: Market, s: Settings, c: Checks, signal: Floats, book: Book, viol: Violations,
    fault: Fault,
) -> tuple[int, int, int, int, int]:  # fmt: skip
    """Reference: simulate_nb with every bar on the full path and one fault injected."""
    st = start_state_nb(s)
    steps = 0
    for i in range(m.close.shape[0]):
        nf_bar = st.nf
        last_cash, last_pos = st.cash, st.pos
        st, equity = full_bar_nb(i, st, m, s, signal, book)
        if i == fault.bar:
            cash, pos, mark = st.cash, st.pos, m.close[i]
            if fault.code == FAULT_CASH:
                cash += fault.value
                equity = cash + pos * mark
            elif fault.code == FAULT_EQUITY:
                equity += fault.value
            elif fault.code == FAULT_LEVERAGE:
                cash -= (fault.value - 1.0) * pos * mark
                pos *= fault.value
            elif fault.code == FAULT_FILL_PRICE and st.nf > nf_bar:
                book.fills[nf_bar].price *= fault.value
            elif fault.code == FAULT_FEE and st.nf > nf_bar:
                book.fills[nf_bar].fee = fault.value
            st = State(cash, pos, st.nf, st.nt, st.cur, st.prev, st.pending,
                       st.pending_target, st.ref, st.best, st.n_stops)  # fmt: skip
        steps = record_bar_nb(i, st, equity, last_cash, last_pos, steps, book)
        if c.mode != CHECK_OFF:
            code, bar = checked_bar_nb(i, st, equity, m, s, c, book, viol)
            if code and c.mode == CHECK_STOP:
                return code, bar, st.nf, st.nt, st.n_stops
    close_book_nb(st, m, book)
    if fault.code == FAULT_TRADE_PNL and st.nt > 0:
        book.trades[0].pnl += fault.value
    return end_of_run_nb(st, m, s, c, book, viol)


def _with_fault(market: Market, fault: Fault) -> Market:
    if fault.code != FAULT_TIMESTAMP:
        return market
    ts = market.timestamps.copy()
    ts[fault.bar] = ts[fault.bar - 1]
    return market._replace(timestamps=ts)


def run_with_fault(df, signal, *, config, invariants, fault, repro=None):
    """run_backtest(df, signal=signal, ...) with ``simulate_fault_nb`` as its kernel."""
    started = time.perf_counter()
    fault = Fault(*fault)
    p = prepare_run(df, None, None, signal=signal, config=config, invariants=invariants)
    inputs = dataclasses.replace(p.inputs, market=_with_fault(p.inputs.market, fault))
    p = dataclasses.replace(p, inputs=inputs)
    viol = new_violations()
    i = p.inputs
    _, _, nf, nt, _ = simulate_fault_nb(
        i.market, i.settings, i.per_bar, p.signal, p.book, viol, fault
    )
    return package_run(p, Simulated(viol, nf, nt), repro=repro, started=started)
