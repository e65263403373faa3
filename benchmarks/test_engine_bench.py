"""Headline engine benchmarks against vectorbt (issue 5, section 7).

- single: run_backtest over 10,000,000 bars with a precomputed signal vs
  ``vbt.Portfolio.from_signals`` on the same signal (same fees, slippage, cash,
  fills at the close of the signal bar).
- grid: run_grid over 1,000 ``ma_crossover`` combinations on 100,000 bars, signals
  included, vs vectorbt computing each distinct SMA once, the same crossover states,
  ``from_signals`` over 1,000 columns (in chunks of 100: one call over all 1,000
  needed more than 18 GB) and three stats per column.
- cold start: a fresh process importing peak_trade and running its first backtest,
  with numba's on-disk cache warm, and once with an empty cache (first-ever compile).

Run: ``pytest benchmarks/test_engine_bench.py --benchmark-only``. The A/B ratios
quoted in docs/benchmarks.md come from ``python -m benchmarks.test_engine_bench``.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
import warnings
from functools import cache
from typing import Any

import numpy as np
import pytest

from benchmarks._sizes import headline_rows
from benchmarks.cases_engine import regime_signal
from benchmarks.gatekit import RatioCase, measure_ratio

SINGLE_BARS = headline_rows(10_000_000)
GRID_BARS = headline_rows(100_000)
FAST = list(range(2, 52, 2))  # 25 windows
SLOW = list(range(60, 260, 5))  # 40 windows: 1,000 combinations, all fast < slow
FEE_BPS = 10.0
SLIP_BPS = 5.0
CASH = 10_000.0
VBT_CHUNK = 100


@cache
def _frame(bars: int) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return synthetic_ohlcv(bars, seed=7, timeframe="1m")


def _config() -> Any:
    from peak_trade.backtest.config import BacktestConfig

    return BacktestConfig(
        initial_cash=CASH, fee_bps=FEE_BPS, slippage_bps=SLIP_BPS, execution="close"
    )


def _ma_crossover() -> Any:
    """The registered ma_crossover class (the strategies issue provides it)."""
    from peak_trade.backtest.strategies.moving_average import MaCrossover

    return MaCrossover


def _vbt() -> Any:
    vbt = pytest.importorskip("vectorbt")
    warnings.filterwarnings("ignore", module="vectorbt")
    return vbt


def _disposed(result: object) -> None:
    """Drop ``result`` and collect: each side pays for freeing its own garbage.

    A vectorbt Portfolio is freed by the cyclic collector (0.35-0.65 s at 10M bars
    here); without this, that collection lands in whichever side runs next.
    """
    del result
    gc.collect()


def single_case() -> RatioCase:
    from peak_trade.backtest.engine import run_backtest

    vbt = _vbt()
    df = _frame(SINGLE_BARS)
    signal = regime_signal(SINGLE_BARS)
    close = df["close"].to_numpy()
    entries = signal > 0
    exits = ~entries
    cfg = _config()

    def ours() -> object:
        return _disposed(run_backtest(df, signal=signal, config=cfg))

    def theirs() -> object:
        pf = vbt.Portfolio.from_signals(
            close,
            entries,
            exits,
            fees=FEE_BPS / 1e4,
            slippage=SLIP_BPS / 1e4,
            init_cash=CASH,
            size=np.inf,
            freq="1min",
        )
        return _disposed(pf)

    gc.freeze()  # later collections only visit what the timed calls create
    return RatioCase("engine_single_10m_vs_vectorbt", ours, theirs, rounds=5)


def grid_case() -> RatioCase:
    from peak_trade.backtest.grid import run_grid

    vbt = _vbt()
    df = _frame(GRID_BARS)
    close = df["close"].to_numpy()
    strategy = _ma_crossover()
    grid = {"fast": FAST, "slow": SLOW}
    cfg = _config()
    windows = sorted(set(FAST) | set(SLOW))
    at = {w: i for i, w in enumerate(windows)}
    fast_cols = [at[f] for f in FAST for _ in SLOW]
    slow_cols = [at[s] for _ in FAST for s in SLOW]

    def ours() -> object:
        return run_grid(df, strategy, grid, config=cfg)

    def theirs() -> object:
        ma = vbt.MA.run(close, window=windows).ma.to_numpy()
        out = []
        # Chunks of 100 columns: one 1,000-column call needs > 18 GB (OOM-killed here).
        for lo in range(0, len(fast_cols), VBT_CHUNK):
            f, s = fast_cols[lo : lo + VBT_CHUNK], slow_cols[lo : lo + VBT_CHUNK]
            entries = ma[:, f] > ma[:, s]  # NaN warm-up compares False: flat
            pf = vbt.Portfolio.from_signals(
                close[:, None],
                entries,
                ~entries,
                fees=FEE_BPS / 1e4,
                slippage=SLIP_BPS / 1e4,
                init_cash=CASH,
                size=np.inf,
                freq="1min",
            )
            out.append((pf.total_return(), pf.sharpe_ratio(), pf.max_drawdown()))
        return out

    return RatioCase("engine_grid_1000_vs_vectorbt", ours, theirs, rounds=3)


_COLD = """
import time
t0 = time.perf_counter()
import numpy as np
import peak_trade
from peak_trade.backtest.engine import run_backtest
from peak_trade.data.providers.synthetic import synthetic_ohlcv
df = synthetic_ohlcv(1000)
run_backtest(df, signal=(np.arange(1000) // 50 % 2).astype(float))
print(time.perf_counter() - t0)
"""


def cold_start_seconds(cache_dir: str | None) -> tuple[float, float]:
    """Wall time of a whole fresh process, and the in-process import + first run time."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _COLD], env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, float(out.stdout.strip().splitlines()[-1])


@pytest.mark.benchmark(group="engine-single-10M")
@pytest.mark.parametrize("side", ["peak_trade", "vectorbt"])
def test_single_run_10m(benchmark, side):
    case = single_case()
    fn = case.candidate if side == "peak_trade" else case.reference
    fn()  # JIT warm-up
    benchmark.pedantic(fn, rounds=3, iterations=1)


@pytest.mark.benchmark(group="engine-grid-1000x100k")
@pytest.mark.parametrize("side", ["peak_trade", "vectorbt"])
def test_grid_1000_combos(benchmark, side):
    case = grid_case()
    fn = case.candidate if side == "peak_trade" else case.reference
    fn()
    benchmark.pedantic(fn, rounds=2, iterations=1)  # vectorbt's side takes ~1 min


@pytest.mark.benchmark(group="engine-cold-start")
@pytest.mark.parametrize("numba_cache", ["warm", "empty"])
def test_cold_start_process(benchmark, numba_cache):
    if numba_cache == "warm":
        cold_start_seconds(None)  # fills the on-disk cache

        def run() -> object:
            return cold_start_seconds(None)
    else:

        def run() -> object:
            with tempfile.TemporaryDirectory() as fresh:
                return cold_start_seconds(fresh)

    benchmark.pedantic(run, rounds=2, iterations=1)


def signals_main(bars: int = SINGLE_BARS) -> None:
    """Issue 17: each built-in's ``signal(df)`` vs a plain polars pass, A B A B."""
    from benchmarks._signal_peers import signal_cases

    for case in signal_cases(_frame(bars)):
        r = measure_ratio(case)
        print(
            f"{bars} bars {r.name}: ours {r.candidate_s:.3f} s, plain {r.reference_s:.3f} s, "
            f"ratio {r.ratio:.2f} (target <= 1.5)"
        )


def pipeline_main(sizes: tuple[int, ...], names: tuple[str, ...]) -> None:
    """Issue 17: ``run_backtest(df, NAME, params)`` vs vectorbt's pipeline, per size."""
    from benchmarks._pipeline_peers import pipeline_case

    for bars in sizes:
        rounds = 21 if bars <= 100_000 else 5
        for name in names:
            r = measure_ratio(pipeline_case(name, _frame(bars), rounds=rounds))
            print(
                f"{bars} bars {name}: ours {r.candidate_s * 1e3:.2f} ms "
                f"({r.candidate_s / bars * 1e9:.1f} ns/bar), vectorbt {r.reference_s * 1e3:.2f} ms "
                f"({r.reference_s / bars * 1e9:.1f} ns/bar): {r.reference_s / r.candidate_s:.2f}x"
            )


def main() -> None:
    """Print the A/B ratios and the cold-start times quoted in docs/benchmarks.md.

    ``python -m benchmarks.test_engine_bench signals`` prints the signal ratios,
    ``... pipeline [BARS,...] [NAME,...]`` the end-to-end ratios (default: 1,440 bars,
    all four strategies; ``curve`` for 10^3..10^7 bars of ma_crossover), ``... memory
    [BARS]`` the peak extra RSS per bar of one run (``benchmarks/_memory_peak.py``),
    ``... nothp [BARS,...] [NAME,...]`` the pipeline comparison in a child process with
    transparent huge pages off (``benchmarks/_no_thp.py``; default 10M, all four).
    """
    from benchmarks._signal_peers import STRATEGIES

    args = sys.argv[1:]
    if args[:1] == ["signals"]:
        return signals_main()
    if args[:1] == ["pipeline"]:
        sizes = tuple(int(x) for x in args[1].split(",")) if len(args) > 1 else (1_440,)
        names = tuple(args[2].split(",")) if len(args) > 2 else tuple(n for n, _ in STRATEGIES)
        return pipeline_main(sizes, names)
    if args[:1] == ["nothp"]:
        from benchmarks._no_thp import nothp_main

        sizes = tuple(int(x) for x in args[1].split(",")) if len(args) > 1 else (SINGLE_BARS,)
        names = tuple(args[2].split(",")) if len(args) > 2 else tuple(n for n, _ in STRATEGIES)
        return nothp_main(sizes, names)
    if args[:1] == ["memory"]:
        from benchmarks._memory_peak import memory_main

        return memory_main(int(args[1]) if len(args) > 1 else SINGLE_BARS)
    if args[:1] == ["curve"]:
        return pipeline_main(tuple(10**e for e in range(3, 8)), ("ma_crossover",))
    for build in (single_case, grid_case):
        r = measure_ratio(build())
        speedup = r.reference_s / r.candidate_s
        print(
            f"{r.name}: peak_trade {r.candidate_s:.3f} s, vectorbt {r.reference_s:.3f} s, "
            f"ratio {r.ratio:.3f} ({speedup:.1f}x faster)"
        )
    cold_start_seconds(None)
    warm = [cold_start_seconds(None) for _ in range(3)]
    print("cold start, warm numba cache (process s, in-process s):", warm)
    with tempfile.TemporaryDirectory() as fresh:
        print("first-ever compile (process s, in-process s):", cold_start_seconds(fresh))
    return None


if __name__ == "__main__":
    main()
