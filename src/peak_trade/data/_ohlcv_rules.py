"""The OHLCV row rules as polars expressions, each true for a good row.

A rule key is the rule name, or ``rule:column`` for the per-column rules
(``missing_values``, ``non_finite``, ``non_positive_price``).

The ~20 rules imply far fewer checks on a good row: with no nulls, the timestamp
strictly above the previous one, ``0 < low <= open, close <= high < inf`` and
``0 <= volume < inf`` (no NaN anywhere), every rule holds. :func:`suspect_rows`
is that reduced check as one per-row mask: a valid frame has no suspect row, and
the rows breaking any rule are among the suspects, so the full rules only need
to run on those.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "PRICE_COLUMNS",
    "REQUIRED_VALUE_COLUMNS",
    "RuleSpec",
    "row_rules",
    "rule_key",
    "suspect_rows",
    "suspect_rows_np",
]

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


def row_rules(
    *, timestamp: str = "timestamp", allow_partial_nans: bool = False, previous: str | None = None
) -> list[RuleSpec]:
    """Every row rule, in report order.

    ``previous`` names a column holding each row's preceding timestamp; the
    adjacent-pair rules then compare against it instead of ``diff()``, so the rules
    can run on a subset of rows (the suspects of :func:`suspect_rows`).
    """
    return list(_cached_rules(timestamp, allow_partial_nans, previous))


@functools.lru_cache(maxsize=32)
def _cached_rules(timestamp: str, allow_partial_nans: bool, previous: str | None) -> list[RuleSpec]:
    # Expressions are immutable, so one build per option set serves every call.
    ts_int = pl.col(timestamp).cast(pl.Int64)
    step = ts_int.diff() if previous is None else ts_int - pl.col(previous).cast(pl.Int64)
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


_INF = float("inf")


@functools.lru_cache(maxsize=32)
def suspect_rows(*, timestamp: str, allow_partial_nans: bool, cast: tuple[bool, ...]) -> pl.Expr:
    """True for a row that may break a row rule; false proves that it breaks none.

    ``cast[i]`` says value column ``i`` is not Float64 yet. Polars orders NaN above
    every number (and NaN == NaN), so the order comparisons catch a NaN in low, open
    or close unless high is NaN too, which ``high < inf`` catches; ``volume < inf``
    catches a NaN volume. Nulls make the row a suspect.
    """
    o, h, lo, c, v = (
        pl.col(n).cast(pl.Float64) if must else pl.col(n)
        for n, must in zip(REQUIRED_VALUE_COLUMNS, cast, strict=True)
    )
    ts = pl.col(timestamp)
    # A null step means no pair to judge (first row, or a null on either side); a
    # null timestamp itself is caught by is_not_null.
    in_order = (ts.to_physical().diff() > 0).fill_null(True) & ts.is_not_null()
    vol_ok = (v >= 0) & (v < _INF)
    if allow_partial_nans:
        vol_ok = (vol_ok | v.is_nan()).fill_null(True)
    good = in_order & (lo <= o) & (lo <= c) & (o <= h) & (c <= h) & (lo > 0) & (h < _INF) & vol_ok
    return ~good.fill_null(False)


def suspect_rows_np(
    ts: npt.NDArray[np.int64],
    o: npt.NDArray[np.float64],
    h: npt.NDArray[np.float64],
    lo: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
    *,
    allow_partial_nans: bool,
) -> npt.NDArray[np.bool_]:
    """:func:`suspect_rows` over null-free numpy columns (no query overhead on small frames).

    ``ts`` holds the timestamps' physical integers. numpy comparisons with NaN are
    false, so a NaN anywhere makes the row a suspect, except a NaN volume with
    ``allow_partial_nans``.
    """
    vol_ok = (v >= 0) & (v < _INF)
    if allow_partial_nans:
        vol_ok |= np.isnan(v)
    good = (lo <= o) & (lo <= c) & (o <= h) & (c <= h) & (lo > 0) & (h < _INF) & vol_ok
    good[1:] &= ts[1:] > ts[:-1]
    return ~good
