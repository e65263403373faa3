"""Gate case for the sweep (issue 10): the orchestration's cost over run_grid.

The issue's own ratios are not gated here, on purpose:

- scaling (2 workers vs 1, >= 1.7x) measures how many idle cores the machine has
  at that moment; on a shared 2-core box it swings from ~1.0x to ~1.9x between
  runs, so a budget would either never fail or fail at random;
- ray vs local (<= 1.5x) needs a Ray instance (~10-30 s to start here), which
  alone exceeds the gate's time budget;
- vs vectorbt (>= 2x) is measured ~19x in benchmarks/test_sweep_bench.py, and
  the engine's own gate case (engine_grid_1000_vs_vectorbt) already guards the
  kernel that decides it.

What is gated is what the sweep adds on one core: loading and checking each
symbol, cutting the grid into chunks (each recomputes its SMAs), the symbol
column and the final concat. Both sides run single-threaded (numba bounded to 1
thread) on 50,000 bars x 128 combinations in chunks of 32, about 0.5 s a call,
instead of the headline 200,000 bars x 1,000 x 4 symbols.
"""

from __future__ import annotations

from typing import Any

from benchmarks.gatekit import RatioCase

BARS = 50_000
FAST = list(range(2, 34, 2))  # 16 windows
SLOW = list(range(60, 100, 5))  # 8 windows: 128 combinations
CHUNK = 32


def cases() -> list[RatioCase]:
    from peak_trade.backtest.grid import run_grid
    from peak_trade.data.providers.synthetic import synthetic_ohlcv
    from peak_trade.research._compute import numba_threads
    from peak_trade.research.sweep import sweep

    frame = synthetic_ohlcv(BARS, seed=7, symbol="GATE", timeframe="1m")
    grid: dict[str, Any] = {"fast": FAST, "slow": SLOW}

    def candidate() -> object:
        return sweep({"GATE": frame}, "ma_crossover", grid, max_workers=1, chunk_size=CHUNK)

    def reference() -> object:
        with numba_threads(1):
            return run_grid(frame, "ma_crossover", grid)

    return [RatioCase("sweep_overhead_vs_run_grid", candidate, reference, rounds=5)]
