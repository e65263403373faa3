"""``bollinger_bands``: buy below the lower band, sell above the upper band."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import above_band, below_band, col, hold_state
from peak_trade.backtest.strategies.base import ParamSpec, Strategy

__all__ = ["BollingerBands"]


class BollingerBands(Strategy):
    """Bands ``mean ± num_std * std`` of close over the last ``period`` bars (current included).

    ``std`` is the population standard deviation (ddof=0). Enter long when
    ``close < lower band``; leave when ``close > upper band``; otherwise hold. The
    first ``period - 1`` bars are flat. "Below" and "above" mean by more than the
    touch margin ``BAND_MARGIN * (|mean| + num_std * std)`` (``_exprs``), so a close
    within rounding of a band (a flat window; the window's extreme on the 1-std band
    of a 2-bar window) only touches it and changes nothing.

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
        mean, std = close.rolling_mean(n), close.rolling_std(n, ddof=0)
        k = float(self.params["num_std"])
        return hold_state(below_band(close, mean, std, -k), above_band(close, mean, std, k))
