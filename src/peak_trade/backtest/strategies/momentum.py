"""``momentum``: enter long when the lookback return is high, leave when it turns down."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import col, hold_state
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, param_error

__all__ = ["Momentum"]


class Momentum(Strategy):
    """Rate of change ``r = close / close[lookback bars ago] - 1``.

    Enter long when ``r > entry``; leave when ``r < exit``; otherwise hold. The
    first ``lookback`` bars are flat.

    Example:
        >>> Momentum(lookback=5).warmup()
        5
    """

    name: ClassVar[str] = "momentum"
    description: ClassVar[str] = "long from lookback return > entry until it falls below exit"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("lookback", int, 20, low=1, high=1_000_000, description="return horizon, bars"),
        ParamSpec(
            "entry", float, 0.02, low=-1.0, high=100.0, description="enter above this return"
        ),
        ParamSpec(
            "exit", float, -0.01, low=-1.0, high=100.0, description="leave below this return"
        ),
    )

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """``exit < entry``: otherwise one bar could both enter and leave."""
        if params["exit"] >= params["entry"]:
            raise param_error(
                cls.name,
                "exit < entry",
                {"entry": params["entry"], "exit": params["exit"]},
                hint="set `exit` below `entry`, e.g. entry=0.02, exit=-0.01",
            )

    def warmup(self) -> int:
        """The first ``lookback`` bars are flat."""
        return int(self.params["lookback"])

    def signal_expr(self) -> pl.Expr:
        """The position state of the entry and exit thresholds on the return."""
        close = col("close")
        change = close / close.shift(int(self.params["lookback"])) - 1.0
        return hold_state(change > self.params["entry"], change < self.params["exit"])
