"""Test helpers: a small OHLCV market and a plain-Python reference of the invariants.

``reference_violations`` re-derives every built-in invariant from the result's
frames with ordinary Python arithmetic (no kernel code), per docs/invariants.md.
"""

import datetime as dt
import math

import numpy as np
import polars as pl

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.result import BacktestResult

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def market(close, open_=None, *, spread: float = 0.01) -> pl.DataFrame:
    """Valid OHLCV bars around ``close`` (open defaults to the previous close)."""
    c = np.asarray(close, dtype=float)
    o = np.r_[c[0], c[:-1]] if open_ is None else np.asarray(open_, dtype=float)
    return pl.DataFrame(
        {
            "timestamp": [T0 + i * HOUR for i in range(len(c))],
            "open": o,
            "high": np.maximum(o, c) * (1 + spread),
            "low": np.minimum(o, c) * (1 - spread),
            "close": c,
            "volume": np.ones(len(c)),
        },
        schema_overrides={"timestamp": pl.Datetime("us", "UTC")},
    )


def walk(n: int, seed: int = 0, vol: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 * np.exp(np.cumsum(rng.normal(0.0, vol, n)))


def _tol(abs_tol: float, rel_tol: float, x: float) -> float:
    return abs_tol + rel_tol * max(1.0, abs(x))


def state_violations(
    cash: float,
    pos: float,
    mark: float,
    equity: float,
    *,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
) -> list[str]:
    """The state invariants one bar breaks, in code order (docs/invariants.md)."""
    out = []
    tol = _tol(abs_tol, rel_tol, equity)
    ruined_short = short_account and pos == 0 and equity <= 0
    if cash < -tol and not ruined_short:
        out.append("cash_non_negative")
    if not all(math.isfinite(x) for x in (cash, pos, equity)):
        return [*out, "equity_finite"]  # the others are meaningless then
    if abs(equity - (cash + pos * mark)) > tol:
        out.append("accounting_identity")
    if abs(pos * mark) > max_leverage * max(equity, 0.0) + tol:
        out.append("exposure_within_limit")
    return out


def reference_violations(
    df: pl.DataFrame,
    result: BacktestResult,
    config: BacktestConfig,
    *,
    abs_tol: float = 1e-6,
    rel_tol: float = 1e-9,
    max_leverage: float | None = None,
) -> dict[str, tuple[int, int]]:
    """Invariant name -> (first bar, count), recomputed row by row from the frames."""
    found: dict[str, list[int]] = {}

    def hit(name: str, bar: int) -> None:
        found.setdefault(name, []).append(bar)

    if max_leverage is None:
        max_leverage = math.inf if config.allow_short else 1.0
    slip = config.slippage_bps / 1e4
    eq = result.equity
    lows, highs = df["low"].to_list(), df["high"].to_list()
    fills = result.fills.rows(named=True)
    ts = df["timestamp"].to_list()
    for i, row in enumerate(eq.rows(named=True)):
        if i > 0 and not ts[i] > ts[i - 1]:
            hit("timestamps_increasing", i)
        for f in (f for f in fills if f["bar"] == i):
            lo, hi = lows[i] * (1 - slip), highs[i] * (1 + slip)
            p = f["price"]
            ok = math.isfinite(p) and p > 0
            ok = ok and lo - _tol(abs_tol, rel_tol, lo) <= p <= hi + _tol(abs_tol, rel_tol, hi)
            if not ok:
                hit("fill_price_valid", i)
            if not f["fee"] >= 0:
                hit("fees_non_negative", i)
        state = (row["cash"], row["position"], row["price"], row["equity"])
        for name in state_violations(
            *state, abs_tol=abs_tol, rel_tol=rel_tol, max_leverage=max_leverage,
            short_account=config.allow_short,
        ):  # fmt: skip
            hit(name, i)
    trades = result.trades
    expected = config.initial_cash + sum(trades["pnl"].to_list())
    turnover = config.initial_cash + sum(
        q * (a + b)
        for q, a, b in zip(
            trades["qty"].to_list(),
            trades["entry_price"].to_list(),
            trades["exit_price"].to_list(),
            strict=True,
        )
    )
    final = eq["equity"][-1]
    if not abs(final - expected) <= _tol(abs_tol, rel_tol, turnover):
        hit("trades_reconcile", eq.height - 1)
    return {name: (bars[0], len(bars)) for name, bars in found.items()}
