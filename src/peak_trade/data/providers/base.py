"""The `Provider` protocol: anything that returns canonical OHLCV for a symbol."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import polars as pl

__all__ = ["Provider"]


@runtime_checkable
class Provider(Protocol):
    """A source of OHLCV bars.

    ``fetch_ohlcv`` returns the canonical frame (``timestamp`` in UTC, then
    ``open, high, low, close, volume`` as ``Float64``, sorted, no duplicates)
    for the bars with ``start <= timestamp < end``; ``None`` leaves that side
    open. Failures are ``ProviderError`` with ``transient`` set truthfully, or
    ``DataContractError`` for data that breaks the contract.

    ``isinstance(obj, Provider)`` checks only that the method exists.

    Example:
        >>> from peak_trade.data.providers.synthetic import SyntheticProvider
        >>> isinstance(SyntheticProvider(), Provider)
        True
    """

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """Bars of ``symbol`` at ``timeframe`` in ``[start, end)``."""
        ...
