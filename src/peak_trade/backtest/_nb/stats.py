"""Numba kernels of the backtest stats; one kernel serves run_backtest and run_grid."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Positions of the stats in the kernel's output row; stats.STAT_NAMES names them.
TOTAL_RETURN = 0
CAGR = 1
VOLATILITY = 2
SHARPE = 3
SORTINO = 4
CALMAR = 5
MAX_DRAWDOWN = 6
MAX_DRAWDOWN_DURATION = 7
ULCER_INDEX = 8
N_TRADES = 9
WIN_RATE = 10
PROFIT_FACTOR = 11
EXPECTANCY = 12
AVG_TRADE_RETURN = 13
EXPOSURE_TIME = 14
FINAL_EQUITY = 15
N_STATS = 16


@njit(cache=True, nogil=True)
def ratio_nb(num: float, den: float) -> float:
    """Reference: num / den, 0.0 for 0 / 0, NaN for x / 0 with x != 0."""
    if den > 0.0:
        return num / den
    if den == 0.0 and num == 0.0:
        return 0.0
    return np.nan


@njit(cache=True, nogil=True)
def bar_return_nb(equity: float, prev: float) -> float:
    """Reference: equity / prev - 1, and 0.0 once prev <= 0 (a ruined account)."""
    if prev > 0.0:
        return equity / prev - 1.0
    return 0.0


@njit(cache=True, nogil=True)
def stats_nb(
    equity: Floats,
    exposed: int,
    initial_cash: float,
    pnl: Floats,
    ret: Floats,
    is_open: Floats | Bools,
    periods_per_year: float,
    years: float,
    out: Floats,
    drawdown: Floats,
) -> None:
    """Reference: compute_stats_reference in tests/backtest/test_stats.py.

    ``exposed`` is the number of bars holding a position (``derive.exposed_bars_nb``).
    ``pnl``, ``ret`` and ``is_open`` hold one value per trade (``is_open`` != 0 for a
    trade still open at the last bar). ``drawdown`` receives each bar's drawdown when
    it has one slot per bar; pass an empty array to skip it.
    """
    n = equity.shape[0]
    final = equity[n - 1] if n > 0 else initial_cash
    out[TOTAL_RETURN] = final / initial_cash - 1.0
    out[FINAL_EQUITY] = final
    # Pass 1: mean return, drawdowns, time in the market.
    prev = initial_cash
    total = 0.0
    peak = initial_cash
    max_dd = 0.0
    dd_sq = 0.0
    run = 0
    longest = 0
    keep = drawdown.shape[0] == n
    for i in range(n):
        e = equity[i]
        total += bar_return_nb(e, prev)
        prev = e
        if e > peak:
            peak = e
        dd = e / peak - 1.0
        if keep:
            drawdown[i] = dd
        if dd < max_dd:
            max_dd = dd
        dd_sq += dd * dd
        if e < peak:
            run += 1
            if run > longest:
                longest = run
        else:
            run = 0
    out[MAX_DRAWDOWN] = max_dd
    out[MAX_DRAWDOWN_DURATION] = longest
    out[ULCER_INDEX] = math.sqrt(dd_sq / n) if n > 0 else 0.0
    out[EXPOSURE_TIME] = exposed / n if n > 0 else 0.0
    # Pass 2: dispersion around the mean (two-pass: the accurate textbook form),
    # and the downside below zero.
    vol = np.nan
    sharpe = np.nan
    sortino = np.nan
    if n >= 2:
        mean = total / n
        prev = initial_cash
        sq = 0.0
        down = 0.0
        for i in range(n):
            r = bar_return_nb(equity[i], prev)
            prev = equity[i]
            d = r - mean
            sq += d * d
            if r < 0.0:
                down += r * r
        std = math.sqrt(sq / (n - 1))
        root = math.sqrt(periods_per_year)
        vol = std * root
        sharpe = ratio_nb(mean, std) * root
        sortino = ratio_nb(mean, math.sqrt(down / n)) * root
    out[VOLATILITY] = vol
    out[SHARPE] = sharpe
    out[SORTINO] = sortino
    cagr = np.nan
    if years > 0.0:
        cagr = (final / initial_cash) ** (1.0 / years) - 1.0 if final > 0.0 else -1.0
    out[CAGR] = cagr
    out[CALMAR] = ratio_nb(cagr, -max_dd) if not math.isnan(cagr) else np.nan
    # Trades, net of fees. n_trades counts every trade, the open one included
    # (vectorbt's "Total Trades"); the others are over closed trades only
    # (vectorbt's "Total Closed Trades"), NaN when none closed.
    nt = pnl.shape[0]
    out[N_TRADES] = nt
    closed = 0
    wins = 0
    gross_profit = 0.0
    gross_loss = 0.0
    pnl_sum = 0.0
    ret_sum = 0.0
    for k in range(nt):
        if is_open[k] != 0.0:
            continue
        closed += 1
        p = pnl[k]
        if p > 0.0:
            wins += 1
            gross_profit += p
        elif p < 0.0:
            gross_loss -= p
        pnl_sum += p
        ret_sum += ret[k]
    if closed == 0:
        out[WIN_RATE] = np.nan
        out[PROFIT_FACTOR] = np.nan
        out[EXPECTANCY] = np.nan
        out[AVG_TRADE_RETURN] = np.nan
        return
    out[WIN_RATE] = wins / closed
    if gross_loss > 0.0:
        out[PROFIT_FACTOR] = gross_profit / gross_loss
    elif gross_profit > 0.0:
        out[PROFIT_FACTOR] = np.inf
    else:
        out[PROFIT_FACTOR] = np.nan
    out[EXPECTANCY] = pnl_sum / closed
    out[AVG_TRADE_RETURN] = ret_sum / closed


@njit(cache=True, nogil=True)
def uniform_step_nb(stamps: npt.NDArray[np.int64]) -> int:
    """Reference: the common difference of all consecutive stamps, or -1 when they differ."""
    n = stamps.shape[0]
    if n < 2:
        return -1
    step = stamps[1] - stamps[0]
    # Views indexed from 0 (no negative-index wraparound) and no early exit: vectorised.
    cur = stamps[2:]
    before = stamps[1 : n - 1]
    off = 0
    for j in range(cur.shape[0]):
        off += (cur[j] - before[j]) != step
    return -1 if off else int(step)
