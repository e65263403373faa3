"""Gate cases for the backtest engine (issue 5, section 7).

The references are minimal numba loops doing the same fills, so a ratio tracks the
engine's own overhead and not the machine. The cases use 1,000,000 bars (the
headline figures in test_engine_bench.py use 10,000,000) so that every engine case
together stays under about 20 s on a 2-core machine.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numba
import numpy as np
from numba import njit

from benchmarks.gatekit import RatioCase

GATE_BARS = 1_000_000
GRID_BARS = 100_000
GRID_COMBOS = 64
FEE = 0.001
SLIP = 0.0005
CASH = 10_000.0


@njit(cache=True, nogil=True)
def minimal_loop_nb(close, signal, cash0, fee, slip, equity):  # type: ignore[no-untyped-def]
    """The same long-only fills at the close, with nothing recorded but the equity."""
    n = close.shape[0]
    cash = cash0
    units = 0.0
    prev = 0.0
    for i in range(n):
        p = close[i]
        target = signal[i]
        if target != prev:
            prev = target
            if units != 0.0:
                value = units * p * (1.0 - slip)
                cash += value - value * fee
                units = 0.0
            if target > 0.0:
                units = target * cash / (p * (1.0 + slip) * (1.0 + fee))
                cost = units * p * (1.0 + slip)
                cash -= cost + cost * fee
        equity[i] = cash + units * p
    return equity


def regime_signal(n: int, *, seed: int = 0, switch: float = 0.002) -> np.ndarray:
    """A 0/1 long-only signal that switches with probability ``switch`` per bar."""
    rng = np.random.default_rng(seed)
    return (np.cumsum(rng.random(n) < switch) % 2).astype(np.float64)


@cache
def _market(bars: int) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return synthetic_ohlcv(bars, seed=1, timeframe="1m")


def _kernel_call(
    close: np.ndarray, signal: np.ndarray, *, stats: bool, fresh: bool
) -> Callable[[], object]:
    """The engine's kernel path as run_backtest drives it: scan, simulate (and stats).

    ``fresh=False`` reuses the output buffers, so only the computation is timed (the
    first-touch page faults of fresh arrays vary with the machine's memory pressure).
    """
    from peak_trade.backtest import _fill_kernels as fk
    from peak_trade.backtest import _kernels as k
    from peak_trade.backtest._stats_kernels import N_STATS, stats_nb

    n = close.shape[0]
    cap = fk.fill_capacity_nb(k.scan_signal_nb(signal, False)[3])
    kept = (np.empty(n), np.empty(n), np.full(cap + 2, -1, np.int64), np.empty(cap + 2))
    kept_fills = np.empty((cap, fk.N_FILL_COLS))
    kept_trades = np.empty((cap, fk.N_TRADE_COLS))

    def run() -> object:
        _, _, _, changes = k.scan_signal_nb(signal, False)
        if fresh:
            cap = fk.fill_capacity_nb(changes)
            position, equity = np.empty(n), np.empty(n)
            cash_bars, cash_values = np.full(cap + 2, -1, np.int64), np.empty(cap + 2)
            fills = np.empty((cap, fk.N_FILL_COLS))
            trades = np.empty((cap, fk.N_TRADE_COLS))
        else:
            position, equity, cash_bars, cash_values = kept
            fills, trades = kept_fills, kept_trades
        _, _, _, nt = k.simulate_nb(
            close,
            close,
            signal,
            CASH,
            FEE,
            SLIP,
            1.0,
            False,
            False,
            0,
            position,
            equity,
            cash_bars,
            cash_values,
            fills,
            trades,
        )
        if not stats:
            return equity
        row = np.empty(N_STATS)
        pnl, ret, is_open = trades[:nt, fk.T_PNL], trades[:nt, fk.T_RETURN], trades[:nt, fk.T_OPEN]
        stats_nb(equity, position, CASH, pnl, ret, is_open, 525_600.0, 1.9, row, np.empty(0))
        return row

    return run


def kernel_case() -> RatioCase:
    """The simulation kernel (fills, trades and per-bar arrays) vs the minimal loop."""
    df = _market(GATE_BARS)
    close = np.ascontiguousarray(df["close"].to_numpy())
    signal = regime_signal(GATE_BARS)
    out = np.empty(GATE_BARS)
    return RatioCase(
        "engine_kernel_vs_minimal_loop",
        _kernel_call(close, signal, stats=False, fresh=False),
        lambda: minimal_loop_nb(close, signal, CASH, FEE, SLIP, out),
        rounds=9,
        inner=3,
    )


def run_backtest_case() -> RatioCase:
    """The whole public call (contract check, kernels, frames, stats) vs the minimal loop."""
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import run_backtest

    df = _market(GATE_BARS)
    close = np.ascontiguousarray(df["close"].to_numpy())
    signal = regime_signal(GATE_BARS)
    cfg = BacktestConfig(execution="close", fee_bps=FEE * 1e4, slippage_bps=SLIP * 1e4)
    return RatioCase(
        "engine_run_backtest_vs_minimal_loop",
        lambda: run_backtest(df, signal=signal, config=cfg),
        lambda: minimal_loop_nb(close, signal, CASH, FEE, SLIP, np.empty(GATE_BARS)),
        rounds=5,
    )


def grid_case() -> RatioCase:
    """The parallel grid kernel vs the same combinations one by one, serially."""
    from peak_trade.backtest._grid_kernels import grid_nb
    from peak_trade.backtest._stats_kernels import N_STATS

    df = _market(GRID_BARS)
    close = np.ascontiguousarray(df["close"].to_numpy())
    signals = np.asfortranarray(
        np.stack([regime_signal(GRID_BARS, seed=s) for s in range(GRID_COMBOS)], axis=1)
    )
    columns = [np.ascontiguousarray(signals[:, j]) for j in range(GRID_COMBOS)]
    serial = [_kernel_call(close, c, stats=True, fresh=True) for c in columns]
    m = GRID_COMBOS
    chunks = max(1, min(m, 4 * numba.get_num_threads()))

    def grid() -> object:
        stats = np.empty((m, N_STATS))
        status, index, value = np.zeros(m, np.int64), np.zeros(m, np.int64), np.zeros(m)
        grid_nb(
            close,
            close,
            signals,
            False,
            CASH,
            FEE,
            SLIP,
            1.0,
            False,
            False,
            525_600.0,
            1.9,
            chunks,
            stats,
            status,
            index,
            value,
        )
        return stats

    return RatioCase(
        "engine_grid_vs_serial_kernel",
        grid,
        lambda: [run() for run in serial],
        rounds=7,
    )


def cases() -> list[RatioCase]:
    return [kernel_case(), run_backtest_case(), grid_case()]
