"""``rsi_reversion``: buy when Wilder's RSI is oversold, sell when it is overbought."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.strategies import _kernels as k
from peak_trade.backtest.strategies._exprs import bar_index, col, hold_state
from peak_trade.backtest.strategies._inputs import matrix_inputs
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, param_error
from peak_trade.core._frames import to_polars

__all__ = ["RsiReversion", "wilder_rsi"]


def _wilder_average(values: pl.Expr, window: int) -> pl.Expr:
    """Wilder's smoothing of ``values`` (null at bar 0), seeded at bar ``window``.

    ``avg[window] = mean(values[1 : window + 1])`` and
    ``avg[i] = avg[i-1] + (values[i] - avg[i-1]) / window`` afterwards; null before.
    """
    i = bar_index()
    seeded = (
        pl.when(i == window)
        .then(values.rolling_mean(window))
        .when(i > window)
        .then(values)
        .otherwise(None)
    )
    return seeded.ewm_mean(alpha=1.0 / window, adjust=False)


def wilder_rsi(close: pl.Expr, window: int) -> pl.Expr:
    """Wilder's RSI in [0, 100] of ``close``; null for the first ``window`` bars.

    ``RSI = 100 - 100 / (1 + avg_gain / avg_loss)``, 50 when both averages are zero.
    Computed as ``50 + 50 * avg(change) / avg(|change|)``: Wilder's smoothing is
    linear, so ``avg(change) = avg_gain - avg_loss`` and
    ``avg(|change|) = avg_gain + avg_loss``; two averages instead of four
    references to two.

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"close": [1.0, 2.0, 3.0, 2.0]})
        >>> df.select(wilder_rsi(pl.col("close"), 2)).to_series().to_list()
        [None, None, 100.0, 50.0]
    """
    delta = close.diff()
    ratio = _wilder_average(delta, window) / _wilder_average(delta.abs(), window)
    return (50.0 + 50.0 * ratio).fill_nan(50.0)


class RsiReversion(Strategy):
    """Enter long when ``RSI < lower``; leave when ``RSI > upper``; otherwise hold.

    RSI is Wilder's, seeded with the simple mean of the first ``window`` changes.
    The first ``window`` bars are flat.

    Example:
        >>> RsiReversion().params
        {'window': 14, 'lower': 30.0, 'upper': 70.0}
    """

    name: ClassVar[str] = "rsi_reversion"
    description: ClassVar[str] = "long from Wilder RSI < lower until RSI > upper"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("window", int, 14, low=1, high=1_000_000, description="RSI window, bars"),
        ParamSpec("lower", float, 30.0, low=0.0, high=100.0, description="enter below this RSI"),
        ParamSpec("upper", float, 70.0, low=0.0, high=100.0, description="leave above this RSI"),
    )

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """``lower < upper``."""
        if params["lower"] >= params["upper"]:
            raise param_error(
                cls.name,
                "lower < upper",
                {"lower": params["lower"], "upper": params["upper"]},
                hint="e.g. lower=30, upper=70",
            )

    def warmup(self) -> int:
        """The first ``window`` bars are flat."""
        return int(self.params["window"])

    def signal_expr(self) -> pl.Expr:
        """The position state of the oversold and overbought thresholds."""
        rsi = wilder_rsi(col("close"), int(self.params["window"]))
        return hold_state(rsi < self.params["lower"], rsi > self.params["upper"])

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Each distinct window's RSI once, then each combination's state.

        Bit for bit the values of ``signal_expr``, nulls and NaN included.

        The kernel repeats the expression's arithmetic: the seed is the rolling mean
        of the first ``window`` changes (summed in order, divided by ``window``), then
        polars' ``ewm_mean(adjust=False)`` update, where a null bar ages the average
        (``ignore_nulls=False``) and yields null (the state holds).

        Example:
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> RsiReversion.signal_matrix(synthetic_ohlcv(30), [{}, {"window": 5}]).shape
            (30, 2)
        """
        data = to_polars(data)
        cls.check_columns(data)
        resolved = [cls.resolve_params(c) for c in combos]
        inputs = matrix_inputs(data, resolved, "window")
        if inputs is None:
            return np.zeros((data.height, len(resolved)), dtype=np.float64, order="F")
        if len(resolved) == 1:
            # One combination (``signal``): the RSI is written into the output column
            # and the state over it, bar by bar (bar i's RSI is read before bar i's
            # state is written): no per-bar temporary.
            rsi = inputs.out[:, 0].reshape(1, data.height)
        else:
            rsi = np.empty((len(inputs.lengths), data.height), dtype=np.float64)
        for r, w in enumerate(inputs.lengths):
            k.wilder_rsi_nb(inputs.close, inputs.present, w, rsi[r])
        k.hold_outside_matrix_nb(
            rsi,
            inputs.rows,
            np.array([float(c["lower"]) for c in resolved], dtype=np.float64),
            np.array([float(c["upper"]) for c in resolved], dtype=np.float64),
            inputs.out,
        )
        return inputs.out
