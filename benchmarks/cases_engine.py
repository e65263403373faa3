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
    from benchmarks._engine_records import checks, close_market, plain_settings, run_records
    from peak_trade.backtest._nb.derive import exposed_bars_nb
    from peak_trade.backtest._nb.fills import fill_capacity_nb
    from peak_trade.backtest._nb.scan import scan_signal_nb
    from peak_trade.backtest._nb.simulate import simulate_nb
    from peak_trade.backtest._nb.stats import N_STATS, stats_nb

    n = close.shape[0]
    bars, settings, off = close_market(close), plain_settings(CASH, FEE, SLIP), checks()
    kept = run_records(n, fill_capacity_nb(scan_signal_nb(signal, False)[3], False))

    def run() -> object:
        _, _, _, changes = scan_signal_nb(signal, False)
        book, viol = run_records(n, fill_capacity_nb(changes, False)) if fresh else kept
        _, _, _, nt, _ = simulate_nb(bars, settings, off, signal, book, viol)
        if not stats:
            return book.equity
        row = np.empty(N_STATS)
        t = book.trades[:nt]
        stats_nb(
            book.equity, exposed_bars_nb(book.step_bars, book.step_pos, n), CASH, t["pnl"],
            t["ret"], t["is_open"], 525_600.0, 1.9, row, np.empty(0),
        )  # fmt: skip
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
    from benchmarks._engine_records import checks, close_market, plain_settings
    from peak_trade.backtest._nb.grid import grid_nb
    from peak_trade.backtest._nb.records import GridOut
    from peak_trade.backtest._nb.stats import N_STATS

    df = _market(GRID_BARS)
    close = np.ascontiguousarray(df["close"].to_numpy())
    signals = np.asfortranarray(
        np.stack([regime_signal(GRID_BARS, seed=s) for s in range(GRID_COMBOS)], axis=1)
    )
    columns = [np.ascontiguousarray(signals[:, j]) for j in range(GRID_COMBOS)]
    serial = [_kernel_call(close, c, stats=True, fresh=True) for c in columns]
    m = GRID_COMBOS
    chunks = max(1, min(m, 4 * numba.get_num_threads()))
    bars, settings, off = close_market(close), plain_settings(CASH, FEE, SLIP), checks()

    def grid() -> object:
        ints = [np.zeros(m, np.int64) for _ in range(4)]
        out = GridOut(np.empty((m, N_STATS)), ints[0], ints[1], np.zeros(m), ints[2], ints[3],
                      np.zeros((m, 3)))  # fmt: skip
        grid_nb(bars, settings, off, off, signals, False, 525_600.0, 1.9, chunks, out)
        return out.stats

    return RatioCase(
        "engine_grid_vs_serial_kernel",
        grid,
        lambda: [run() for run in serial],
        rounds=7,
    )


def cases() -> list[RatioCase]:
    return [kernel_case(), run_backtest_case(), grid_case()]
