"""Headline sweep benchmarks (issue 10, section 4), side by side in one run.

The sweep: 1,000 ``ma_crossover`` combinations (25 fast x 40 slow windows) x 4
symbols x 200,000 bars, through the local executor.

- scaling: 2 workers vs 1 (target >= 1.7x), between two controls measured in the
  same run: pure nogil spinning on 2 threads vs 1, and the same grids through
  ``run_combos`` on 2 plain threads vs 1 (the ceiling for this very work);
- pools: the thread pool vs the process pool, both with 2 workers (the faster one
  is the default; docs/research.md records both);
- vectorbt: the same grid, each symbol in blocks of 50 columns (memory bound):
  each distinct SMA once, the crossover states, ``from_signals`` and three stats
  (target: ours >= 2x faster). At 200,000 bars, blocks of 250 columns grew past
  24 GB and were OOM-killed on the 24 GB test machine; blocks of 50 peak at ~20 GB
  resident (``/usr/bin/time -f %M``), so the headline size runs as it is;
- ray: the ray executor on a local 2-CPU instance (started once, outside the
  timing) vs the local executor with 2 workers (target <= 1.5x).

Run ``python -m benchmarks.test_sweep_bench`` for the A/B ratios quoted in
docs/research.md (``SWEEP_BENCH_BARS`` and ``SWEEP_BENCH_ROUNDS`` shrink it), or
``pytest benchmarks/test_sweep_bench.py --benchmark-only`` for pytest-benchmark
tables.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest
from numba import njit

from benchmarks._sizes import headline_rows
from benchmarks.gatekit import RatioCase, measure_ratio

BARS = int(os.environ.get("SWEEP_BENCH_BARS", headline_rows(200_000)))
ROUNDS = int(os.environ.get("SWEEP_BENCH_ROUNDS", "3"))
SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT")
FAST = list(range(2, 52, 2))  # 25 windows
SLOW = list(range(60, 260, 5))  # 40 windows: 1,000 combinations, all fast < slow
GRID = {"fast": FAST, "slow": SLOW}
FEE_BPS = 10.0
SLIP_BPS = 5.0
CASH = 10_000.0
VBT_BLOCK = 50


@cache
def frames(bars: int = BARS) -> dict[str, Any]:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return {s: synthetic_ohlcv(bars, seed=7, symbol=s, timeframe="1m") for s in SYMBOLS}


def _config() -> Any:
    from peak_trade.backtest.config import BacktestConfig

    return BacktestConfig(
        initial_cash=CASH, fee_bps=FEE_BPS, slippage_bps=SLIP_BPS, execution="close"
    )


def ours(workers: int, *, pool: str = "threads", executor: str = "local") -> Callable[[], object]:
    from peak_trade.research.sweep import sweep

    data, cfg = frames(), _config()

    def run() -> object:
        return sweep(
            data, "ma_crossover", GRID, config=cfg, max_workers=workers, pool=pool,
            executor=executor,
        )  # fmt: skip

    return run


def vectorbt_sweep() -> Callable[[], object]:
    vbt = pytest.importorskip("vectorbt")
    warnings.filterwarnings("ignore", module="vectorbt")
    closes = [f["close"].to_numpy() for f in frames().values()]
    windows = sorted(set(FAST) | set(SLOW))
    at = {w: i for i, w in enumerate(windows)}
    fast_cols = np.array([at[f] for f in FAST for _ in SLOW])
    slow_cols = np.array([at[s] for _ in FAST for s in SLOW])

    def run() -> object:
        out = []
        for close in closes:
            ma = vbt.MA.run(close, window=windows).ma.to_numpy()
            for lo in range(0, len(fast_cols), VBT_BLOCK):
                entries = (
                    ma[:, fast_cols[lo : lo + VBT_BLOCK]] > ma[:, slow_cols[lo : lo + VBT_BLOCK]]
                )
                pf = vbt.Portfolio.from_signals(
                    close[:, None], entries, ~entries, fees=FEE_BPS / 1e4,
                    slippage=SLIP_BPS / 1e4, init_cash=CASH, size=np.inf, freq="1min",
                )  # fmt: skip
                out.append((pf.total_return(), pf.sharpe_ratio(), pf.max_drawdown()))
        return out

    return run


@njit(cache=True, nogil=True)
def spin_nb(n):  # type: ignore[no-untyped-def]
    """Reference: sum((i % 7) * 0.5 for i in range(n)); pure nogil CPU work."""
    total = 0.0
    for i in range(n):
        total += (i % 7) * 0.5
    return total


def _join_all(calls: list[Callable[[], object]]) -> None:
    """Run each call in its own thread and wait for all of them."""
    pool = [threading.Thread(target=call) for call in calls]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def _spin(threads: int, work: int = 400_000_000) -> Callable[[], object]:
    def run() -> object:
        _join_all([lambda: spin_nb(work // threads) for _ in range(threads)])
        return None

    return run


def control_case() -> RatioCase:
    """The machine's ceiling right now: perfectly parallel nogil work, 2 threads vs 1."""
    return RatioCase("control_spin_2_threads_vs_1", _spin(2), _spin(1), rounds=max(3, ROUNDS))


