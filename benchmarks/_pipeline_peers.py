"""What a user types, end to end: ``run_backtest(df, NAME, params)`` vs vectorbt's pipeline.

vectorbt's side is what its user would type for the same strategy: the indicator
(``vbt.MA`` twice, ``vbt.RSI``, ``vbt.BBANDS``; for momentum, pandas), entries and
exits from it, ``Portfolio.from_signals`` with the same fee, slippage and cash, and
``final_value()``. Ours runs with the default config and strict invariants; the
result is dropped, and from 1M bars on collected, on both sides.
"""

from __future__ import annotations

import gc
import warnings
from typing import Any

import numpy as np

from benchmarks._signal_peers import STRATEGIES
from benchmarks.gatekit import RatioCase


def _vbt_signals(vbt: Any, name: str, params: dict[str, Any], close: Any) -> tuple[Any, Any]:
    if name == "ma_crossover":
        fast = vbt.MA.run(close, params["fast"]).ma.to_numpy()
        slow = vbt.MA.run(close, params["slow"]).ma.to_numpy()
        entries = fast > slow
        return entries, ~entries
    if name == "rsi_reversion":
        rsi = vbt.RSI.run(close, window=params["window"], ewm=True).rsi.to_numpy()
        return rsi < params["lower"], rsi > params["upper"]
    if name == "bollinger_bands":
        bb = vbt.BBANDS.run(close, window=params["period"], alpha=params["num_std"])
        return close < bb.lower.to_numpy(), close > bb.upper.to_numpy()
    import pandas as pd

    s = pd.Series(close)
    change = (s / s.shift(params["lookback"]) - 1.0).to_numpy()
    return change > params["entry"], change < params["exit"]


def pipeline_case(name: str, df: Any, *, rounds: int = 5, inner: int = 1) -> RatioCase:
    """``run_backtest(df, name, params)`` vs vectorbt's pipeline for the same strategy."""
    import vectorbt as vbt

    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import run_backtest

    params = dict(STRATEGIES)[name]
    cfg = BacktestConfig()
    close = df["close"].to_numpy()
    # Large results are freed by the cyclic collector: each side pays for its own.
    # Small ones are not worth a collection per call (it would dominate both sides).
    collect = df.height >= 1_000_000

    def ours() -> object:
        result = run_backtest(df, name, params)
        del result
        return gc.collect() if collect else None

    def theirs() -> object:
        # A peer's runtime warnings are not ours (pytest makes every warning an error);
        # the filter is scoped to the call, so our own stay errors.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="vectorbt")
            entries, exits = _vbt_signals(vbt, name, params, close)
            pf = vbt.Portfolio.from_signals(
                close, entries, exits, fees=cfg.fee_rate, slippage=cfg.slippage_rate,
                init_cash=cfg.initial_cash, size=np.inf, freq="1min",
            )  # fmt: skip
            value = pf.final_value()
        del pf
        if collect:
            gc.collect()
        return value

    gc.freeze()  # later collections only visit what the timed calls create
    return RatioCase(f"pipeline_{name}_vs_vectorbt", ours, theirs, rounds=rounds, inner=inner)
