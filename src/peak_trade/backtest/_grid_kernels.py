"""Numba kernels of run_grid: many signal columns through one parallel 2-D kernel.

Each column runs the same ``scan_signal_nb``, ``simulate_checked_nb`` and
``stats_nb`` as run_backtest, so a grid row equals that combination's
``run_backtest(...).stats`` bit for bit. Arrays and scalars only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest._derive_kernels import cash_from_steps_nb
from peak_trade.backtest._end_kernels import end_checks_nb
from peak_trade.backtest._fill_kernels import (
    N_FILL_COLS,
    N_TRADE_COLS,
    T_OPEN,
    T_PNL,
    T_RETURN,
    fill_capacity_nb,
)
from peak_trade.backtest._kernels import NO_FAULT, SIGNAL_OK, scan_signal_nb, simulate_checked_nb
from peak_trade.backtest._stats_kernels import stats_nb

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


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
        equity = np.empty(n)
        cash = np.empty(n if at_end else 0)  # per-bar cash only for the end checks
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
            cash_bars = np.full(cap + 2, -1, dtype=np.int64)
            cash_values = np.empty(cap + 2)
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
                equity,
                cash_bars,
                cash_values,
                fills,
                trades,
                counts,
                first_bar,
                first_vals,
            )
            if at_end and check_mode != ik.CHECK_OFF:
                cash_from_steps_nb(cash_bars, cash_values, initial_cash, cash)
                code, bar = end_checks_nb(
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
                trades[:nt, T_OPEN],
                periods_per_year,
                years,
                out_stats[j],
                no_drawdown,
            )
