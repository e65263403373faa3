"""Gate cases and headline figures of the HTML report (issue 18, section 4).

Gate (``pytest benchmarks -m gate``): the decimation kernel against a numpy
``reshape().min()/.max()`` pass over the same 10M values, and ``pt.report`` of a
2M-bar result against the ``run_backtest`` that produced it.

Headline figures (``python -m benchmarks.cases_report``): the same two at 10M
bars, the kernel's values per second, and the Python (process) time of a sweep
report over 10,000 combinations. Each pair alternates A B A B; medians.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.gatekit import RatioCase, measure_ratio
from peak_trade.backtest.engine import run_backtest
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.reporting import report
from peak_trade.reporting._decimate_nb import minmax_indices_nb

N_BUCKETS = 1_999  # 4,000 points


def _walk(n: int) -> np.ndarray:
    return np.cumsum(np.random.default_rng(0).standard_normal(n))


def decimate_pair(n: int) -> tuple[RatioCase, int]:
    """The kernel vs numpy's per-bucket min and max over the same ``n`` values."""
    values = _walk(n)
    out = np.empty(2 * N_BUCKETS + 2, dtype=np.int64)
    width = n // N_BUCKETS
    blocks = values[: width * N_BUCKETS].reshape(N_BUCKETS, width)

    def numpy_pass() -> object:
        return blocks.min(axis=1), blocks.max(axis=1)

    case = RatioCase(
        "report_decimate_vs_numpy_minmax",
        lambda: minmax_indices_nb(values, N_BUCKETS, out),
        numpy_pass,
        rounds=9,
    )
    return case, n


def page_pair(bars: int, directory: Path) -> RatioCase:
    """``report(result)`` vs ``run_backtest`` of the same frame (what the user typed).

    Each report gets a fresh copy of the result, as a user's one ``report`` call
    after ``run_backtest`` does: nothing the result builds on first access (its
    ``equity`` frame) is left over from the round before.
    """
    df = synthetic_ohlcv(bars, seed=11)
    strategy, params = "ma_crossover", {"fast": 20, "slow": 100}
    result = run_backtest(df, strategy, params)
    return RatioCase(
        "report_page_vs_run_backtest",
        lambda: report(dataclasses.replace(result), directory / "bench.html"),
        lambda: run_backtest(df, strategy, params),
        rounds=3,
    )


def sweep_frame(combos: int) -> pl.DataFrame:
    """A sweep-shaped frame: 2 symbols x 5,000 parameter pairs with random stats."""
    rng = np.random.default_rng(1)
    per = combos // 2
    fast = np.repeat(np.arange(1, 101), per // 100)
    slow = np.tile(np.arange(101, 151), per // 50)[: fast.size]
    cols: dict[str, object] = {
        "symbol": np.repeat(["AAA", "BBB"], fast.size),
        "fast": np.tile(fast, 2),
        "slow": np.tile(slow, 2),
    }
    for name in ("total_return", "sharpe", "max_drawdown", "win_rate", "profit_factor"):
        cols[name] = rng.standard_normal(2 * fast.size)
    cols["n_trades"] = rng.integers(0, 500, 2 * fast.size)
    return pl.DataFrame(cols)


_DIR = Path(tempfile.mkdtemp(prefix="peak-trade-report-bench-"))


def cases() -> list[RatioCase]:
    return [decimate_pair(10_000_000)[0], page_pair(2_000_000, _DIR)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        case, n = decimate_pair(10_000_000)
        r = measure_ratio(case)
        print(
            f"decimation kernel, 10M values: {r.candidate_s * 1e3:.2f} ms "
            f"({n / r.candidate_s / 1e9:.2f} G values/s); numpy reshape min+max "
            f"{r.reference_s * 1e3:.2f} ms; ratio {r.ratio:.2f}"
        )
        for bars in (2_000_000, 10_000_000):
            r = measure_ratio(page_pair(bars, out))
            size = (out / "bench.html").stat().st_size
            print(
                f"report of a {bars:,}-bar run: {r.candidate_s:.3f} s vs run_backtest "
                f"{r.reference_s:.3f} s; ratio {r.ratio:.2f}; page {size / 1e6:.2f} MB"
            )
        frame = sweep_frame(10_000)
        report(frame, out / "warm.html")
        cpu = []
        for _ in range(5):
            start = time.process_time()
            report(frame, out / "sweep.html")
            cpu.append(time.process_time() - start)
        size = (out / "sweep.html").stat().st_size
        print(
            f"sweep report, {frame.height:,} combinations: {statistics.median(cpu):.3f} s "
            f"process time (median of 5); page {size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    sys.exit(main())
