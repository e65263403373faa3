"""The bar length and the bars per year of a time column, from its own spacing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from peak_trade.core.errors import DataContractError
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["Calendar", "check_timeframe", "infer_calendar"]

_DAY = 86_400
_WEEK = 7 * _DAY
_UNITS = (("w", _WEEK), ("d", _DAY), ("h", 3600), ("m", 60), ("s", 1))
#: Below this share of bars on Saturday or Sunday (UTC) a series trades on weekdays.
WEEKEND_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Calendar:
    """The modal bar spacing as a timeframe, and the bars per year it implies."""

    timeframe: str
    seconds: int
    periods_per_year: float
    weekdays_only: bool


def _num(value: object) -> float:
    """A polars scalar aggregate as a float (0.0 when empty)."""
    return float(value) if isinstance(value, int | float) else 0.0


def _label(seconds: int) -> str:
    if 28 * _DAY <= seconds <= 31 * _DAY:
        return "1mo"
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def infer_calendar(timestamps: pl.Series, /) -> Calendar | None:
    """The modal spacing and bars per year of sorted UTC timestamps; None below 2 bars.

    Bars per year: weekly 52, monthly 12; daily 252 when the bars span a week or
    more and fewer than 10% of them fall on a weekend (UTC), else 365; intraday
    that base times the median number of bars per whole trading day (UTC dates,
    first and last left out); longer spacings 365 days over the spacing.

    Example:
        >>> import datetime as dt
        >>> days = pl.datetime_range(dt.datetime(2024, 1, 1), dt.datetime(2024, 3, 1), "1d",
        ...                          eager=True)
        >>> infer_calendar(days).periods_per_year
        365.0
    """
    if timestamps.len() < 2:
        return None
    ts = timestamps.dt.cast_time_unit("us")
    steps = ts.diff().drop_nulls().dt.total_seconds()
    steps = steps.filter(steps > 0)
    if steps.is_empty():
        return None
    low, high = _num(steps.min()), _num(steps.max())
    # evenly spaced bars need no counting; else the shortest of tied modes
    modal = int(low) if low == high else int(_num(steps.mode().min()))
    if 28 * _DAY <= modal <= 31 * _DAY:
        return Calendar("1mo", modal, 12.0, weekdays_only=False)
    if modal == _WEEK:
        return Calendar("1w", modal, 52.0, weekdays_only=False)
    weekend = _num((ts.dt.weekday() >= 6).mean())
    span = _span_seconds(ts)
    weekdays = weekend < WEEKEND_SHARE and span >= _WEEK  # a shorter span cannot tell
    base = 252.0 if weekdays else 365.0
    if modal == _DAY:
        ppy = base
    elif modal < _DAY:
        ppy = base * _bars_per_day(ts, modal)
    else:
        ppy = 365.0 * _DAY / modal
    return Calendar(_label(modal), modal, ppy, weekdays_only=weekdays)


def _span_seconds(ts: pl.Series) -> float:
    return _num(ts.cast(pl.Int64).max()) / 1e6 - _num(ts.cast(pl.Int64).min()) / 1e6


def _bars_per_day(ts: pl.Series, step: int) -> float:
    """Median bars per UTC date, over the whole days (first and last dates left out);
    with fewer than three dates, a whole day of bars at ``step``."""
    counts = ts.dt.date().value_counts(sort=False).sort(ts.name or "")
    if counts.height < 3:
        return _DAY / step
    return _num(counts.get_column("count").slice(1, counts.height - 2).median())


def check_timeframe(declared: str, calendar: Calendar | None, /, *, path: str) -> None:
    """Raise when a declared timeframe disagrees with the data's modal spacing.

    Raises:
        DataContractError: The spacings differ; the message names both.
    """
    if calendar is None:
        return
    step = parse_timeframe(declared)
    if int(step.total_seconds()) == calendar.seconds:
        return
    found = dt.timedelta(seconds=calendar.seconds)
    msg = (
        f"{path}: declared timeframe {declared!r} ({step}) disagrees with the data, "
        f"whose bars are mostly {calendar.timeframe!r} ({found}) apart"
    )
    raise DataContractError(
        msg,
        hint=f"declare timeframe = {calendar.timeframe!r}, or leave it out to infer it",
        context={"path": path, "declared": declared, "inferred": calendar.timeframe},
    )
