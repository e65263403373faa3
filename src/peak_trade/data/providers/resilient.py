"""A provider wrapped in a retry policy around its own circuit breaker."""

from __future__ import annotations

import datetime as dt

import polars as pl

from peak_trade.core.errors import ConfigError
from peak_trade.data.circuit_breaker import CircuitBreaker
from peak_trade.data.providers.base import Provider
from peak_trade.data.retry import RetryPolicy

__all__ = ["ResilientProvider"]


class ResilientProvider:
    """Ride out transient faults of ``provider`` and stop hammering a dead one.

    Each fetch runs ``retry.call(breaker.call, provider.fetch_ohlcv, ...)``: the
    breaker sits inside the retry, so every attempt is one breaker call, and a
    ``CircuitOpenError`` (the breaker rejecting) ends the fetch at once instead
    of being retried. Permanent errors pass through on the first attempt.

    Args:
        provider: Any :class:`Provider`.
        retry: The retry policy; default ``RetryPolicy()``.
        breaker: The circuit breaker. By default each instance builds its own,
            named after the provider and counting as failures exactly what
            ``retry`` retries; pass one to share it on purpose.

    Example:
        >>> from peak_trade.data.providers.synthetic import SyntheticProvider
        >>> ResilientProvider(SyntheticProvider(bars=3)).fetch_ohlcv("BTC/USDT", "1h").height
        3
    """

    def __init__(
        self,
        provider: Provider,
        /,
        *,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        if not isinstance(provider, Provider):
            msg = f"expected a Provider (an object with fetch_ohlcv); got {type(provider).__name__}"
            raise ConfigError(msg, hint="pass e.g. FileProvider(root) or SyntheticProvider()")
        for name, value, kind in (
            ("retry", retry, RetryPolicy),
            ("breaker", breaker, CircuitBreaker),
        ):
            if value is not None and not isinstance(value, kind):
                msg = f"`{name}` must be a {kind.__name__} or None; got {type(value).__name__}"
                raise ConfigError(msg, hint=f"pass e.g. {name}={kind.__name__}(...)")
        self.provider = provider
        self.retry = retry if retry is not None else RetryPolicy()
        if breaker is None:
            breaker = CircuitBreaker(
                f"{type(provider).__name__}@{id(self):x}",
                failure_on=self.retry.should_retry,
            )
        self.breaker = breaker

    def __repr__(self) -> str:
        return f"ResilientProvider({self.provider!r}, breaker={self.breaker.name!r})"

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """The wrapped provider's bars, with retries and the breaker.

        Raises:
            ProviderError: The last error after the retries, or a permanent one.
            CircuitOpenError: The breaker is open.

        Example:
            >>> resilient.fetch_ohlcv("BTC/USDT", "1h")  # doctest: +SKIP
        """
        return self.retry.call(
            self.breaker.call, self.provider.fetch_ohlcv, symbol, timeframe, start, end
        )
