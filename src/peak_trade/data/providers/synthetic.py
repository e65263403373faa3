"""A deterministic synthetic OHLCV source: a geometric random walk per symbol."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["SyntheticProvider", "synthetic_ohlcv"]

_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _symbol_seed(seed: int, symbol: str) -> int:
    digest = hashlib.sha256(f"{seed}\x00{symbol}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def synthetic_ohlcv(
    bars: int,
    /,
    *,
    seed: int = 0,
    symbol: str = "SYN",
    timeframe: str = "1h",
    start: dt.datetime = _EPOCH,
    price: float = 100.0,
    volatility: float = 0.01,
) -> pl.DataFrame:
    """Generate ``bars`` bars of OHLCV that always pass the strict contract.

    The close follows a geometric random walk with per-bar log-volatility
    ``volatility``; each open is the previous close, the high and low extend past
    the body by a random fraction of that volatility, and the volume is lognormal.
    The same ``seed`` and ``symbol`` always give the same frame.

    Example:
        >>> synthetic_ohlcv(3, seed=1).columns
        ['timestamp', 'open', 'high', 'low', 'close', 'volume']
    """
    _check_args(bars, seed, symbol, start, price, volatility)
    step = parse_timeframe(timeframe)
    try:
        return _generate(bars, seed, symbol, step, start, price, volatility)
    except (MemoryError, OverflowError) as exc:
        msg = f"cannot generate {bars} bars of {timeframe}: {type(exc).__name__}"
        raise ConfigError(msg, hint="ask for fewer bars", context={"bars": bars}) from exc


def _fail(name: str, expected: str, got: object, example: str) -> ConfigError:
    msg = f"`{name}` must be {expected}; got {short_repr(got)}"
    return ConfigError(msg, hint=f"e.g. {name}={example}", context={"option": name})


def _check_args(
    bars: object, seed: object, symbol: object, start: object, price: object, volatility: object
) -> None:
    for name, value, example in (("bars", bars, "500"), ("seed", seed, "0")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(name, "an int >= 0", value, example)
    if not isinstance(symbol, str):
        raise _fail("symbol", "a string", symbol, '"BTC/USDT"')
    if not isinstance(start, dt.datetime):
        raise _fail("start", "a datetime", start, "datetime(2024, 1, 1, tzinfo=UTC)")
    # Upper bounds keep the random walk finite (no overflow to inf).
    for name, value, zero_ok, top in (
        ("price", price, False, 1e12),
        ("volatility", volatility, True, 1.0),
    ):
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        low_ok = number is not None and (number > 0 or (zero_ok and number == 0))
        if number is None or not low_ok or not number <= top:
            expected = f"a number in {'[' if zero_ok else '('}0, {top:g}]"
            raise _fail(name, expected, value, "0.01")


def _generate(
    bars: int,
    seed: int,
    symbol: str,
    step: dt.timedelta,
    start: dt.datetime,
    price: float,
    volatility: float,
) -> pl.DataFrame:
    rng = np.random.default_rng(_symbol_seed(seed, symbol))
    log_ret = rng.normal(0.0, volatility, bars)
    close = price * np.exp(np.cumsum(log_ret))
    open_ = np.empty(bars)
    if bars:
        open_[0] = price
        open_[1:] = close[:-1]
    wick_hi = np.exp(np.abs(rng.normal(0.0, volatility * 0.5, bars)))
    wick_lo = np.exp(-np.abs(rng.normal(0.0, volatility * 0.5, bars)))
    high = np.maximum(open_, close) * wick_hi
    low = np.minimum(open_, close) * wick_lo
    volume = rng.lognormal(10.0, 0.5, bars)
    start_utc = start if start.tzinfo is not None else start.replace(tzinfo=dt.UTC)
    stamps = pl.datetime_range(
        start_utc, start_utc + step * max(bars - 1, 0), step, eager=True, time_unit="us"
    ).head(bars)
    return pl.DataFrame(
        {
            "timestamp": stamps.dt.convert_time_zone("UTC"),
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": volume,
        }
    )


@dataclass(frozen=True, slots=True)
class SyntheticProvider:
    """Deterministic OHLCV for any symbol, with no network and no files.

    Args:
        seed: Base seed; each symbol draws from its own stream derived from it.
        bars: Number of bars in the full series of each symbol.
        start: Time of the first bar (UTC).

    Example:
        >>> SyntheticProvider(seed=7, bars=10).fetch_ohlcv("BTC/USDT", "1h").height
        10
    """

    seed: int = 0
    bars: int = 5_000
    start: dt.datetime = _EPOCH

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """The symbol's series, cut to ``[start, end)`` when they are given."""
        df = synthetic_ohlcv(
            self.bars, seed=self.seed, symbol=symbol, timeframe=timeframe, start=self.start
        )
        if start is not None:
            df = df.filter(pl.col("timestamp") >= _as_utc(start))
        if end is not None:
            df = df.filter(pl.col("timestamp") < _as_utc(end))
        return df


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
