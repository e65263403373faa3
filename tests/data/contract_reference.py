"""A plain row-by-row reference of the OHLCV row rules, written without polars."""

from __future__ import annotations

import math
from typing import Any

PRICES = ("open", "high", "low", "close")
VALUES = (*PRICES, "volume")


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _usable(*xs: Any) -> bool:
    return all(not _missing(x) and math.isfinite(x) for x in xs)


def reference_row_violations(
    rows: list[dict[str, Any]], *, allow_partial_nans: bool = False
) -> dict[tuple[str, str | None], list[int]]:
    """Map (rule, column) to the ascending row positions that break it."""
    out: dict[tuple[str, str | None], list[int]] = {}

    def add(rule: str, column: str | None, i: int) -> None:
        out.setdefault((rule, column), []).append(i)

    for i, row in enumerate(rows):
        t = row["timestamp"]
        if t is None:
            add("null_timestamp", "timestamp", i)
        if i > 0:
            prev = rows[i - 1]["timestamp"]
            if t is not None and prev is not None:
                if t == prev:
                    add("duplicate_timestamps", "timestamp", i)
                elif t < prev:
                    add("unsorted_timestamps", "timestamp", i)
        checked = PRICES if allow_partial_nans else VALUES
        for c in checked:
            if _missing(row[c]):
                add("missing_values", c, i)
        for c in VALUES:
            x = row[c]
            if not _missing(x) and math.isinf(x):
                add("non_finite", c, i)
        for c in PRICES:
            if _usable(row[c]) and row[c] <= 0:
                add("non_positive_price", c, i)
        o, h, lo, c, v = (row[k] for k in VALUES)
        if _usable(h, lo) and h < lo:
            add("high_below_low", None, i)
        if _usable(h, o, c) and h < max(o, c):
            add("high_below_open_close", None, i)
        if _usable(lo, o, c) and lo > min(o, c):
            add("low_above_open_close", None, i)
        if _usable(v) and v < 0:
            add("negative_volume", "volume", i)
    return out
