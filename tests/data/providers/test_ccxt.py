import datetime as dt
import subprocess
import sys

import polars as pl
import pytest

from peak_trade.core.errors import ConfigError, ProviderError
from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.ccxt import CcxtProvider, map_ccxt_error
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.data.providers import fakes
from tests.data.providers.fakes import FakeExchange, ccxt_rows

BARS = synthetic_ohlcv(25, seed=4, symbol="ETH/USDT")
ROWS = ccxt_rows(BARS)


def provider(exchange: FakeExchange, **kwargs) -> CcxtProvider:
    return CcxtProvider.from_exchange(exchange, **kwargs)


@pytest.mark.smoke
def test_pages_through_since_and_limit_until_the_data_ends():
    exchange = FakeExchange(ROWS)
    p = provider(exchange, page_limit=10)
    assert isinstance(p, Provider)
    got = p.fetch_ohlcv("ETH/USDT", "1h", start=BARS["timestamp"][0])
    assert got.equals(BARS)
    step = 3_600_000
    first = ROWS[0][0]
    assert exchange.calls == [
        (first, 10),
        (first + 10 * step, 10),
        (first + 20 * step, 10),
        (first + 25 * step, 10),  # the empty page that ends it
    ]


def test_stops_at_end_without_asking_for_more():
    exchange = FakeExchange(ROWS)
    end = BARS["timestamp"][10]
    got = provider(exchange, page_limit=5).fetch_ohlcv("ETH/USDT", "1h", BARS["timestamp"][0], end)
    assert got.equals(BARS.head(10))
    assert len(exchange.calls) == 2


def test_a_stuck_cursor_terminates_with_the_data_seen():
    exchange = FakeExchange(ROWS, mode="stuck")
    got = provider(exchange, page_limit=7).fetch_ohlcv("ETH/USDT", "1h", BARS["timestamp"][0])
    assert got.equals(BARS.head(7))
    assert len(exchange.calls) == 2


def test_a_never_ending_cursor_is_cut_by_max_pages():
    exchange = FakeExchange(ROWS, mode="creep")
    with pytest.raises(ProviderError, match="did not finish in 4 pages") as info:
        provider(exchange, page_limit=3, max_pages=4).fetch_ohlcv("X", "1h", BARS["timestamp"][0])
    assert info.value.transient is False
    assert len(exchange.calls) == 4


def test_without_start_the_first_page_comes_from_the_exchange():
    got = provider(FakeExchange(ROWS), page_limit=100).fetch_ohlcv("ETH/USDT", "1h")
    assert got.equals(BARS)


def test_empty_result_is_an_empty_canonical_frame():
    got = provider(FakeExchange([])).fetch_ohlcv("ETH/USDT", "1h")
    assert got.height == 0
    assert got.schema["timestamp"] == pl.Datetime("us", "UTC")


TRANSIENT = [
    "NetworkError",
    "RequestTimeout",
    "RateLimitExceeded",
    "DDoSProtection",
    "ExchangeNotAvailable",
    "OnMaintenance",
]
PERMANENT = [
    "AuthenticationError",
    "BadSymbol",
    "BadRequest",
    "NotSupported",
    "ExchangeError",
    "BaseError",
]


@pytest.mark.parametrize("name", TRANSIENT + PERMANENT)
def test_ccxt_errors_map_by_class_hierarchy(name):
    cls = getattr(fakes, name)
    mapped = map_ccxt_error(cls("boom"))
    assert mapped is not None
    assert mapped.transient is (name in TRANSIENT)
    assert mapped.context["ccxt_error"] == name


def test_a_subclass_unknown_to_the_table_maps_through_its_parent():
    class BinanceThrottled(fakes.RateLimitExceeded):
        pass

    mapped = map_ccxt_error(BinanceThrottled("slow down"))
    assert (mapped.transient, mapped.context["matched"]) == (True, "RateLimitExceeded")


def test_errors_from_the_exchange_become_provider_errors_with_the_cause():
    original = fakes.BadSymbol("no such market")
    exchange = FakeExchange(ROWS, errors=[original])
    with pytest.raises(ProviderError, match="BadSymbol \\(permanent\\): no such market") as info:
        provider(exchange).fetch_ohlcv("NOPE/USDT", "1h")
    assert info.value.transient is False
    assert info.value.__cause__ is original
    assert info.value.context["symbol"] == "NOPE/USDT"


def test_non_ccxt_errors_pass_unchanged():
    exchange = FakeExchange(ROWS, errors=[KeyError("bug")])
    with pytest.raises(KeyError, match="bug"):
        provider(exchange).fetch_ohlcv("ETH/USDT", "1h")
    assert map_ccxt_error(KeyError("bug")) is None


def test_short_rows_are_rejected():
    with pytest.raises(ProviderError, match="with 3 fields"):
        provider(FakeExchange([[1, 2.0, 3.0]])).fetch_ohlcv("ETH/USDT", "1h")


def test_missing_ccxt_raises_config_error_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "ccxt", None)  # makes `import ccxt` fail
    with pytest.raises(ConfigError, match="needs the ccxt package") as info:
        CcxtProvider("binance")
    assert "peak-trade[ccxt]" in info.value.hint


def test_importing_the_providers_does_not_import_ccxt():
    code = (
        "import sys, peak_trade, peak_trade.data.providers.ccxt; "
        "sys.exit(1 if 'ccxt' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_unknown_exchange_id_raises_config_error(monkeypatch):
    module = type(sys)("ccxt")
    module.kraken = lambda options: FakeExchange([])
    monkeypatch.setitem(sys.modules, "ccxt", module)
    with pytest.raises(ConfigError, match="no exchange 'nowhere'"):
        CcxtProvider("nowhere")
    built = CcxtProvider("kraken", page_limit=5, enableRateLimit=True)
    assert (built.exchange_id, built.page_limit) == ("kraken", 5)


@pytest.mark.slow
def test_real_ccxt_classes_map_the_same_way(monkeypatch):
    ccxt = pytest.importorskip("ccxt")
    for name in TRANSIENT + PERMANENT:
        assert map_ccxt_error(getattr(ccxt, name)("x")).transient is (name in TRANSIENT), name
    built = CcxtProvider("binance", enableRateLimit=True)  # no network until a fetch

    def fetch_ohlcv(symbol, timeframe="1m", since=None, limit=None):
        raise ccxt.RateLimitExceeded("429")

    monkeypatch.setattr(built.exchange, "fetch_ohlcv", fetch_ohlcv)
    with pytest.raises(ProviderError, match="RateLimitExceeded \\(transient\\)") as info:
        built.fetch_ohlcv("BTC/USDT", "1h")
    assert info.value.transient is True


def test_naive_bounds_are_utc():
    start = dt.datetime(2020, 1, 1, 3)
    got = provider(FakeExchange(ROWS)).fetch_ohlcv("ETH/USDT", "1h", start)
    assert got.equals(BARS.slice(3))
