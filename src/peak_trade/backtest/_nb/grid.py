"""Numba kernel of run_grid: many signal columns through one parallel 2-D kernel.

Each column runs the same ``scan_signal_nb``, ``simulate_nb`` (and, for timing
``end``, ``end_checks_nb``) and ``stats_nb`` as ``run_backtest``, so a grid row
equals that combination's ``run_backtest(...).stats`` bit for bit. A chunk of
columns shares one pair of per-bar scratch arrays: no per-bar output is kept.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from peak_trade.backtest._nb.checks import CHECK_OFF, CHECK_STOP, N_INVARIANTS
from peak_trade.backtest._nb.derive import exposed_bars_nb, from_steps_nb
from peak_trade.backtest._nb.end import end_checks_nb
from peak_trade.backtest._nb.fills import fill_capacity_nb
from peak_trade.backtest._nb.records import (
    FILL_DTYPE,
    TRADE_DTYPE,
    Book,
    Checks,
    Floats,
    GridOut,
    Market,
    Settings,
    Violations,
)
from peak_trade.backtest._nb.scan import SIGNAL_OK, scan_signal_nb
from peak_trade.backtest._nb.simulate import simulate_nb
from peak_trade.backtest._nb.stats import stats_nb


@njit(cache=True, nogil=True)
def new_book_nb(equity: Floats, cap: int) -> Book:
    """Reference: a Book over the given equity array, with room for ``cap`` fills."""
    return Book(
        equity,
        np.full(cap + 2, -1, dtype=np.int64),
        np.empty(cap + 2),
        np.empty(cap + 2),
        np.empty(cap, dtype=FILL_DTYPE),
        np.empty(cap, dtype=TRADE_DTYPE),
    )


@njit(cache=True, nogil=True)
def clear_violations_nb(viol: Violations) -> None:
    """Reference: no counts, no first bars, no values (a fresh ``new_violations()``).

    A function of its own: written inline in ``grid_nb``'s prange body, these writes
    were lost after a violating column, whose violation then showed in the next
    column of the chunk (tests/research/test_sweep_invariants.py).
    """
    viol.counts[:] = 0
    viol.first_bar[:] = -1
    viol.first_vals[:, :] = 0.0


@njit(cache=True, nogil=True, parallel=True)
def grid_nb(
    m: Market, s: Settings, per_bar: Checks, c: Checks, signals: Floats, allow_short: bool,
    periods_per_year: float, years: float, n_chunks: int, out: GridOut,
) -> None:  # fmt: skip
    """Reference: simulate_nb (+ end_checks_nb) then stats_nb per column, serially.

    Per column ``j``: ``out.scan/scan_bar/scan_value`` hold the signal scan,
    ``out.code/bar/vals`` the first invariant violation (code 0: none); in strict
    mode a violating column's stats are NaN, in warn mode they are kept.
    """
    n = signals.shape[0]
    total = signals.shape[1]
    size = (total + n_chunks - 1) // n_chunks
    at_end = per_bar.mode != c.mode  # as Inputs.at_end: timing "end"
    rows = signals.T  # (m, n), C-ordered when signals is Fortran-ordered
    stats, status, index, values, codes, bars, vals = out
    for chunk in prange(n_chunks):
        lo = chunk * size
        hi = min(total, lo + size)
        if lo >= hi:
            continue
        equity = np.empty(n)
        scratch = n if at_end else 0  # per-bar cash and position only for the end checks
        cash = np.empty(scratch)
        position = np.empty(scratch)
        viol = Violations(
            np.zeros(N_INVARIANTS, dtype=np.int64),
            np.full(N_INVARIANTS, -1, dtype=np.int64),
            np.zeros((N_INVARIANTS, 3)),
        )
        for j in range(lo, hi):
            codes[j] = 0
            bars[j] = -1
            signal = rows[j]
            scanned, bad_bar, bad_value, changes = scan_signal_nb(signal, allow_short)
            status[j] = scanned
            index[j] = bad_bar
            values[j] = bad_value
            if scanned != SIGNAL_OK:
                stats[j, :] = np.nan
                continue
            book = new_book_nb(equity, fill_capacity_nb(changes, s.has_stops))
            clear_violations_nb(viol)
            code, bar, nf, nt, _ = simulate_nb(m, s, per_bar, signal, book, viol)
            if at_end and c.mode != CHECK_OFF:
                from_steps_nb(book.step_bars, book.step_cash, s.initial_cash, cash)
                from_steps_nb(book.step_bars, book.step_pos, 0.0, position)
                code, bar = end_checks_nb(m, book, cash, position, nf, nt, s, c, viol)
            if code != 0:
                codes[j] = code
                bars[j] = bar
                vals[j, :] = viol.first_vals[code - 1, :]
                if c.mode == CHECK_STOP:
                    stats[j, :] = np.nan
                    continue
            trades = book.trades[:nt]
            exposed = exposed_bars_nb(book.step_bars, book.step_pos, n)
            stats_nb(
                equity, exposed, s.initial_cash, trades["pnl"], trades["ret"], trades["is_open"],
                periods_per_year, years, stats[j], np.empty(0),
            )  # fmt: skip
