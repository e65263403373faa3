"""Putting a file's bars in time order and judging them by the contract, by line."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from peak_trade.core.errors import DataContractError
from peak_trade.data.contracts import ContractReport

__all__ = ["contract_failure", "in_time_order", "locate"]

_SHOWN = 3


def in_time_order(df: pl.DataFrame, /) -> tuple[pl.DataFrame, bool]:
    """``df`` oldest first: a newest-first file is reversed; any other order is kept
    (the contract then names the first row out of order). Returns the frame and
    whether it was reversed."""
    ticks = df.get_column("timestamp").to_physical()
    # first <= last: not newest first; the contract's own pass judges the order
    if ticks.len() < 2 or ticks[0] <= ticks[-1]:
        return df, False
    if ticks.is_sorted(descending=True):
        return df.reverse(), True
    return df, False


def locate(
    kind: str, lines: Callable[[], list[int]] | None, *, reversed_: bool, n: int
) -> Callable[[int], str]:
    """A function naming row ``i`` of the ordered frame as the file's line or record."""
    cache: list[list[int]] = []

    def name(i: int) -> str:
        j = n - 1 - i if reversed_ else i
        if lines is None:
            return f"record {j + 1}"
        if not cache:
            cache.append(lines())
        table = cache[0]
        return f"line {table[j]}" if j < len(table) else f"record {j + 1}"

    return name


def contract_failure(
    report: ContractReport, /, *, path: str, where: Callable[[int], str]
) -> DataContractError:
    """The error for a report with violations, naming lines instead of rows."""
    parts = []
    for v in report.violations[:_SHOWN]:
        column = f", column {v.column}" if v.column else ""
        at = where(v.rows[0]) if v.rows else "the schema"
        parts.append(f"{at}{column}: breaks `{v.rule}` ({v.count} rows)")
    more = len(report.violations) - _SHOWN
    tail = f"; and {more} more rules" if more > 0 else ""
    msg = f"{path}: " + "; ".join(parts) + tail
    return DataContractError(
        msg,
        hint=f"run `peak-trade validate-data {path}` for the full report, then fix those lines",
        context={"path": path, "violations": report.to_dicts()},
    )
