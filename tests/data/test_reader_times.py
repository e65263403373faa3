"""Time detection against Python's own ``strftime``: times written in a layout's
format read back exactly, and epochs in every unit are told apart by magnitude."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peak_trade.data.reader import read_ohlcv

UTC = dt.UTC
#: Python strftime format for writing, and whether it keeps the time of day.
WRITERS = {
    "iso_t_z": ("%Y-%m-%dT%H:%M:%SZ", True),
    "iso_space": ("%Y-%m-%d %H:%M:%S", True),
    "iso_date": ("%Y-%m-%d", False),
    "dukascopy": ("%d.%m.%Y %H:%M:%S.000", True),
    "month_name_short_year": ("%d-%b-%y", False),
    "month_name_comma": ('"%b %d, %Y"', False),
    "mt4": ("%Y.%m.%d %H:%M", True),
    "compact": ("%Y%m%d", False),
}

moments = st.lists(
    st.datetimes(min_value=dt.datetime(1975, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    min_size=3,
    max_size=30,
)


def _truncate(t: dt.datetime, fmt: str, keeps_time: bool) -> dt.datetime:
    t = t.replace(microsecond=0)
    if not keeps_time:
        return t.replace(hour=0, minute=0, second=0)
    if "%S" not in fmt:
        return t.replace(second=0)
    return t


def _write(path: Path, stamps: list[str]) -> None:
    rows = "".join(f"{s},1,2,0.5,1.5,9\n" for s in stamps)
    path.write_text("Date,Open,High,Low,Close,Volume\n" + rows)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=moments)
@pytest.mark.parametrize("layout", sorted(WRITERS))
def test_times_written_in_a_layout_read_back_exactly(tmp_path, layout, raw):
    fmt, keeps_time = WRITERS[layout]
    if fmt == "%d-%b-%y":  # two-digit years: keep them in 1975-2068, where %y is unambiguous
        raw = [t for t in raw if t.year < 2069] or [dt.datetime(2000, 1, 1)]
    times = sorted({_truncate(t, fmt, keeps_time) for t in raw})
    path = tmp_path / f"{layout}.csv"
    _write(path, [t.strftime(fmt) for t in times])
    got = read_ohlcv(path)["timestamp"].to_list()
    assert got == [t.replace(tzinfo=UTC) for t in times]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(
        st.datetimes(min_value=dt.datetime(1974, 1, 1), max_value=dt.datetime(2199, 1, 1)),
        min_size=2,
        max_size=20,
        unique=True,
    ),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_epochs_in_every_unit_are_told_apart_by_magnitude(tmp_path, raw, unit):
    times = sorted(t.replace(microsecond=0, tzinfo=UTC) for t in raw)
    scale = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    path = tmp_path / "e.csv"
    _write(path, [str((t - epoch) // dt.timedelta(seconds=1) * scale) for t in times])
    assert read_ohlcv(path)["timestamp"].to_list() == times
