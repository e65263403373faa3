"""``mean_reversion``: buy a low z-score of close, sell when it comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies._exprs import above_band, below_band, col, hold_state
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, param_error

__all__ = ["MeanReversion"]


class MeanReversion(Strategy):
    """z-score ``z = (close - mean) / std`` over the last ``lookback`` bars (current included).

    ``std`` is the population standard deviation (ddof=0). Enter long when
    ``z < entry_z``; leave when ``z > exit_z``; otherwise hold. Compared in price
    terms, ``close < mean + entry_z * std`` by more than the touch margin
    ``BAND_MARGIN * (|mean| + |entry_z| * std)`` (``_exprs``), likewise for the exit,
    so a window with zero spread (even one rounding leaves at 1 ulp) decides nothing
    and a close within rounding of a threshold only touches it. The first
    ``lookback - 1`` bars are flat.

    Example:
        >>> MeanReversion(lookback=10).warmup()
        9
    """

    name: ClassVar[str] = "mean_reversion"
    description: ClassVar[str] = "long from z-score < entry_z until z-score > exit_z"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("lookback", int, 20, low=2, high=1_000_000, description="z-score window, bars"),
        ParamSpec("entry_z", float, -2.0, low=-50.0, high=50.0, description="enter below this z"),
        ParamSpec("exit_z", float, 0.0, low=-50.0, high=50.0, description="leave above this z"),
    )

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """``entry_z < exit_z``: otherwise one bar could both enter and leave."""
        if params["entry_z"] >= params["exit_z"]:
            raise param_error(
                cls.name,
                "entry_z < exit_z",
                {"entry_z": params["entry_z"], "exit_z": params["exit_z"]},
                hint="set `entry_z` below `exit_z`, e.g. entry_z=-2.0, exit_z=0.0",
            )

    def warmup(self) -> int:
        """The first ``lookback - 1`` bars are flat."""
        return int(self.params["lookback"]) - 1

    def signal_expr(self) -> pl.Expr:
        """The position state of the entry and exit thresholds on the z-score."""
        close = col("close")
        n = int(self.params["lookback"])
        mean, std = close.rolling_mean(n), close.rolling_std(n, ddof=0)
        return hold_state(
            below_band(close, mean, std, float(self.params["entry_z"])),
            above_band(close, mean, std, float(self.params["exit_z"])),
        )
