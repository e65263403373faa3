"""Each built-in strategy's ``signal(df)`` next to a plain polars pass over its indicator.

The plain pass is what a user would write to get the same indicator's condition out
of polars as numpy: one ``select`` of the rolling means, Wilder averages, bands or
returns, compared with the threshold, then ``to_numpy()``. It skips what a strategy
adds (warm-up, touch margins, the held position state), so the ratio is an upper
bound of our overhead. Target (issue 17): ours <= 1.5x the plain pass.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from benchmarks.gatekit import RatioCase

#: (strategy, params) as in issue 17's figures.
STRATEGIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("ma_crossover", {"fast": 1000, "slow": 5000}),
    ("rsi_reversion", {"window": 14, "lower": 30.0, "upper": 70.0}),
    ("bollinger_bands", {"period": 20, "num_std": 2.0}),
    ("momentum", {"lookback": 20, "entry": 0.02, "exit": -0.01}),
)


def plain_indicator(name: str, params: dict[str, Any]) -> pl.Expr:
    """The indicator's entry condition as one plain polars expression over ``close``."""
    c = pl.col("close")
    if name == "ma_crossover":
        return c.rolling_mean(params["fast"]) > c.rolling_mean(params["slow"])
    if name == "rsi_reversion":
        delta = c.diff()
        alpha = 1.0 / params["window"]
        gain = delta.clip(lower_bound=0.0).ewm_mean(alpha=alpha, adjust=False)
        loss = (-delta).clip(lower_bound=0.0).ewm_mean(alpha=alpha, adjust=False)
        return 100.0 - 100.0 / (1.0 + gain / loss) < params["lower"]
    if name == "bollinger_bands":
        n, k = params["period"], params["num_std"]
        return c < c.rolling_mean(n) - k * c.rolling_std(n, ddof=0)
    if name == "momentum":
        return c / c.shift(params["lookback"]) - 1.0 > params["entry"]
    msg = f"no plain polars pass for {name!r}"
    raise KeyError(msg)


def signal_cases(df: pl.DataFrame, *, rounds: int = 5) -> list[RatioCase]:
    """``Strategy.signal(df)`` vs the plain polars pass, one case per built-in."""
    from peak_trade.backtest.registry import get_strategy

    cases = []
    for name, params in STRATEGIES:
        strategy = get_strategy(name, **params)
        expr = plain_indicator(name, params).cast(pl.Float64)

        def ours(s: Any = strategy) -> object:
            return s.signal(df)

        def plain(e: pl.Expr = expr) -> object:
            return df.select(e).to_series().to_numpy()

        cases.append(RatioCase(f"signal_{name}_vs_plain_polars", ours, plain, rounds=rounds))
    return cases
