"""``bollinger_bands``: buy below the lower band, sell above the upper band."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import col, hold_state
from peak_trade.backtest.strategies.base import ParamSpec, Strategy

__all__ = ["BollingerBands"]


class BollingerBands(Strategy):
    """Bands ``mean ± num_std * std`` of close over the last ``period`` bars (current included).

    ``std`` is the population standard deviation (ddof=0). Enter long when
    ``close < lower band``; leave when ``close > upper band``; otherwise hold. The
    first ``period - 1`` bars are flat.

    Example:
        >>> BollingerBands().warmup()
        19
    """

    name: ClassVar[str] = "bollinger_bands"
    description: ClassVar[str] = "long from close < lower band until close > upper band"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("period", int, 20, low=2, high=1_000_000, description="band window, bars"),
        ParamSpec("num_std", float, 2.0, low=0.0, high=50.0, description="band width in stds"),
    )

    def warmup(self) -> int:
        """The first ``period - 1`` bars are flat."""
        return int(self.params["period"]) - 1

    def signal_expr(self) -> pl.Expr:
        """The position state of the band crossings."""
        close = col("close")
        n = int(self.params["period"])
        mid = close.rolling_mean(n)
        width = self.params["num_std"] * close.rolling_std(n, ddof=0)
        return hold_state(close < mid - width, close > mid + width)
