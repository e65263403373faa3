"""Deterministic OHLCV frames for the contract benchmarks and gate cases.

Valid frames come from ``synthetic_ohlcv`` (1-minute bars, UTC). The "bad" frame
breaks 1% of its rows: row ``i`` is bad when ``i % 100 == 37``, and the defect
cycles through five kinds (high below low, NaN close, negative volume, negative
open, a timestamp repeating the previous one), so the full report names seven
rules with exact counts.
"""

from __future__ import annotations

import functools

import polars as pl

from peak_trade.data.providers.synthetic import synthetic_ohlcv

__all__ = ["bad_frame", "valid_frame"]


@functools.cache
def valid_frame(rows: int, /) -> pl.DataFrame:
    """``rows`` valid 1-minute bars (cached: frames are immutable)."""
    return synthetic_ohlcv(rows, seed=20240101, symbol="BENCH", timeframe="1m")


@functools.cache
def bad_frame(rows: int, /) -> pl.DataFrame:
    """:func:`valid_frame` with 1% of its rows broken (see the module docstring)."""
    i = pl.int_range(pl.len())
    bad = (i % 100) == 37
    kind = (i // 100) % 5

    def broken(k: int, column: str, value: pl.Expr) -> pl.Expr:
        return pl.when(bad & (kind == k)).then(value).otherwise(pl.col(column)).alias(column)

    return valid_frame(rows).with_columns(
        broken(0, "high", pl.col("low") * 0.5),
        broken(1, "close", pl.lit(float("nan"))),
        broken(2, "volume", pl.lit(-1.0)),
        broken(3, "open", pl.lit(-2.0)),
        broken(4, "timestamp", pl.col("timestamp").shift(1)),
    )
