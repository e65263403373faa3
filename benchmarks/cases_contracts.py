"""Gate cases for the OHLCV contract gate (issue 2, section 4).

The gate runs on 2,000,000 rows, not the headline 10,000,000, to keep this area
within its ~20 s share; the ratios are per-row work, so they hold at both sizes
(benchmarks/test_contracts_bench.py measures the 10M figures).

The in-run reference, "a plain single polars pass over the same columns", is one
``select`` reading the six contract columns once: for each of open, high, low,
close and volume its min, max and null count, and for the timestamp its null count
and the min of its ``diff()``. That is the least a checker must read and reduce;
it judges nothing across columns.
"""

from __future__ import annotations

import polars as pl

from benchmarks._contract_frames import bad_frame, valid_frame
from benchmarks.gatekit import RatioCase
from peak_trade.data.contracts import check_ohlcv

ROWS = 2_000_000
SMALL_ROWS = 1_440  # one day of 1-minute bars
VALUES = ("open", "high", "low", "close", "volume")


def plain_pass(df: pl.DataFrame, /) -> tuple[object, ...]:
    """The reference: one select of per-column min/max/null count and the timestamp diff."""
    ts = pl.col("timestamp")
    return df.select(
        ts.null_count().alias("ts_nulls"),
        ts.diff().min().alias("ts_step"),
        *(pl.col(c).min().alias(f"{c}_min") for c in VALUES),
        *(pl.col(c).max().alias(f"{c}_max") for c in VALUES),
        *(pl.col(c).null_count().alias(f"{c}_nulls") for c in VALUES),
    ).row(0)


def _check(df: pl.DataFrame) -> object:
    return check_ohlcv(df, strict=True, require_tz=True)


def cases() -> list[RatioCase]:
    valid = valid_frame(ROWS)
    bad = bad_frame(ROWS)
    small = valid_frame(SMALL_ROWS)
    return [
        RatioCase(
            "contracts_valid_vs_polars_pass",
            lambda: _check(valid),
            lambda: plain_pass(valid),
            rounds=7,
        ),
        RatioCase(
            "contracts_small_frame_vs_polars_pass",
            lambda: _check(small),
            lambda: plain_pass(small),
            rounds=7,
            inner=50,
        ),
        RatioCase(
            "contracts_bad_report_vs_valid",
            lambda: _check(bad),
            lambda: _check(valid),
            rounds=7,
        ),
    ]
