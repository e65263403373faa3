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
        columns={"time": "timestamp", "vol": "volume"},
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


def test_csv_without_final_newline_is_read_whole(tmp_path):
    path = write(BARS, tmp_path / "BTC-USDT_1h.csv")
    path.write_bytes(path.read_bytes()[:-1])
    assert FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h").equals(BARS)


def test_csv_with_a_torn_last_line_names_the_line(tmp_path):
    path = write(BARS, tmp_path / "BTC-USDT_1h.csv")
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataContractError, match=r"line 25: \d fields, expected 6; the last line"):
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_csv_cut_anywhere_never_returns_garbage(tmp_path, data):
    """A cut file fails with a DataContractError or reads a prefix of the rows; only the
    last field of a cut last line (volume) can be short, since its field count is whole."""
    full = write(BARS, tmp_path / "src" / "BTC-USDT_1h.csv").read_bytes()
    cut = data.draw(st.integers(0, len(full) - 1))
    (tmp_path / "BTC-USDT_1h.csv").write_bytes(full[:cut])
    outcome = fetch_or_error(FileProvider(tmp_path))
    if isinstance(outcome, pl.DataFrame):
        n = outcome.height
        assert outcome.head(n - 1).equals(BARS.head(n - 1))
        assert outcome.drop("volume").equals(BARS.head(n).drop("volume"))
        if full[:cut].endswith(b"\n"):
            assert outcome.equals(BARS.head(n))
    else:
        assert isinstance(outcome, DataContractError)


def fetch_or_error(provider: FileProvider) -> pl.DataFrame | Exception:
    try:
        return provider.fetch_ohlcv("BTC/USDT", "1h")
    except (ProviderError, DataContractError) as exc:
        return exc


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_truncated_binary_files_are_contract_errors(tmp_path, ext):
    path = write(BARS, tmp_path / f"BTC-USDT_1h.{ext}")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataContractError, match="not a readable") as info:
        FileProvider(tmp_path).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.context["path"] == str(path)


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
    with pytest.raises(DataContractError, match="record 4, column timestamp: breaks `duplicate"):
        FileProvider(tmp_path).fetch_ohlcv("X", "1h")
    got = FileProvider(tmp_path, duplicates="keep_last").fetch_ohlcv("X", "1h")
    assert got.equals(BARS.head(3))


@pytest.mark.parametrize("pattern", ["{timeframe}.{ext}", "{symbol}_{timeframe}_{x}.{ext}", "{0}"])
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


def test_pattern_with_only_the_symbol_and_no_timeframe(tmp_path):
    write(BARS, tmp_path / "X.parquet")
    got = FileProvider(tmp_path, pattern="{symbol}.parquet").fetch_ohlcv("X")
    assert got.equals(BARS)


def test_listed_files_are_read_by_symbol(tmp_path):
    write(BARS, tmp_path / "sub" / "bars.csv")
    provider = FileProvider(tmp_path, files={"X": "sub/bars.csv"})
    assert provider.fetch_ohlcv("X", "1h").equals(BARS)
    with pytest.raises(ProviderError, match="no file listed for 'Y'"):
        provider.fetch_ohlcv("Y")


def test_a_declared_timeframe_that_disagrees_with_the_bars_is_a_contract_error(tmp_path):
    write(BARS, tmp_path / "X.csv")
    provider = FileProvider(tmp_path, pattern="{symbol}.csv")
    with pytest.raises(DataContractError, match=r"declared timeframe '1d' .* mostly '1h'"):
        provider.fetch_ohlcv("X", "1d")
