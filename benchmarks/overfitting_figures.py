"""Issue 19's closing figures: DSR and PBO of a 1,000-combination ``ma_crossover`` sweep.

    python -m benchmarks.overfitting_figures            # the two tables
    python -m benchmarks.overfitting_figures walks 20   # PBO over 20 more random walks

Two data sets, each swept over the same 1,000 combinations (fast 2..50 step 2 x
slow 60..450 step 10) with the quickstart's costs (fee 10 bps, slippage 5 bps,
next-open fills) and ``keep_returns=True``:

- the quickstart's data: ``SyntheticProvider(seed=42, bars=4000)`` for
  BTC/USDT, ETH/USDT and SOL/USDT at 1h, exactly what ``peak-trade run`` loads
  (itself a zero-drift geometric random walk);
- an independent Gaussian random walk from numpy (seed 2026, 4,000 hourly
  bars, 1% per-bar volatility), where no combination has skill.

Per symbol it prints the best row by Sharpe, its PSR and DSR from
``rank_sweep``'s columns (normal moments), the exact DSR from its kept returns
(sample skewness and kurtosis; ``n_trials`` = 1,000, ``sr_variance`` = the
variance of the 1,000 per-period Sharpes), and PBO with 16 splits.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile

import numpy as np
import polars as pl

GRID = {"fast": list(range(2, 52, 2)), "slow": list(range(60, 460, 10))}
SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")


def random_walk(seed: int, bars: int = 4_000) -> pl.DataFrame:
    """OHLCV of a zero-drift Gaussian log random walk, built with numpy alone."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, bars)))
    open_ = np.concatenate([[100.0], close[:-1]])
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                t0, t0 + dt.timedelta(hours=bars - 1), "1h", eager=True, time_zone="UTC"
            ),
            "open": open_,
            "high": np.maximum(open_, close) * 1.002,
            "low": np.minimum(open_, close) * 0.998,
            "close": close,
            "volume": np.ones(bars),
        }
    )


def report(name: str, frames: dict[str, pl.DataFrame]) -> None:
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.research._returns import read_returns
    from peak_trade.research.overfitting import add_psr_dsr, sweep_pbo, symbol_facts
    from peak_trade.research.stats import deflated_sharpe_ratio
    from peak_trade.research.sweep import sweep

    config = BacktestConfig(
        initial_cash=10_000.0, fee_bps=10.0, slippage_bps=5.0, execution="next_open"
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows = sweep(frames, "ma_crossover", GRID, config=config, output=tmp, keep_returns=True)
        rows = add_psr_dsr(rows, symbol_facts(frames, config=config))
        returns = read_returns(tmp)
        pbos = sweep_pbo(tmp, n_splits=16)
    print(f"== {name}: {rows.height // len(frames)} combinations per symbol")
    for symbol in frames:
        mine = rows.filter(pl.col("symbol") == symbol)
        best = mine.sort("sharpe", descending=True, nulls_last=True).row(0, named=True)
        matrix = returns[symbol].drop("timestamp").to_numpy()
        sr = matrix.mean(0) / matrix.std(0, ddof=1)
        column = matrix[:, int(np.nanargmax(sr))]
        exact = deflated_sharpe_ratio(
            column, n_trials=matrix.shape[1], sr_variance=float(np.nanvar(sr, ddof=1))
        )
        result = pbos[symbol]
        print(
            f"{symbol:9s} best fast={best['fast']:<3d} slow={best['slow']:<4d} "
            f"sharpe={best['sharpe']:6.3f} psr={best['psr']:.4f} dsr={best['dsr']:.4f} "
            f"dsr(exact moments)={exact:.4f} pbo={result.pbo:.3f} "
            f"slope={result.slope:.3f} mean logit={np.mean(result.logits):.3f}"
        )
        assert math.isclose(
            best["sharpe"], float(np.nanmax(sr)) * math.sqrt(24 * 365), rel_tol=1e-9
        )


def walks(n: int) -> None:
    """PBO of the same sweep on ``n`` independent random walks (seeds 3000...)."""
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.research.overfitting import sweep_pbo
    from peak_trade.research.sweep import sweep

    config = BacktestConfig(fee_bps=10.0, slippage_bps=5.0, execution="next_open")
    values = []
    for seed in range(3000, 3000 + n):
        with tempfile.TemporaryDirectory() as tmp:
            frames = {"RW": random_walk(seed)}
            sweep(frames, "ma_crossover", GRID, config=config, output=tmp, keep_returns=True)
            values.append(sweep_pbo(tmp, n_splits=16)["RW"].pbo)
        print(f"seed {seed}: pbo {values[-1]:.3f}", flush=True)
    arr = np.array(values)
    print(
        f"{n} random walks: mean {arr.mean():.3f}, median {np.median(arr):.3f}, "
        f"min {arr.min():.3f}, max {arr.max():.3f}, share >= 0.5: {np.mean(arr >= 0.5):.2f}"
    )


def main() -> None:
    import sys

    from peak_trade.data.providers.synthetic import SyntheticProvider

    if len(sys.argv) > 2 and sys.argv[1] == "walks":
        walks(int(sys.argv[2]))
        return

    provider = SyntheticProvider(seed=42, bars=4_000)
    report("quickstart data", {s: provider.fetch_ohlcv(s, "1h") for s in SYMBOLS})
    report("numpy Gaussian random walk", {f"RW{i}": random_walk(2026 + i) for i in range(3)})


if __name__ == "__main__":
    main()
