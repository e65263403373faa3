import datetime as dt

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from peak_trade import (
    DataContractError,
    check_ohlcv,
    filter_ohlcv,
    ohlcv_rules,
    synthetic_ohlcv,
    validate_ohlcv,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def bars(n: int = 10) -> pl.DataFrame:
    return synthetic_ohlcv(n, seed=3)


def with_values(df: pl.DataFrame, column: str, updates: dict[int, float | None]) -> pl.DataFrame:
    values = df.get_column(column).to_list()
    for i, x in updates.items():
        values[i] = x
    return df.with_columns(pl.Series(column, values, dtype=pl.Float64))


def rules_of(report) -> dict[tuple[str, str | None], tuple[int, list[int]]]:
    return {(v.rule, v.column): (v.count, v.rows) for v in report.violations}


@pytest.mark.smoke
def test_valid_frame_passes_every_rule():
    df = bars(100)
    validate_ohlcv(df, strict=True, require_tz=True)
    report = check_ohlcv(df, strict=True, require_tz=True)
    assert report.ok
    assert report.n_rows == 100


@pytest.mark.smoke
def test_high_below_low_is_reported_with_rows_and_timestamps():
    df = with_values(bars(), "high", {2: 1.0, 7: 1.0})
    report = check_ohlcv(df, strict=True)
    got = {(v.rule, v.column): v for v in report.violations}
    v = got[("high_below_low", None)]
    assert (v.count, v.rows) == (2, [2, 7])
    assert v.timestamps == [df["timestamp"][2], df["timestamp"][7]]
    # the same rows also break high >= max(open, close); the rule is independent
    assert got[("high_below_open_close", None)].rows == [2, 7]


def test_validate_raises_with_what_where_and_hint():
    df = with_values(bars(), "high", {4: 1.0})
    with pytest.raises(DataContractError, match=r"1 rows break `high_below_low`; first at row 4"):
        validate_ohlcv(df, strict=True)
    with pytest.raises(DataContractError) as info:
        validate_ohlcv(df, strict=True)
    err = info.value
    assert err.hint == "check the column mapping: `high` and `low` may be swapped"
    assert err.context["violations"][0] == {
        "rule": "high_below_low",
        "column": None,
        "count": 1,
        "rows": [4],
        "timestamps": [df["timestamp"][4]],
    }
    assert "high_below_low" in err.context["rules"]


def test_non_strict_checks_only_the_schema():
    df = with_values(bars(), "high", {4: 1.0})
    assert check_ohlcv(df).ok
    validate_ohlcv(df)


@pytest.mark.parametrize(
    ("mutate", "rule", "column"),
    [
        (lambda d: d.drop("volume"), "missing_columns", "volume"),
        (
            lambda d: d.with_columns(pl.col("timestamp").cast(pl.Int64)),
            "timestamp_dtype",
            "timestamp",
        ),
        (lambda d: d.with_columns(pl.col("close").cast(pl.String)), "non_numeric", "close"),
        (lambda d: d.with_columns(pl.col("open") > 0), "non_numeric", "open"),
        (lambda d: d.with_columns(pl.lit(None).alias("low")), "non_numeric", "low"),
    ],
)
def test_schema_rules_are_always_checked(mutate, rule, column):
    report = check_ohlcv(mutate(bars()), strict=False)
    assert [(v.rule, v.column) for v in report.violations] == [(rule, column)]
    with pytest.raises(DataContractError, match=column):
        validate_ohlcv(mutate(bars()), strict=True)


def test_timezone_rule_only_when_required_and_does_not_stop_row_rules():
    naive = bars().with_columns(pl.col("timestamp").dt.replace_time_zone(None))
    assert check_ohlcv(naive, strict=True).ok
    broken = with_values(naive, "volume", {1: -5.0})
    report = check_ohlcv(broken, strict=True, require_tz=True)
    assert [v.rule for v in report.violations] == ["timezone", "negative_volume"]
    with pytest.raises(DataContractError, match="replace_time_zone"):
        validate_ohlcv(naive, require_tz=True)


def test_any_zone_is_accepted():
    ny = bars().with_columns(pl.col("timestamp").dt.convert_time_zone("America/New_York"))
    validate_ohlcv(ny, strict=True, require_tz=True)


def test_duplicates_and_unsorted_name_the_later_row_and_triplicates_count_twice():
    ts = [T0 + dt.timedelta(hours=h) for h in (0, 1, 1, 1, 0, 5)]
    df = bars(6).with_columns(pl.Series("timestamp", ts))
    got = rules_of(check_ohlcv(df, strict=True))
    assert got == {
        ("duplicate_timestamps", "timestamp"): (2, [2, 3]),
        ("unsorted_timestamps", "timestamp"): (1, [4]),
    }


def test_null_timestamp_pairs_are_skipped_by_adjacent_rules():
    ts = [T0, None, T0, T0 + dt.timedelta(hours=1)]
    df = bars(4).with_columns(pl.Series("timestamp", ts, dtype=pl.Datetime("us", "UTC")))
    got = rules_of(check_ohlcv(df, strict=True))
    assert got == {("null_timestamp", "timestamp"): (1, [1])}


def test_missing_and_non_finite_rows_do_not_count_under_sanity_rules():
    df = with_values(bars(), "high", {1: None, 2: float("nan"), 3: float("-inf")})
    df = with_values(df, "volume", {5: float("inf"), 6: float("nan")})
    got = rules_of(check_ohlcv(df, strict=True))
    assert got == {
        ("missing_values", "high"): (2, [1, 2]),
        ("missing_values", "volume"): (1, [6]),
        ("non_finite", "high"): (1, [3]),
        ("non_finite", "volume"): (1, [5]),
    }
    relaxed = rules_of(check_ohlcv(df, strict=True, allow_partial_nans=True))
    assert ("missing_values", "volume") not in relaxed
    assert ("non_finite", "volume") in relaxed


def test_non_positive_price_is_one_violation_per_column():
    df = with_values(bars(), "open", {0: 0.0})
    df = with_values(df, "close", {3: -1.0})
    got = rules_of(check_ohlcv(df, strict=True))
    assert got[("non_positive_price", "open")] == (1, [0])
    assert got[("non_positive_price", "close")] == (1, [3])


def test_rows_list_is_capped_at_five_but_count_is_exact():
    df = with_values(bars(20), "volume", dict.fromkeys(range(0, 20, 2), -1.0))
    v = check_ohlcv(df, strict=True).violations[0]
    assert (v.rule, v.count, v.rows) == ("negative_volume", 10, [0, 2, 4, 6, 8])


def test_integer_columns_are_numeric():
    df = bars().with_columns(pl.col("volume").cast(pl.Int64))
    assert check_ohlcv(df, strict=True).ok


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_frames_pass(n):
    assert check_ohlcv(bars(n), strict=True, require_tz=True).ok


def test_all_null_numeric_columns_are_missing_values():
    df = bars(3).with_columns(pl.lit(None, dtype=pl.Float64).alias("close"))
    got = rules_of(check_ohlcv(df, strict=True))
    assert got == {("missing_values", "close"): (3, [0, 1, 2])}


def test_lazyframe_arrow_and_pandas_inputs():
    df = with_values(bars(), "low", {3: 1e9})
    expected = rules_of(check_ohlcv(df, strict=True))
    assert rules_of(check_ohlcv(df.lazy(), strict=True)) == expected
    assert rules_of(check_ohlcv(df.to_arrow(), strict=True)) == expected
    pandas = pytest.importorskip("pandas")
    pdf = df.to_pandas()
    assert rules_of(check_ohlcv(pdf, strict=True)) == expected
    indexed = pdf.set_index("timestamp")
    assert isinstance(indexed.index, pandas.DatetimeIndex)
    assert rules_of(check_ohlcv(indexed, strict=True, require_tz=True)) == expected


def test_failing_lazyframe_query_is_a_contract_error():
    lazy = bars().lazy().with_columns(pl.col("no_such_column") * 2)
    with pytest.raises(DataContractError, match="could not turn the LazyFrame"):
        check_ohlcv(lazy, strict=True)


@pytest.mark.parametrize("bad", [None, [1, 2], {"timestamp": []}, np.zeros(3), "frame"])
def test_non_frames_are_type_errors(bad):
    with pytest.raises(TypeError, match="expected a polars DataFrame"):
        check_ohlcv(bad)


def test_pandas_mixed_zones_end_in_a_contract_error():
    pandas = pytest.importorskip("pandas")
    pdf = bars(2).to_pandas()
    pdf["timestamp"] = [
        pandas.Timestamp("2024-01-01", tz="UTC"),
        pandas.Timestamp("2024-01-01", tz="Asia/Tokyo"),
    ]
    with pytest.raises(DataContractError):
        validate_ohlcv(pdf, strict=True)


def test_filter_keeps_good_rows_and_reports():
    df = with_values(bars(10), "high", {2: 1.0})
    df = with_values(df, "volume", {5: None})
    clean, report = filter_ohlcv(df)
    assert clean.height == 8
    assert check_ohlcv(clean, strict=True).ok
    assert {v.rule for v in report.violations} == {
        "high_below_low",
        "high_below_open_close",
        "missing_values",
    }
    unchanged, ok_report = filter_ohlcv(bars(10))
    assert ok_report.ok
    assert unchanged.equals(bars(10))


def test_filter_refuses_frames_whose_schema_is_broken():
    with pytest.raises(DataContractError, match="missing column `close`"):
        filter_ohlcv(bars().drop("close"))


def test_ohlcv_rules_compose_in_user_pipelines():
    rules = ohlcv_rules()
    assert "high_below_low" in rules
    assert "missing_values:volume" in rules
    assert "missing_values:volume" not in ohlcv_rules(allow_partial_nans=True)
    df = with_values(bars(10), "high", {2: 1.0})
    good = df.lazy().filter(pl.all_horizontal(list(rules.values()))).collect()
    assert good.height == 9


def test_custom_timestamp_column_name():
    df = bars().rename({"timestamp": "ts"})
    assert check_ohlcv(df, strict=True, timestamp="ts").ok
    report = check_ohlcv(df, strict=True)
    assert ("missing_columns", "timestamp") in rules_of(report)


def test_arrow_table_with_bad_dtype_is_reported():
    table = pa.table(
        {
            "timestamp": ["2024"],
            "open": [1.0],
            "high": [1.0],
            "low": [1.0],
            "close": [1.0],
            "volume": [1.0],
        }
    )
    assert [v.rule for v in check_ohlcv(table).violations] == ["timestamp_dtype"]
