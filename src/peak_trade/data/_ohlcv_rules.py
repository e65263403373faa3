"""The OHLCV row rules as polars expressions, each true for a good row.

A rule key is the rule name, or ``rule:column`` for the per-column rules
(``missing_values``, ``non_finite``, ``non_positive_price``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["PRICE_COLUMNS", "REQUIRED_VALUE_COLUMNS", "RuleSpec", "row_rules", "rule_key"]

PRICE_COLUMNS = ("open", "high", "low", "close")
REQUIRED_VALUE_COLUMNS = (*PRICE_COLUMNS, "volume")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One row rule: its stable name, the column it is about, its expression and hint."""

    rule: str
    column: str | None
    expr: pl.Expr
    hint: str
    meaning: str


def rule_key(rule: str, column: str | None) -> str:
    """The key of a rule in :func:`ohlcv_rules`: ``rule`` or ``rule:column``."""
    return rule if column is None else f"{rule}:{column}"


def _num(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Float64)


def _usable(*names: str) -> pl.Expr:
    """True where every named value is present and finite (null where one is null)."""
    return pl.all_horizontal([_num(n).is_finite() for n in names])


def _good(condition: pl.Expr, *names: str) -> pl.Expr:
    """A sanity rule that only judges rows whose involved values are usable."""
    return (condition | ~_usable(*names)).fill_null(True)


def row_rules(*, timestamp: str = "timestamp", allow_partial_nans: bool = False) -> list[RuleSpec]:
    """Every row rule, in report order."""
    ts_int = pl.col(timestamp).cast(pl.Int64)
    step = ts_int.diff()
    o, h, lo, c, v = (_num(n) for n in REQUIRED_VALUE_COLUMNS)
    sort_hint = f'sort and deduplicate with df.unique("{timestamp}").sort("{timestamp}")'
    specs = [
        RuleSpec(
            "null_timestamp",
            timestamp,
            pl.col(timestamp).is_not_null(),
            f'drop rows without a time with df.drop_nulls("{timestamp}")',
            f"`{timestamp}` is not null",
        ),
        RuleSpec(
            "duplicate_timestamps",
            timestamp,
            (step != 0).fill_null(True),
            sort_hint,
            f"`{timestamp}[i] != {timestamp}[i-1]`",
        ),
        RuleSpec(
            "unsorted_timestamps",
            timestamp,
            (step >= 0).fill_null(True),
            f'sort with df.sort("{timestamp}")',
            f"`{timestamp}[i] >= {timestamp}[i-1]`",
        ),
    ]
    missing_cols = PRICE_COLUMNS if allow_partial_nans else REQUIRED_VALUE_COLUMNS
    for name in missing_cols:
        x = _num(name)
        specs.append(
            RuleSpec(
                "missing_values",
                name,
                (x.is_not_null() & ~x.is_nan()).fill_null(False),
                f"fill or drop missing `{name}` values (df.drop_nulls / fill_nan)",
                f"`{name}` is not null or NaN",
            )
        )
    for name in REQUIRED_VALUE_COLUMNS:
        specs.append(
            RuleSpec(
                "non_finite",
                name,
                (~_num(name).is_infinite()).fill_null(True),
                f"replace infinite `{name}` values at the source; they are not prices",
                f"`{name}` is finite",
            )
        )
    for name in PRICE_COLUMNS:
        specs.append(
            RuleSpec(
                "non_positive_price",
                name,
                _good(_num(name) > 0, name),
                f"drop or repair rows where `{name}` <= 0",
                f"`{name} > 0`",
            )
        )
    specs += [
        RuleSpec(
            "high_below_low",
            None,
            _good(h >= lo, "high", "low"),
            "check the column mapping: `high` and `low` may be swapped",
            "`high >= low`",
        ),
        RuleSpec(
            "high_below_open_close",
            None,
            _good(h >= pl.max_horizontal(o, c), "high", "open", "close"),
            "repair bars whose `high` is below `open` or `close`",
            "`high >= max(open, close)`",
        ),
        RuleSpec(
            "low_above_open_close",
            None,
            _good(lo <= pl.min_horizontal(o, c), "low", "open", "close"),
            "repair bars whose `low` is above `open` or `close`",
            "`low <= min(open, close)`",
        ),
        RuleSpec(
            "negative_volume",
            "volume",
            _good(v >= 0, "volume"),
            "drop or repair rows with negative `volume`",
            "`volume >= 0`",
        ),
    ]
    return specs
