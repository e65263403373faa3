"""Walk-forward fold planning: bar counts or durations on one shared timeline.

Folds are cut on the sorted union of every symbol's timestamps, so all symbols
share the same folds by time. A fold is four bar indices into that timeline:
train ``[a, b)`` and test ``[b, c)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from peak_trade.core.errors import ConfigError

__all__ = ["Fold", "Span", "parse_span", "plan_folds", "timeline"]

#: A bar count or a duration.
Span = int | dt.timedelta
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Fold:
    """One fold: train bars ``[train_start, test_start)``, test ``[test_start, test_end)``."""

    index: int
    train_start: int
    test_start: int
    test_end: int


def parse_span(value: Any, name: str, /) -> Span:
    """``value`` as a positive bar count or duration (``"730d"``, ``"12h"``, a timedelta).

    Example:
        >>> parse_span("90d", "test")
        datetime.timedelta(days=90)
    """
    positive_int = isinstance(value, int) and not isinstance(value, bool) and value > 0
    if positive_int or (isinstance(value, dt.timedelta) and value > dt.timedelta(0)):
        return value  # type: ignore[no-any-return]  # narrowed above: int or timedelta
    if isinstance(value, str) and (m := _DURATION.match(value)) and int(m.group(1)) > 0:
        return dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    msg = f"`{name}` must be a bar count > 0 or a duration like '90d'; got {value!r}"
    raise ConfigError(
        msg, hint=f'e.g. {name}=500 or {name}="90d" (units m, h, d, w)', context={name: repr(value)}
    )


def timeline(stamps: Sequence[pl.Series], /) -> pl.Series:
    """The sorted union of the symbols' timestamps."""
    return pl.concat(list(stamps)).unique().sort()


def _index(ts: pl.Series, start: int, span: Span) -> int:
    """The bar ``span`` after bar ``start``: ``start + span`` or the first bar at/after the time."""
    if isinstance(span, int):
        return start + span
    return int(ts.search_sorted(ts[start] + span, side="left"))


def _past_end(ts: pl.Series, start: int, span: Span) -> bool:
    """Whether a test window of ``span`` from bar ``start`` runs past the data."""
    if isinstance(span, int):
        return start + span > ts.len()
    bar = ts[-1] - ts[-2] if ts.len() > 1 else dt.timedelta(0)
    return bool(ts[start] + span > ts[-1] + bar)


def plan_folds(
    ts: pl.Series, /, *, train: Span, test: Span, step: Span, anchored: bool
) -> list[Fold]:
    """Every fold whose test window fits the data; fold ``i`` starts ``i * step`` later.

    Raises:
        ConfigError: No fold fits, or ``step`` is shorter than ``test`` (overlapping
            out-of-sample windows cannot be stitched).
    """
    ints = isinstance(step, int) and isinstance(test, int) and step < test
    spans = isinstance(step, dt.timedelta) and isinstance(test, dt.timedelta) and step < test
    if ints or spans:
        msg = f"`step` ({step}) is shorter than `test` ({test}): the test windows would overlap"
        raise ConfigError(msg, hint="use step >= test (the default is step = test)")
    folds: list[Fold] = []
    start = 0
    n = ts.len()
    while start < n:
        test_start = _index(ts, start, train)
        if test_start >= n or _past_end(ts, test_start, test):
            break
        test_end = min(_index(ts, test_start, test), n)
        first = 0 if anchored else start
        if test_end > test_start and test_start > first:
            folds.append(Fold(len(folds), first, test_start, test_end))
        nxt = _index(ts, start, step)
        if nxt <= start:
            break
        start = nxt
    if not folds:
        msg = f"no walk-forward fold fits {n} bars with train={train!r} and test={test!r}"
        raise ConfigError(
            msg, hint="shorten `train` or `test`, or pass more data", context={"bars": n}
        )
    return folds
