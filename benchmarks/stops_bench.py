"""What stops cost: run_backtest and run_grid with a stop against the same call without.

Run ``python -m benchmarks.stops_bench``. A and B alternate in one process and the
medians are compared; the figures are in docs/benchmarks.md (issue 19, stops).
A run with a stop takes its own per-bar path (docs/backtest.md, "Stops"), and a grid
with a stop runs its columns one by one; these ratios say what that costs. The last
figure is run_backtest with a stop against vectorbt's from_signals with ``sl_stop``.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from benchmarks.cases_engine import regime_signal

BARS = 1_000_000
GRID_BARS = 100_000
ROUNDS = 5


def _median_pair(a: Callable[[], object], b: Callable[[], object]) -> tuple[float, float]:
    """Medians of ``ROUNDS`` alternating timings of a and b (A B A B), after a warm-up."""
    a()
    b()
    ta, tb = [], []
    for _ in range(ROUNDS):
        for f, out in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def main() -> None:
    """Print the ratios quoted in docs/benchmarks.md."""
    import os

    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import run_backtest
    from peak_trade.backtest.grid import run_grid
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    print("load average:", os.getloadavg())
    df = synthetic_ohlcv(BARS, seed=1, timeframe="1m")
    signal = regime_signal(BARS)
    plain = BacktestConfig(execution="close")
    stops = BacktestConfig(execution="close", stop_loss=0.01, trailing_stop=0.02)
    a, b = _median_pair(
        lambda: run_backtest(df, signal=signal, config=plain),
        lambda: run_backtest(df, signal=signal, config=stops),
    )
    print(f"run_backtest {BARS:,} bars: no stop {a:.3f} s, stops {b:.3f} s, ratio {b / a:.2f}")

    small = df.head(GRID_BARS)
    grid = {"fast": [5, 10, 20, 40], "slow": [50, 100, 200, 400]}
    a, b = _median_pair(
        lambda: run_grid(small, "ma_crossover", grid, config=plain),
        lambda: run_grid(small, "ma_crossover", grid, config=stops),
    )
    print(f"run_grid 16 combos x {GRID_BARS:,} bars: no stop {a:.3f} s, stops {b:.3f} s, "
          f"ratio {b / a:.2f}")  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import vectorbt as vbt

        sl = BacktestConfig(execution="close", stop_loss=0.01, fee_bps=10.0, slippage_bps=5.0)
        cols = {c: df[c].to_numpy() for c in ("open", "high", "low", "close")}
        before = np.concatenate([[0.0], signal[:-1]])
        entries, exits = (signal == 1) & (before != 1), (signal == 0) & (before != 0)
        a, b = _median_pair(
            lambda: run_backtest(df, signal=signal, config=sl),
            lambda: vbt.Portfolio.from_signals(
                cols["close"], entries, exits, open=cols["open"], high=cols["high"],
                low=cols["low"], fees=0.001, slippage=0.0005, init_cash=10_000.0,
                size=np.inf, sl_stop=0.01, stop_exit_price="stopmarket",
            ).value(),
        )  # fmt: skip
    print(f"stop loss, {BARS:,} bars: peak_trade {a:.3f} s, vectorbt {b:.3f} s, "
          f"{b / a:.1f}x faster")  # fmt: skip
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    main()
