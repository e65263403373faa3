"""``ma_crossover``: long while the fast simple moving average is above the slow one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.strategies import _kernels as k
from peak_trade.backtest.strategies._exprs import BAND_MARGIN, col, sma, while_true
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, param_error

__all__ = ["MaCrossover"]

_MAX_WINDOW = 1_000_000


class MaCrossover(Strategy):
    """Long (1) while ``SMA(close, fast) > SMA(close, slow)``, else flat (0).

    Both averages include the current bar. The first ``slow - 1`` bars are flat.
    "Above" means by more than ``BAND_MARGIN * |SMA(close, slow)|`` (``_exprs``), so
    a tie within rounding (e.g. a flat stretch) is flat.

    Example:
        >>> MaCrossover(fast=10, slow=30).warmup()
        29
    """

    name: ClassVar[str] = "ma_crossover"
    description: ClassVar[str] = "long while the fast SMA of close is above the slow SMA"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("fast", int, 20, low=1, high=_MAX_WINDOW, description="fast SMA window, bars"),
        ParamSpec("slow", int, 50, low=2, high=_MAX_WINDOW, description="slow SMA window, bars"),
    )

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """``fast < slow``."""
        if params["fast"] >= params["slow"]:
            raise param_error(cls.name, "fast < slow", params, hint="swap them or widen `slow`")

    def warmup(self) -> int:
        """The first ``slow - 1`` bars are flat."""
        return int(self.params["slow"]) - 1

    def signal_expr(self) -> pl.Expr:
        """``1`` where the fast SMA is above the slow SMA by more than the margin, else ``0``."""
        close = col("close")
        fast, slow = sma(close, int(self.params["fast"])), sma(close, int(self.params["slow"]))
        return while_true(fast > slow + BAND_MARGIN * slow.abs())

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Every combination at once: each distinct window's SMA is computed once.

        Bit-for-bit equal to evaluating each combination's ``signal`` alone: the
        kernel repeats the running-sum arithmetic of the polars expression. One
        combination (what ``signal`` asks for) takes a single pass that keeps only
        the last ``slow`` running sums, with the same arithmetic.

        Example:
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> combos = [{"fast": 2, "slow": 5}, {"fast": 3, "slow": 5}]
            >>> MaCrossover.signal_matrix(synthetic_ohlcv(50), combos).shape
            (50, 2)
        """
        cls.check_columns(data)
        resolved = [cls.resolve_params(c) for c in combos]
        out = np.zeros((data.height, len(resolved)), dtype=np.float64, order="F")
        if not resolved or data.height == 0:
            return out
        fast = [int(c["fast"]) for c in resolved]
        slow = [int(c["slow"]) for c in resolved]
        close = data.get_column("close").cast(pl.Float64).to_numpy()
        close = np.ascontiguousarray(close, dtype=np.float64)
        if len(resolved) == 1:  # one combination (``signal``): no per-window SMA rows
            k.crossover_signal_nb(close, fast[0], slow[0], BAND_MARGIN, out[:, 0])
            return out
        windows = np.array(sorted(set(fast) | set(slow)), dtype=np.int64)
        position = {int(w): i for i, w in enumerate(windows)}
        smas = k.running_sma_nb(close, windows)
        k.crossover_matrix_nb(
            smas,
            windows,
            np.array([position[w] for w in fast], dtype=np.int64),
            np.array([position[w] for w in slow], dtype=np.int64),
            BAND_MARGIN,
            out,
        )
        return out
