"""The faulty sweep of the invariant tests and its reference: one run_backtest each.

``SizedHold`` with ``size > 0.5`` under ``max_leverage=0.5`` breaks the real
engine invariant ``exposure_within_limit``; the reference runs every combination
through ``run_backtest`` with the same settings, never through the sweep.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core.errors import BacktestInvariantError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.research.fixture_strategies import SizedHold

SYMBOLS = ("BTC/USDT", "ETH", "SOL")
GRID = {"start": [0, 50, 10_000], "size": [0.25, 0.9]}
CFG = BacktestConfig(fee_bps=7.0, slippage_bps=3.0)
LIMIT = 0.5
EXPOSURE = "exposure_within_limit"
#: Which rows of GRID break the limit, per symbol: (0, 0.9) and (50, 0.9).
FAULTY = [None, EXPOSURE, None, EXPOSURE, None, None]
FRAMES = {
    s: synthetic_ohlcv(400, seed=20 + i, symbol=s, volatility=0.02) for i, s in enumerate(SYMBOLS)
}


def checks(mode: str, timing: str = "every_bar") -> InvariantConfig:
    return InvariantConfig(mode=mode, timing=timing, max_leverage=LIMIT)  # type: ignore[arg-type]


@functools.cache
def _one(symbol: str, start: int, size: float, mode: str, timing: str) -> dict[str, Any]:
    """One run_backtest of the combination: its stats and (warn) its first violation."""
    result = run_backtest(
        FRAMES[symbol],
        SizedHold(start=start, size=size),
        config=CFG,
        invariants=checks(mode, timing),
    )
    row: dict[str, Any] = {"symbol": symbol, "start": start, "size": size, **result.stats}
    if mode == "warn":
        first = result.violations[0] if result.violations else None
        row["invariant_violation"] = None if first is None else first.name
        row["invariant_bar"] = None if first is None else first.bar
    return row


def reference(
    mode: str, grid: dict[str, list[Any]] = GRID, timing: str = "every_bar", symbols=SYMBOLS
) -> list[dict[str, Any]]:
    """Symbols outer, then the grid's product (last name fastest), one run each."""
    return [
        _one(symbol, start, size, mode, timing)
        for symbol in symbols
        for start, size in itertools.product(grid["start"], grid["size"])
    ]


def strict_error(symbol: str, start: int, size: float) -> dict[str, Any]:
    with pytest.raises(BacktestInvariantError) as info:
        run_backtest(
            FRAMES[symbol],
            SizedHold(start=start, size=size),
            config=CFG,
            invariants=checks("strict"),
        )
    return info.value.context


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


def assert_rows(out: pl.DataFrame, want: list[dict[str, Any]]) -> None:
    """Every row equals its reference exactly: same keys, values and Python types."""
    assert out.columns == list(want[0])
    got = out.to_dicts()
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        bad = {k: (g[k], w[k]) for k in w if not _same(g[k], w[k])}
        assert not bad, (w["symbol"], w["start"], w["size"], bad)
