"""``breakout_donchian``: buy a break above the prior channel, sell a break below it."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import col, hold_state
from peak_trade.backtest.strategies.base import ParamSpec, Strategy

__all__ = ["BreakoutDonchian"]


class BreakoutDonchian(Strategy):
    """Channel over the ``lookback`` bars before the current one (current excluded).

    ``upper[i] = max(high[i-lookback : i])``, ``lower[i] = min(low[i-lookback : i])``.
    Enter long when ``close > upper``; leave when ``close < lower``; otherwise hold.
    The first ``lookback`` bars are flat.

    Example:
        >>> BreakoutDonchian(lookback=55).warmup()
        55
    """

    name: ClassVar[str] = "breakout_donchian"
    description: ClassVar[str] = "long from close > prior high channel until close < prior low"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("lookback", int, 20, low=1, high=1_000_000, description="channel window, bars"),
    )
    required_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")

    def warmup(self) -> int:
        """The first ``lookback`` bars are flat."""
        return int(self.params["lookback"])

    def signal_expr(self) -> pl.Expr:
        """The position state of the channel breakouts."""
        n = int(self.params["lookback"])
        upper = col("high").shift(1).rolling_max(n)
        lower = col("low").shift(1).rolling_min(n)
        close = col("close")
        return hold_state(close > upper, close < lower)
