"""Shared helpers for providers: UTC bounds and cutting a frame to a window."""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = ["as_utc", "cut_window"]


def as_utc(value: dt.datetime, /) -> dt.datetime:
    """Read a naive datetime as UTC; convert an aware one to UTC.

    Example:
        >>> as_utc(dt.datetime(2024, 1, 1)).tzinfo
        datetime.timezone.utc
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def cut_window(
    df: pl.DataFrame, /, start: dt.datetime | None, end: dt.datetime | None
) -> pl.DataFrame:
    """Keep the rows with ``start <= timestamp < end`` (a ``None`` side is open).

    Example:
        >>> cut_window(pl.DataFrame({"timestamp": []}), None, None).height
        0
    """
    if start is not None:
        df = df.filter(pl.col("timestamp") >= as_utc(start))
    if end is not None:
        df = df.filter(pl.col("timestamp") < as_utc(end))
    return df
