import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import ConfigError, DataContractError, ProviderError
from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.file import FileProvider, path_safe_symbol
from peak_trade.data.providers.synthetic import synthetic_ohlcv

BARS = synthetic_ohlcv(24, seed=2, symbol="BTC/USDT")


def write(df: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    {"csv": df.write_csv, "parquet": df.write_parquet, "arrow": df.write_ipc}[path.suffix[1:]](path)
    return path


@pytest.mark.smoke
@pytest.mark.parametrize("ext", ["csv", "parquet", "arrow"])
def test_reads_each_format_back_exactly(tmp_path, ext):
    write(BARS, tmp_path / f"BTC-USDT_1h.{ext}")
    provider = FileProvider(tmp_path)
    assert isinstance(provider, Provider)
    assert provider.fetch_ohlcv("BTC/USDT", "1h").equals(BARS)


def test_window_is_start_inclusive_end_exclusive(tmp_path):
    write(BARS, tmp_path / "BTC-USDT_1h.parquet")
    start = BARS["timestamp"][3]
    end = BARS["timestamp"][7]
    got = FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h", start, end)
    assert got.equals(BARS.slice(3, 4))


def test_pattern_with_directories_and_column_map(tmp_path):
    renamed = BARS.with_columns(pl.col("timestamp").dt.epoch("ms")).rename(
        {"timestamp": "Time", "volume": "Vol"}
    )
    write(renamed, tmp_path / "BTC-USDT" / "1h.csv")
    provider = FileProvider(
        tmp_path,
        pattern="{symbol}/{timeframe}.{ext}",
        column_map={"time": "timestamp", "vol": "volume"},
    )
    assert provider.fetch_ohlcv("BTC/USDT", "1h").equals(BARS)


@pytest.mark.parametrize(
    ("symbol", "safe"),
    [("BTC/USDT", "BTC-USDT"), ("ETH/USDT:USDT", "ETH-USDT-USDT"), ("A B", "A-B")],
)
def test_path_safe_symbol(symbol, safe):
    assert path_safe_symbol(symbol) == safe


@pytest.mark.parametrize("symbol", ["", ".", ".."])
def test_unusable_symbols_are_permanent_errors(symbol):
    with pytest.raises(ProviderError, match="usable file name") as info:
        path_safe_symbol(symbol)
    assert info.value.transient is False


def test_missing_file_is_a_permanent_error_listing_the_tries(tmp_path):
    with pytest.raises(ProviderError, match="no file for 'BTC/USDT'") as info:
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.transient is False
    assert str(tmp_path / "BTC-USDT_1h.csv") in info.value.context["tried"]


def test_two_formats_for_one_series_are_ambiguous(tmp_path):
    write(BARS, tmp_path / "BTC-USDT_1h.csv")
    write(BARS, tmp_path / "BTC-USDT_1h.parquet")
    with pytest.raises(ProviderError, match="2 files match"):
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")


def test_csv_without_final_newline_is_half_written(tmp_path):
    path = write(BARS, tmp_path / "BTC-USDT_1h.csv")
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ProviderError, match="half-written") as info:
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.transient is False


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_csv_cut_anywhere_never_returns_garbage(tmp_path, data):
    """A cut file either fails clearly or, cut at a line end, gives an exact prefix."""
    full = write(BARS, tmp_path / "src" / "BTC-USDT_1h.csv").read_bytes()
    cut = data.draw(st.integers(0, len(full) - 1))
    (tmp_path / "BTC-USDT_1h.csv").write_bytes(full[:cut])
    outcome = fetch_or_error(FileProvider(tmp_path))
    if isinstance(outcome, pl.DataFrame):
        assert outcome.equals(BARS.head(outcome.height))
        assert full[:cut].endswith(b"\n")
    elif isinstance(outcome, ProviderError):
        assert outcome.transient is False
    else:
        assert isinstance(outcome, DataContractError)


def fetch_or_error(provider: FileProvider) -> pl.DataFrame | Exception:
    try:
        return provider.fetch_ohlcv("BTC/USDT", "1h")
    except (ProviderError, DataContractError) as exc:
        return exc


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_truncated_binary_files_are_permanent_errors(tmp_path, ext):
    path = write(BARS, tmp_path / f"BTC-USDT_1h.{ext}")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ProviderError, match="could not read") as info:
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.transient is False


def test_contract_failures_name_the_file(tmp_path):
    broken = BARS.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(0.1).otherwise(pl.col("high")).alias("high")
    )
    path = write(broken, tmp_path / "BTC-USDT_1h.parquet")
    with pytest.raises(DataContractError, match="high_below_low") as info:
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.context["path"] == str(path)


def test_duplicates_follow_the_policy(tmp_path):
    doubled = pl.concat([BARS.head(3), BARS.slice(2, 1)])
    write(doubled, tmp_path / "X_1h.parquet")
    with pytest.raises(DataContractError, match="share a timestamp"):
        FileProvider(tmp_path).fetch_ohlcv("X", "1h")
    got = FileProvider(tmp_path, duplicates="keep_last").fetch_ohlcv("X", "1h")
    assert got.equals(BARS.head(3))


@pytest.mark.parametrize("pattern", ["{symbol}.{ext}", "{symbol}_{timeframe}_{x}.{ext}", "{0}"])
def test_bad_patterns_raise_config_error(pattern):
    with pytest.raises(ConfigError, match="pattern"):
        FileProvider(".", pattern=pattern)


def test_bad_timeframe_raises_config_error(tmp_path):
    with pytest.raises(ConfigError, match="timeframe"):
        FileProvider(tmp_path).fetch_ohlcv("X", "hourly")


def test_naive_bounds_are_read_as_utc(tmp_path):
    write(BARS, tmp_path / "X_1h.parquet")
    start = dt.datetime(2020, 1, 1, 5)
    got = FileProvider(tmp_path).fetch_ohlcv("X", "1h", start)
    assert got.height == 19
