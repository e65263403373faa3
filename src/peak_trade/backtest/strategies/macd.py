"""``macd``: long while the MACD line is above its signal line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import BAND_MARGIN, after_warmup, col, while_true
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, param_error

__all__ = ["Macd"]


class Macd(Strategy):
    """``line = EMA(close, fast) - EMA(close, slow)``, ``sig = EMA(line, signal)``.

    Each EMA has ``alpha = 2 / (span + 1)`` and starts at its first input
    (``ema[0] = x[0]``, ``ema[i] = ema[i-1] + alpha * (x[i] - ema[i-1])``). Long (1)
    while ``line > sig`` by more than ``BAND_MARGIN * |EMA(close, slow)|`` (``_exprs``;
    a tie within rounding, e.g. on a flat stretch, is flat), else flat. The first
    ``slow + signal - 2`` bars are flat.

    Example:
        >>> Macd().warmup()
        33
    """

    name: ClassVar[str] = "macd"
    description: ClassVar[str] = "long while the MACD line is above its signal line"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("fast", int, 12, low=1, high=1_000_000, description="fast EMA span, bars"),
        ParamSpec("slow", int, 26, low=2, high=1_000_000, description="slow EMA span, bars"),
        ParamSpec("signal", int, 9, low=1, high=1_000_000, description="signal EMA span, bars"),
    )

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """``fast < slow``."""
        if params["fast"] >= params["slow"]:
            raise param_error(
                cls.name,
                "fast < slow",
                {"fast": params["fast"], "slow": params["slow"]},
                hint="swap them or widen `slow`",
            )

    def warmup(self) -> int:
        """The first ``slow + signal - 2`` bars are flat."""
        return int(self.params["slow"]) + int(self.params["signal"]) - 2

    def signal_expr(self) -> pl.Expr:
        """``1`` where the MACD line is strictly above its signal line, after warm-up."""
        close = col("close")
        slow = close.ewm_mean(span=self.params["slow"], adjust=False)
        line = close.ewm_mean(span=self.params["fast"], adjust=False) - slow
        sig = line.ewm_mean(span=self.params["signal"], adjust=False)
        return while_true(after_warmup(line > sig + BAND_MARGIN * slow.abs(), self.warmup()))
