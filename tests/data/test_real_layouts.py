"""Every file of ``real_layouts/`` loads with no options, and equals a load written
by hand for that one layout with ``pl.read_csv`` or ``pandas.read_csv``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.reader import read_ohlcv

CORPUS = Path(__file__).resolve().parent / "real_layouts"
VALUES = ["open", "high", "low", "close", "volume"]


def _canonical(df: pl.DataFrame, time: pl.Expr, names: list[str]) -> pl.DataFrame:
    values = [pl.col(n).cast(pl.Float64).alias(v) for n, v in zip(names, VALUES, strict=True)]
    out = df.select(time.dt.cast_time_unit("us").alias("timestamp"), *values)
    return out.sort("timestamp")


def _utc_date(col: str, fmt: str) -> pl.Expr:
    return pl.col(col).str.to_datetime(fmt).dt.replace_time_zone("UTC")


def _yahoo(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path)
    return _canonical(df, _utc_date("Date", "%Y-%m-%d"), ["Open", "High", "Low", "Close", "Volume"])


def _spaced(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path, skipinitialspace=True)
    df.columns = [c.strip().lower() for c in df.columns]
    df["timestamp"] = pd.to_datetime(df["timestamp"].str.strip(), utc=True)
    return _canonical(pl.from_pandas(df), pl.col("timestamp"), VALUES)


def _klines(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path)
    time = pl.from_epoch(pl.col("open_time"), time_unit="ms").dt.replace_time_zone("UTC")
    return _canonical(df, time, VALUES)


def _dukascopy(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path)
    return _canonical(
        df,
        _utc_date("Gmt time", "%d.%m.%Y %H:%M:%S%.3f"),
        ["Open", "High", "Low", "Close", "Volume"],
    )


def _semicolon(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path, sep=";")
    df["Datetime"] = pd.to_datetime(df["Datetime"], utc=True)
    return _canonical(
        pl.from_pandas(df), pl.col("Datetime"), ["Open", "High", "Low", "Close", "Volume"]
    )


def _tab(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, separator="\t")
    time = pl.from_epoch(pl.col("time"), time_unit="s").dt.replace_time_zone("UTC")
    return _canonical(df, time, VALUES)


def _pipe(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path, sep="|")
    df["date"] = pd.to_datetime(df["date"], format="%d-%b-%y", utc=True)
    return _canonical(pl.from_pandas(df), pl.col("date"), VALUES)


def _pandas_csv(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path, index_col=0, parse_dates=True)
    df.index = df.index.tz_localize("UTC")
    return _canonical(pl.from_pandas(df.reset_index(names="t")), pl.col("t"), VALUES)


def _bom(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path, encoding="utf-8-sig")
    df["Date"] = pd.to_datetime(df["Date"], utc=True)
    return _canonical(
        pl.from_pandas(df), pl.col("Date"), ["Open", "High", "Low", "Close", "Volume"]
    )


def _epoch(unit: str) -> Callable[[Path], pl.DataFrame]:
    def load(path: Path) -> pl.DataFrame:
        df = pl.read_csv(path, schema_overrides={"timestamp": pl.Int64})
        time = pl.from_epoch(pl.col("timestamp"), time_unit=unit).dt.replace_time_zone("UTC")  # type: ignore[arg-type]
        return _canonical(df, time, VALUES)

    return load


def _newest_first(path: Path) -> pl.DataFrame:
    df = pd.read_csv(path)
    df["Date"] = pd.to_datetime(df["Date"], format="%b %d, %Y", utc=True)
    return _canonical(
        pl.from_pandas(df), pl.col("Date"), ["Open", "High", "Low", "Close", "Volume"]
    )


def _pandas_binary(path: Path) -> pl.DataFrame:
    df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_feather(path)
    if "timestamp" not in df.columns:
        idx = df.index if df.index.tz is not None else df.index.tz_localize("UTC")
        df = df.set_axis(idx).reset_index(names="timestamp")
    df.columns = [c.lower() for c in df.columns]
    return _canonical(pl.from_pandas(df), pl.col("timestamp"), VALUES)


REFERENCE: dict[str, Callable[[Path], pl.DataFrame]] = {
    "stock_daily_yahoo.csv": _yahoo,
    "spaced_upper_iso_z.csv": _spaced,
    "crypto_klines_epoch_ms.csv": _klines,
    "fx_hourly_dukascopy.csv": _dukascopy,
    "semicolon_iso_offset.csv": _semicolon,
    "tab_epoch_s.tsv": _tab,
    "pipe_month_name.txt": _pipe,
    "pandas_index_unnamed.csv": _pandas_csv,
    "bom_crlf_no_final_newline.csv": _bom,
    "epoch_us.csv": _epoch("us"),
    "epoch_ns.csv": _epoch("ns"),
    "newest_first_month_name.csv": _newest_first,
    "crypto_monthly.csv": _yahoo,
    "weekly.csv": _yahoo,
    "pandas_parquet_unnamed_index.parquet": _pandas_binary,
    "pandas_parquet_named_index.parquet": _pandas_binary,
    "pandas_index.feather": _pandas_binary,
    "canonical.arrow": _pandas_binary,
}
#: (modal timeframe, bars per year) each file's calendar should give.
CALENDAR = {
    "stock_daily_yahoo.csv": ("1d", 252.0),
    "crypto_monthly.csv": ("1mo", 12.0),
    "weekly.csv": ("1w", 52.0),
    "fx_hourly_dukascopy.csv": ("1h", 252.0 * 24),
    "bom_crlf_no_final_newline.csv": ("1d", 365.0),
    "crypto_klines_epoch_ms.csv": ("15m", 365.0 * 96),
}


def test_the_corpus_is_complete():
    """Every file in the corpus has a reference load, and every reference a file."""
    files = {p.name for p in CORPUS.iterdir() if p.suffix != ".py"}
    assert files == set(REFERENCE)


@pytest.mark.smoke
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_each_layout_loads_with_no_options_as_the_hand_written_load(name):
    path = CORPUS / name
    got = read_ohlcv(path)
    expected = REFERENCE[name](path)
    assert got.columns == ["timestamp", *VALUES]
    assert got.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert got.height >= 30
    assert got.equals(expected)
    validate_ohlcv(got, strict=True, require_tz=True)


@pytest.mark.parametrize(("name", "timeframe", "ppy"), [(k, *v) for k, v in CALENDAR.items()])
def test_the_calendar_of_each_layout(name, timeframe, ppy):
    from peak_trade.data.reader import infer_calendar

    calendar = infer_calendar(read_ohlcv(CORPUS / name).get_column("timestamp"))
    assert calendar is not None
    assert (calendar.timeframe, calendar.periods_per_year) == (timeframe, ppy)


def test_the_unnamed_pandas_index_column_and_offsets_are_converted():
    """Spot values read off the files by eye, as a check on the references."""
    fx = read_ohlcv(CORPUS / "fx_hourly_dukascopy.csv")
    assert fx["timestamp"][0] == dt.datetime(2024, 1, 3, 10, tzinfo=dt.UTC)
    assert fx["close"][0] == 100.0409
    semi = read_ohlcv(CORPUS / "semicolon_iso_offset.csv")
    assert semi["timestamp"][0] == dt.datetime(2024, 2, 5, 8, tzinfo=dt.UTC)  # 09:00+01:00
    old = read_ohlcv(CORPUS / "pipe_month_name.txt")
    assert old["timestamp"][0] == dt.datetime(2003, 9, 1, tzinfo=dt.UTC)
