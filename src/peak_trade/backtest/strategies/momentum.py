"""``momentum``: enter long when the lookback return is high, leave when it turns down."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.strategies import _kernels as k
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

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Every combination in one numba pass; bit for bit the expression's values.

        The kernel does the expression's arithmetic (``close / shifted - 1``, the
        same IEEE operations) and its state rule: a null close keeps the state, and a
        NaN change enters, since polars orders NaN above every number.

        Example:
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> Momentum.signal_matrix(synthetic_ohlcv(9), [{}, {"lookback": 3}]).shape
            (9, 2)
        """
        cls.check_columns(data)
        resolved = [cls.resolve_params(c) for c in combos]
        out = np.zeros((data.height, len(resolved)), dtype=np.float64, order="F")
        if not resolved or data.height == 0:
            return out
        close = data.get_column("close").cast(pl.Float64)
        k.momentum_matrix_nb(
            np.ascontiguousarray(close.to_numpy(), dtype=np.float64),
            np.ascontiguousarray(close.is_not_null().to_numpy(), dtype=np.bool_),
            np.array([int(c["lookback"]) for c in resolved], dtype=np.int64),
            np.array([float(c["entry"]) for c in resolved], dtype=np.float64),
            np.array([float(c["exit"]) for c in resolved], dtype=np.float64),
            out,
        )
        return out
