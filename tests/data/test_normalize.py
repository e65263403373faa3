import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.normalize import infer_epoch_unit, normalize_ohlcv, resample_ohlcv
from peak_trade.data.providers.synthetic import synthetic_ohlcv

UTC = dt.UTC
T0 = dt.datetime(2024, 1, 1, tzinfo=UTC)


def raw(timestamps, **overrides) -> pl.DataFrame:
    n = len(timestamps)
    data = {
        "timestamp": timestamps,
        "open": [1.0 + i for i in range(n)],
        "high": [2.0 + i for i in range(n)],
        "low": [0.5 + i for i in range(n)],
        "close": [1.5 + i for i in range(n)],
        "volume": [10.0 * (i + 1) for i in range(n)],
    }
    data.update(overrides)
    return pl.DataFrame(data, strict=False)


def stamps(df: pl.DataFrame) -> list[dt.datetime]:
    return df.get_column("timestamp").to_list()


@pytest.mark.smoke
def test_lowercases_maps_parses_casts_and_sorts():
    df = pl.DataFrame(
        {
            "Time": [1_704_067_260_000, 1_704_067_200_000],
            "O": [1, 2],
            "H": [3, 4],
            "L": [0.5, 1],
            "C": [2, 3],
            "Vol": [5, 6],
            "Extra": ["a", "b"],
        }
    )
    out = normalize_ohlcv(
        df,
        column_map={
            "TIME": "timestamp",
            "o": "open",
            "h": "high",
            "l": "low",
            "c": "close",
            "vol": "volume",
        },
    )
    assert out.schema == pl.Schema(
        {"timestamp": pl.Datetime("us", "UTC")}
        | dict.fromkeys(["open", "high", "low", "close", "volume"], pl.Float64)
    )
    assert out.rows() == [
        (T0, 2.0, 4.0, 1.0, 3.0, 6.0),
        (T0 + dt.timedelta(minutes=1), 1.0, 3.0, 0.5, 2.0, 5.0),
    ]
    validate_ohlcv(out, strict=True, require_tz=True)


@pytest.mark.parametrize(
    ("values", "unit"),
    [
        ([1_704_067_200, 1_704_070_800], "s"),
        ([1_704_067_200_000, 1_704_070_800_000], "ms"),
        ([1_704_067_200_000_000, 1_704_070_800_000_000], "us"),
        ([1_704_067_200_000_000_000, 1_704_070_800_000_000_000], "ns"),
        ([1_704_067_200.0, 1_704_070_800.0], "s"),
    ],
)
def test_epoch_units_are_inferred_or_taken_as_given(values, unit):
    expected = [T0, T0 + dt.timedelta(hours=1)]
    assert stamps(normalize_ohlcv(raw(values))) == expected
    assert stamps(normalize_ohlcv(raw(values), timestamp_unit=unit)) == expected


def test_fractional_epoch_seconds_keep_their_microseconds():
    out = normalize_ohlcv(raw([1_704_067_200.25]))
    assert stamps(out) == [T0 + dt.timedelta(milliseconds=250)]


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (0, "s"),
        (99_999_999_999, "s"),
        (1e11, "ms"),
        (99_999_999_999_999, "ms"),
        (1e14, "us"),
        (1e17, "ns"),
    ],
)
def test_infer_epoch_unit_thresholds(value, unit):
    assert infer_epoch_unit(value) == unit


@settings(max_examples=100, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1975, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    unit=st.sampled_from(["s", "ms", "us"]),
)
def test_epoch_round_trip_against_python_datetime(when, unit):
    when = when.replace(tzinfo=UTC)
    micros = (when - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    scale = {"s": 1_000_000, "ms": 1_000, "us": 1}[unit]
    value = micros // scale
    expected = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=value * scale)
    assert stamps(normalize_ohlcv(raw([value]))) == [expected]


def test_iso_strings_with_offsets_become_utc():
    out = normalize_ohlcv(
        raw(["2024-01-01T02:00:00+02:00", "2024-01-01T01:00:00Z", "2024-01-01 02:00:00+00:00"])
    )
    assert stamps(out) == [T0, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)]


def test_naive_strings_and_datetimes_are_read_in_tz():
    berlin = normalize_ohlcv(raw(["2024-01-01 01:00:00"]), tz="Europe/Berlin")
    assert stamps(berlin) == [T0]
    naive = normalize_ohlcv(raw([dt.datetime(2024, 1, 1, 1)]), tz="Europe/Berlin")
    assert stamps(naive) == [T0]
    aware = raw([T0]).with_columns(pl.col("timestamp").dt.convert_time_zone("Asia/Tokyo"))
    assert stamps(normalize_ohlcv(aware)) == [T0]


def test_unparseable_timestamps_raise_with_row_and_value():
    with pytest.raises(DataContractError, match=r"1 values of `timestamp`.*row 1: 'soon'") as info:
        normalize_ohlcv(raw(["2024-01-01T00:00:00Z", "soon"]))
    assert info.value.context == {
        "column": "timestamp",
        "count": 1,
        "rows": [1],
        "values": ["soon"],
    }


