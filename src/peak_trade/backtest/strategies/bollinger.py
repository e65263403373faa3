"""``bollinger_bands``: buy below the lower band, sell above the upper band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.strategies import _kernels as k
from peak_trade.backtest.strategies._exprs import (
    BAND_MARGIN,
    above_band,
    below_band,
    col,
    hold_state,
)
from peak_trade.backtest.strategies._inputs import matrix_inputs
from peak_trade.backtest.strategies.base import ParamSpec, Strategy
from peak_trade.core._frames import to_polars

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

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Each distinct period's bands once, then each combination's state.

        ``signal`` is this with one column. The kernel's rolling mean and std are
        sums around the window's first value, slid bar by bar and recomputed every
        ``period`` bars; they agree with polars'
        ``rolling_mean``/``rolling_std(ddof=0)`` to rounding, not bit for bit (polars
        sums in another order), so ``signal_expr`` can differ from ``signal`` only
        where a close lies within rounding of the touch margin. Nulls, NaN and inf
        follow the expression: a window with a null holds the state, a window with
        NaN or inf has NaN bands, which polars orders above every close (enter).

        Example:
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> BollingerBands.signal_matrix(synthetic_ohlcv(30), [{}, {"period": 5}]).shape
            (30, 2)
        """
        data = to_polars(data)
        cls.check_columns(data)
        resolved = [cls.resolve_params(c) for c in combos]
        inputs = matrix_inputs(data, resolved, "period")
        if inputs is None:
            return np.zeros((data.height, len(resolved)), dtype=np.float64, order="F")
        if len(resolved) == 1:
            # One combination (``signal``): the mean is written into the output column
            # and the state over it, bar by bar (bar i's mean is read before bar i's
            # state is written): 8 B/bar of temporaries instead of 16.
            means = inputs.out[:, 0].reshape(1, data.height)
        else:
            means = np.empty((len(inputs.lengths), data.height), dtype=np.float64)
        stds = np.empty((len(inputs.lengths), data.height), dtype=np.float64)
        for r, n in enumerate(inputs.lengths):
            k.rolling_mean_std_nb(inputs.close, inputs.present, n, means[r], stds[r])
        k.band_hold_matrix_nb(
            inputs.close,
            inputs.present,
            means,
            stds,
            inputs.rows,
            np.array([int(c["period"]) for c in resolved], dtype=np.int64),
            np.array([float(c["num_std"]) for c in resolved], dtype=np.float64),
            BAND_MARGIN,
            inputs.out,
        )
        return inputs.out
