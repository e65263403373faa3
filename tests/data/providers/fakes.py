"""Test doubles: a fake clock, a flaky provider and a ccxt-shaped exchange."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl

from peak_trade.core.errors import ProviderError
from peak_trade.data.providers.synthetic import SyntheticProvider


@dataclass
class FakeClock:
    """A monotonic clock that only moves when told to; `sleep` moves it."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def transient(n: int = 0) -> ProviderError:
    return ProviderError(f"timeout #{n}", transient=True)


def permanent(n: int = 0) -> ProviderError:
    return ProviderError(f"bad symbol #{n}", transient=False)


class Script:
    """Callable that raises the scripted errors in order, then returns `value`."""

    def __init__(self, outcomes: Iterable[BaseException | None], value: object = "ok") -> None:
        self._outcomes: Iterator[BaseException | None] = iter(outcomes)
        self.value = value
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        outcome = next(self._outcomes, None)
        if outcome is not None:
            raise outcome
        return self.value


class FlakyProvider:
    """Wraps SyntheticProvider; fails by script or at a seeded random rate."""

    def __init__(
        self,
        *,
        script: Iterable[BaseException | None] = (),
        failure_rate: float = 0.0,
        seed: int = 0,
        bars: int = 50,
    ) -> None:
        self.inner = SyntheticProvider(seed=11, bars=bars)
        self.script = iter(script)
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.calls = 0
        self.failures = 0

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        self.calls += 1
        scripted = next(self.script, None)
        if scripted is not None:
            self.failures += 1
            raise scripted
        if self.failure_rate and self.rng.random() < self.failure_rate:
            self.failures += 1
            raise ProviderError(f"random fault on call {self.calls}", transient=True)
        return self.inner.fetch_ohlcv(symbol, timeframe, start, end)


# ccxt-shaped exceptions: the class names and hierarchy of ccxt's own.
class BaseError(Exception):
    pass


class ExchangeError(BaseError):
    pass


class AuthenticationError(ExchangeError):
    pass


class BadRequest(ExchangeError):  # noqa: N818 (ccxt's name)
    pass


class BadSymbol(BadRequest):
    pass


class NotSupported(ExchangeError):  # noqa: N818 (ccxt's name)
    pass


class OperationFailed(BaseError):  # noqa: N818 (ccxt's name)
    pass


class NetworkError(OperationFailed):
    pass


class DDoSProtection(NetworkError):  # noqa: N818 (ccxt's name)
    pass


class RateLimitExceeded(DDoSProtection):
    pass


class ExchangeNotAvailable(NetworkError):  # noqa: N818 (ccxt's name)
    pass


class OnMaintenance(ExchangeNotAvailable):
    pass


class RequestTimeout(NetworkError):  # noqa: N818 (ccxt's name)
    pass


class FakeExchange:
    """ccxt's `fetch_ohlcv(symbol, timeframe, since, limit)` over a fixed bar list.

    `mode="stuck"` ignores `since` and always returns the first page;
    `mode="creep"` advances only one bar per page and never runs out.
    """

    id = "fakex"

    def __init__(
        self,
        rows: list[list[float]],
        *,
        mode: str = "normal",
        errors: Iterable[BaseException | None] = (),
        step_ms: int = 3_600_000,
    ) -> None:
        self.rows = rows
        self.mode = mode
        self.errors = iter(errors)
        self.step_ms = step_ms
        self.calls: list[tuple[int | None, int | None]] = []

    def fetch_ohlcv(
        self, symbol: str, timeframe: str = "1m", since: int | None = None, limit: int | None = None
    ) -> list[list[float]]:
        self.calls.append((since, limit))
        error = next(self.errors, None)
        if error is not None:
            raise error
        n = limit or 500
        if self.mode == "stuck":
            return [list(r) for r in self.rows[:n]]
        if self.mode == "creep":
            first = 0 if since is None else since
            return [[first + i * self.step_ms, 1.0, 1.0, 1.0, 1.0, 1.0] for i in range(n)]
        chosen = self.rows if since is None else [r for r in self.rows if r[0] >= since]
        return [list(r) for r in chosen[:n]]


def ccxt_rows(df: pl.DataFrame) -> list[list[float]]:
    """A canonical frame as ccxt's rows: [ms, open, high, low, close, volume]."""
    ms = df.get_column("timestamp").dt.epoch("ms").to_list()
    values = df.select("open", "high", "low", "close", "volume").rows()
    return [[t, *v] for t, v in zip(ms, values, strict=True)]