def test_non_numeric_values_raise():
    with pytest.raises(DataContractError, match=r"`close` could not be parsed as numbers"):
        normalize_ohlcv(raw([1, 2], close=["1.5", "x"]))


def test_numeric_strings_are_cast():
    out = normalize_ohlcv(raw([1_704_067_200], close=["1.5"]))
    assert out.get_column("close").to_list() == [1.5]


def test_missing_columns_after_mapping_raise():
    with pytest.raises(DataContractError, match=r"missing columns \['volume'\]"):
        normalize_ohlcv(raw([1]).drop("volume"))


def test_colliding_columns_raise():
    with pytest.raises(DataContractError, match="'Close' and 'close' both become `close`"):
        normalize_ohlcv(
            raw([1])
            .with_columns(pl.col("close").alias("Close"))
            .select("timestamp", "open", "high", "low", "Close", "close", "volume")
        )


def test_explicit_wrong_unit_that_overflows_raises():
    with pytest.raises(DataContractError, match="overflow"):
        normalize_ohlcv(raw([1_704_067_200_000_000_000]), timestamp_unit="s")


DUPES = [1_704_067_200, 1_704_070_800, 1_704_067_200]


def test_duplicates_error_by_default():
    with pytest.raises(DataContractError, match="2 rows share a timestamp"):
        normalize_ohlcv(raw(DUPES))


@pytest.mark.parametrize(("policy", "kept_open"), [("keep_first", 1.0), ("keep_last", 3.0)])
def test_duplicate_policies_keep_the_chosen_row(policy, kept_open):
    out = normalize_ohlcv(raw(DUPES), duplicates=policy)
    assert out.get_column("open").to_list() == [kept_open, 2.0]
    assert stamps(out) == [T0, T0 + dt.timedelta(hours=1)]


def test_lazy_in_lazy_out():
    frame = raw([1_704_070_800, 1_704_067_200])
    out = normalize_ohlcv(frame.lazy())
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().equals(normalize_ohlcv(frame))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"timestamp_unit": "min"}, "timestamp_unit"),
        ({"duplicates": "drop"}, "duplicates"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ],
)
def test_invalid_options_raise_config_error(kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment):
        normalize_ohlcv(raw([1]), **kwargs)


def reference_resample(df: pl.DataFrame, step: dt.timedelta) -> list[tuple]:
    """Plain-Python bucketing: window start = floor(t / step) * step since the epoch."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    buckets: dict[dt.datetime, list[tuple]] = {}
    for row in df.rows():
        start = epoch + ((row[0] - epoch) // step) * step
        buckets.setdefault(start, []).append(row)
    out = []
    for start in sorted(buckets):
        rows = buckets[start]
        out.append(
            (
                start,
                rows[0][1],
                max(r[2] for r in rows),
                min(r[3] for r in rows),
                rows[-1][4],
                sum(r[5] for r in rows),
            )
        )
    return out


@pytest.mark.smoke
@pytest.mark.parametrize("every", ["2h", "1d", "45m"])
def test_resample_matches_plain_python(every):
    hourly = synthetic_ohlcv(60, seed=5, timeframe="15m", start=dt.datetime(2024, 1, 1, 0, 15))
    gappy = hourly.filter(~pl.int_range(pl.len()).is_in([3, 4, 5, 30]))
    got = resample_ohlcv(gappy, every)
    want = reference_resample(gappy, dt.timedelta(seconds=_seconds(every)))
    assert [r[0] for r in got.rows()] == [r[0] for r in want]
    for g, w in zip(got.rows(), want, strict=True):
        assert g[:5] == w[:5]
        assert g[5] == pytest.approx(w[5], rel=1e-12)
    assert isinstance(resample_ohlcv(gappy.lazy(), every), pl.LazyFrame)


def _seconds(every: str) -> int:
    return int(every[:-1]) * {"m": 60, "h": 3600, "d": 86400}[every[-1]]


def test_resample_rejects_bad_input():
    with pytest.raises(ConfigError, match="timeframe"):
        resample_ohlcv(synthetic_ohlcv(3), "1 hour")
    with pytest.raises(DataContractError, match="missing"):
        resample_ohlcv(synthetic_ohlcv(3).drop("volume"), "1h")


@settings(max_examples=100, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    offset_quarters=st.integers(-48, 56),
    sep=st.sampled_from(["T", " "]),
)
def test_iso_offsets_against_python_datetime(when, offset_quarters, sep):
    zone = dt.timezone(dt.timedelta(minutes=15 * offset_quarters))
    local = when.replace(tzinfo=zone)
    text = local.isoformat(sep=sep)
    assert stamps(normalize_ohlcv(raw([text]))) == [local.astimezone(UTC)]
