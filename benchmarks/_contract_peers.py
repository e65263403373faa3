"""The OHLCV strict rules written for two peers, for the headline comparison.

Both schemas state the same rules as ``check_ohlcv(df, strict=True,
require_tz=True)``: a UTC ``timestamp`` that is non-null, unique and ascending;
``open/high/low/close`` non-null, not NaN, finite and > 0; ``volume`` non-null,
not NaN, finite and >= 0; and ``high >= low``, ``high >= max(open, close)``,
``low <= min(open, close)``. Each peer uses its own idioms (column options where it
has them, rules/checks otherwise). The peers are imported only when called, so
the gate never needs them.
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["dataframely_schema", "pandera_schema"]

PRICES = ("open", "high", "low", "close")


def dataframely_schema() -> Any:
    """A dataframely 3.x ``Schema`` with the strict rules (use ``is_valid``)."""
    import dataframely as dy

    def price() -> Any:
        # allow_nan/allow_inf default to False: NaN and +-inf fail the column.
        return dy.Float64(nullable=False, min_exclusive=0.0)

    class OhlcvSchema(dy.Schema):
        timestamp = dy.Datetime(
            nullable=False,
            unique=True,
            time_zone="UTC",
            check={"ascending": lambda c: (c.diff() >= pl.duration()).fill_null(True)},
        )
        open = price()
        high = price()
        low = price()
        close = price()
        volume = dy.Float64(nullable=False, min=0.0)
        # dataframely 3.x calls a rule's function with the schema class.
        high_at_least_low = dy.rule()(lambda _: pl.col("high") >= pl.col("low"))
        high_at_least_open_close = dy.rule()(
            lambda _: pl.col("high") >= pl.max_horizontal("open", "close")
        )
        low_at_most_open_close = dy.rule()(
            lambda _: pl.col("low") <= pl.min_horizontal("open", "close")
        )

    return OhlcvSchema


def pandera_schema() -> Any:
    """A ``pandera.polars.DataFrameSchema`` with the strict rules (use ``validate``)."""
    import pandera.polars as pa

    def finite(data: Any) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())

    def ascending(data: Any) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col(data.key).diff() >= pl.duration()).fill_null(True))

    def frame_check(expr: pl.Expr) -> Any:
        return pa.Check(lambda data: data.lazyframe.select(expr))

    # nullable=False also rejects NaN in pandera's polars backend.
    columns = {
        "timestamp": pa.Column(
            pl.Datetime("us", "UTC"), nullable=False, unique=True, checks=pa.Check(ascending)
        ),
        **{
            name: pa.Column(pl.Float64, nullable=False, checks=[pa.Check.gt(0), pa.Check(finite)])
            for name in PRICES
        },
        "volume": pa.Column(pl.Float64, nullable=False, checks=[pa.Check.ge(0), pa.Check(finite)]),
    }
    return pa.DataFrameSchema(
        columns,
        checks=[
            frame_check(pl.col("high") >= pl.col("low")),
            frame_check(pl.col("high") >= pl.max_horizontal("open", "close")),
            frame_check(pl.col("low") <= pl.min_horizontal("open", "close")),
        ],
    )
