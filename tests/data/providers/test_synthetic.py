import datetime as dt

import numpy as np
import pytest

from peak_trade.core.errors import ConfigError
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv


@pytest.mark.smoke
def test_same_seed_and_symbol_give_the_same_frame_and_pass_the_strict_contract():
    a = SyntheticProvider(seed=3, bars=500).fetch_ohlcv("BTC/USDT", "1h")
    b = SyntheticProvider(seed=3, bars=500).fetch_ohlcv("BTC/USDT", "1h")
    assert a.equals(b)
    assert isinstance(SyntheticProvider(), Provider)
    validate_ohlcv(a, strict=True, require_tz=True)


@pytest.mark.parametrize(("seed", "symbol"), [(3, "ETH/USDT"), (4, "BTC/USDT")])
def test_another_symbol_or_seed_gives_another_frame(seed, symbol):
    base = SyntheticProvider(seed=3, bars=50).fetch_ohlcv("BTC/USDT", "1h")
    other = SyntheticProvider(seed=seed, bars=50).fetch_ohlcv(symbol, "1h")
    assert not np.array_equal(base["close"].to_numpy(), other["close"].to_numpy())


def test_open_is_the_previous_close_and_bars_are_one_timeframe_apart():
    df = synthetic_ohlcv(100, seed=1, timeframe="15m")
    close = df["close"].to_list()
    assert df["open"].to_list()[1:] == close[:-1]
    steps = df["timestamp"].diff().drop_nulls().unique().to_list()
    assert steps == [dt.timedelta(minutes=15)]


def test_window_cut():
    provider = SyntheticProvider(bars=10, start=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    got = provider.fetch_ohlcv("X", "1h", dt.datetime(2024, 1, 1, 2), dt.datetime(2024, 1, 1, 5))
    assert got["timestamp"].dt.hour().to_list() == [2, 3, 4]


def test_negative_bars_raise():
    with pytest.raises(ConfigError, match="bars"):
        synthetic_ohlcv(-1)
