"""Timeframe and bars-per-year inference against the rule written out in plain Python."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import DataContractError
from peak_trade.data.reader import check_timeframe, infer_calendar

DAY = 86_400


def reference(times: list[dt.datetime]) -> tuple[int, float]:
    """(modal step in seconds, bars per year) by docs/backtest.md's rule, loop by loop."""
    steps = [int((b - a).total_seconds()) for a, b in itertools.pairwise(times)]
    steps = [s for s in steps if s > 0]
    counts = Counter(steps)
    top = max(counts.values())
    modal = min(s for s, c in counts.items() if c == top)
    if 28 * DAY <= modal <= 31 * DAY:
        return modal, 12.0
    if modal == 7 * DAY:
        return modal, 52.0
    weekend = sum(t.weekday() >= 5 for t in times) / len(times)
    span = (times[-1] - times[0]).total_seconds()
    base = 252.0 if weekend < 0.1 and span >= 7 * DAY else 365.0
    if modal == DAY:
        return modal, base
    if modal < DAY:
        per_date = Counter(t.date() for t in times)
        dates = sorted(per_date)
        if len(dates) < 3:
            return modal, base * DAY / modal
        inner = [per_date[d] for d in dates[1:-1]]
        return modal, base * statistics.median(inner)
    return modal, 365.0 * DAY / modal


@st.composite
def calendars(draw: st.DrawFn) -> list[dt.datetime]:
    step = draw(st.sampled_from([60, 900, 3600, 4 * 3600, DAY, 7 * DAY]))
    weekdays = draw(st.booleans())
    hours = draw(st.sampled_from([(0, 24), (9, 16), (14, 21)]))
    start = dt.datetime(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300)))
    n = draw(st.integers(2, 400))
    out, t = [], start
    while len(out) < n:
        keep = not (weekdays and step <= DAY and t.weekday() >= 5)
        if step < DAY:
            keep = keep and hours[0] <= t.hour < hours[1]
        if keep:
            out.append(t)
        t += dt.timedelta(seconds=step)
    drop = draw(st.sets(st.integers(1, n - 2), max_size=n // 10)) if n > 3 else set()
    return [t for i, t in enumerate(out) if i not in drop]


@settings(max_examples=150, deadline=None)
@given(times=calendars())
def test_the_calendar_follows_the_rule(times):
    got = infer_calendar(pl.Series(times, dtype=pl.Datetime("us", "UTC")))
    modal, ppy = reference(times)
    assert got is not None
    assert (got.seconds, got.periods_per_year) == (modal, pytest.approx(ppy))


@pytest.mark.parametrize(
    ("start", "every", "n", "expected"),
    [
        (dt.datetime(2024, 1, 1), "1mo", 24, ("1mo", 12.0)),
        (dt.datetime(2024, 1, 1), "1w", 30, ("1w", 52.0)),
        (dt.datetime(2024, 1, 1), "1d", 60, ("1d", 365.0)),
        (dt.datetime(2024, 1, 1), "2h", 60, ("2h", 365.0 * 12)),
    ],
)
def test_regular_series(start, every, n, expected):
    ts = pl.datetime_range(start, start + dt.timedelta(days=3000), every, eager=True).head(n)
    got = infer_calendar(ts.dt.replace_time_zone("UTC"))
    assert got is not None
    assert (got.timeframe, got.periods_per_year) == expected


def test_a_declared_timeframe_is_checked_against_the_bars():
    ts = pl.datetime_range(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3), "1h", eager=True)
    calendar = infer_calendar(ts)
    check_timeframe("1h", calendar, path="x.csv")
    check_timeframe("60m", calendar, path="x.csv")
    with pytest.raises(DataContractError, match=r"declared timeframe '1d' .* mostly '1h'"):
        check_timeframe("1d", calendar, path="x.csv")
    assert infer_calendar(ts.head(1)) is None