def _grids(threads: int) -> Callable[[], object]:
    """Each symbol's whole grid through run_combos, the symbols split over ``threads``.

    Plain threads, numba bounded to one thread in each, invariants strict as in the
    sweep: the sweep's compute without its chunking, scheduling or result assembly.
    """
    import numba

    from peak_trade.backtest.grid import expand_grid, run_combos

    data, cfg = frames(), _config()
    combos, _ = expand_grid("ma_crossover", GRID)

    def lane(symbols: list[str]) -> None:
        numba.set_num_threads(1)  # thread-local
        for s in symbols:
            run_combos(data[s], "ma_crossover", combos, config=cfg)

    def run() -> object:
        names = list(data)
        _join_all([lambda i=i: lane(names[i::threads]) for i in range(threads)])
        return None

    return run


def control_grid_case() -> RatioCase:
    """The ceiling for this very work: the same grids, 2 plain threads vs 1."""
    return RatioCase("control_grid_2_threads_vs_1", _grids(2), _grids(1), rounds=ROUNDS)


def scaling_case() -> RatioCase:
    return RatioCase("sweep_2_workers_vs_1", ours(2), ours(1), rounds=ROUNDS)


def pools_case() -> RatioCase:
    return RatioCase(
        "sweep_threads_vs_processes", ours(2), ours(2, pool="processes"), rounds=ROUNDS
    )


def vectorbt_case(workers: int = 2) -> RatioCase:
    # vectorbt's side takes ~6 min at 200,000 bars, so it gets no untimed call (its
    # numba kernels are cached on disk); main() warms our side once instead.
    vbt = vectorbt_sweep()
    return RatioCase(f"sweep_{workers}w_vs_vectorbt", ours(workers), vbt, rounds=ROUNDS, warmup=0)


def ray_case() -> RatioCase:
    return RatioCase("sweep_ray_vs_local", ours(2, executor="ray"), ours(2), rounds=ROUNDS)


@pytest.mark.benchmark(group="sweep-1000x4x200k")
@pytest.mark.parametrize("side", ["1-worker", "2-workers", "2-processes", "vectorbt"])
def test_sweep_headline(benchmark, side):
    fn = {
        "1-worker": lambda: ours(1),
        "2-workers": lambda: ours(2),
        "2-processes": lambda: ours(2, pool="processes"),
        "vectorbt": vectorbt_sweep,
    }[side]()
    fn()  # JIT and cache warm-up
    benchmark.pedantic(fn, rounds=2, iterations=1)


@pytest.mark.benchmark(group="sweep-1000x4x200k")
def test_sweep_headline_ray(benchmark):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        fn = ours(2, executor="ray")
        fn()
        benchmark.pedantic(fn, rounds=2, iterations=1)
    finally:
        ray.shutdown()


def warn_cases() -> list[RatioCase]:
    """The cost of warn mode: 50,000 bars x 128 ma_crossover combos, chunks of 32, 1 worker.

    warn vs strict on a clean grid, and warn with every combination violating on
    every held bar (``max_leverage=0.5``) vs warn on the clean grid.
    """
    import logging

    from peak_trade.backtest.invariants import InvariantConfig
    from peak_trade.data.providers.synthetic import synthetic_ohlcv
    from peak_trade.research.sweep import sweep

    logging.getLogger("peak_trade").setLevel(logging.ERROR)  # one warning per chunk
    data = {"SYM": synthetic_ohlcv(50_000, seed=3, timeframe="1m")}
    grid = {"fast": list(range(2, 34, 2)), "slow": list(range(40, 120, 10))}

    def run(checks: InvariantConfig) -> Callable[[], object]:
        return lambda: sweep(
            data, "ma_crossover", grid, max_workers=1, chunk_size=32, invariants=checks
        )

    clean, strict = InvariantConfig(mode="warn"), InvariantConfig()
    violating = InvariantConfig(mode="warn", max_leverage=0.5)
    return [
        RatioCase("sweep_warn_clean_vs_strict", run(clean), run(strict), rounds=5),
        RatioCase("sweep_warn_all_violating_vs_clean", run(violating), run(clean), rounds=5),
    ]


def _report(case: RatioCase) -> None:
    r = measure_ratio(case)
    print(
        f"{r.name}: candidate {r.candidate_s:.2f} s, reference {r.reference_s:.2f} s, "
        f"ratio {r.ratio:.3f} (reference/candidate {r.reference_s / r.candidate_s:.2f}x)",
        flush=True,
    )


def main() -> None:
    """Print the A/B ratios quoted in docs/research.md and docs/scaling.md."""
    import sys

    wanted = sys.argv[1:] or ["scaling", "pools", "vectorbt", "ray"]
    print(f"bars={BARS} symbols={len(SYMBOLS)} combos={len(FAST) * len(SLOW)} rounds={ROUNDS}")
    if "scaling" in wanted:
        _report(control_case())
        _report(control_grid_case())
        _report(scaling_case())
        _report(control_case())
    if "pools" in wanted:
        _report(pools_case())
    if "vectorbt" in wanted:
        ours(2)()  # JIT and cache warm-up of our side
        _report(vectorbt_case(2))
    if "vectorbt1" in wanted:
        _report(vectorbt_case(1))
    if "warn" in wanted:
        for case in warn_cases():
            _report(case)
    if "ray" in wanted:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            _report(ray_case())
        finally:
            ray.shutdown()


if __name__ == "__main__":
    main()
