"""Wilder's RSI by hand, the numba RSI against the expression, and the thresholds."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.strategies import RsiReversion
from peak_trade.backtest.strategies._inputs import close_arrays
from peak_trade.backtest.strategies._kernels import wilder_rsi_nb
from peak_trade.backtest.strategies.base import _evaluate
from peak_trade.backtest.strategies.rsi import wilder_rsi
from tests.backtest.strategies.closes import closes
from tests.backtest.strategies.reference import rsi as reference_rsi


def _rsi(close: list[float], window: int) -> list[float | None]:
    df = pl.DataFrame({"close": close})
    return df.select(wilder_rsi(pl.col("close"), window)).to_series().to_list()


@pytest.mark.smoke
def test_wilder_rsi_by_hand() -> None:
    """Window 2 over 10, 12, 11, 14, 14, 13.

    Changes +2, -1, +3, 0, -1. Seed at bar 2: gain (2+0)/2 = 1, loss (0+1)/2 = 0.5,
    RSI 66.67. Bar 3: gain (1+3)/2 = 2, loss (0.5+0)/2 = 0.25, RSI 88.89. Bar 4:
    gain 1, loss 0.125, RSI 88.89. Bar 5: gain 0.5, loss 0.5625, RSI 47.06.
    """
    got = _rsi([10.0, 12.0, 11.0, 14.0, 14.0, 13.0], 2)
    want = [None, None, 200 / 3, 800 / 9, 800 / 9, 800 / 17]
    assert got[:2] == [None, None]
    assert got[2:] == pytest.approx(want[2:], rel=1e-12)
    assert reference_rsi([10.0, 12.0, 11.0, 14.0, 14.0, 13.0], 2)[2:] == pytest.approx(
        want[2:], rel=1e-12
    )


def test_flat_prices_give_rsi_50_and_no_position() -> None:
    assert _rsi([3.0] * 5, 2) == [None, None, 50.0, 50.0, 50.0]
    df = pl.DataFrame({"close": [3.0] * 5})
    assert RsiReversion(window=2).signal(df).tolist() == [0.0] * 5


def test_only_gains_give_rsi_100() -> None:
    assert _rsi([1.0, 2.0, 3.0, 4.0], 2) == [None, None, 100.0, 100.0]


def test_enters_oversold_and_holds_until_overbought() -> None:
    # Window 1: RSI is 0 after a fall, 100 after a rise, 50 when unchanged.
    close = [5.0, 4.0, 4.0, 3.0, 6.0, 6.0, 5.0]
    df = pl.DataFrame({"close": close})
    got = RsiReversion(window=1, lower=30, upper=70).signal(df)
    assert got.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0]


@given(close=closes(), window=st.integers(1, 20), lower=st.floats(0.0, 99.0))
@settings(max_examples=300, deadline=None)
def test_kernel_rsi_is_the_polars_expression_bit_for_bit(
    close: list[float | None], window: int, lower: float
) -> None:
    """The numba RSI equals `wilder_rsi` (null read as NaN), and so do the signals."""
    df = pl.DataFrame({"close": close}, schema={"close": pl.Float64})
    want = df.select(wilder_rsi(pl.col("close"), window)).to_series().fill_null(np.nan)
    values, present = close_arrays(df)
    got = np.empty(df.height)
    wilder_rsi_nb(values, present, window, got)
    assert got.tobytes() == want.to_numpy().tobytes()
    strategy = RsiReversion(window=window, lower=lower, upper=min(lower + 10.0, 100.0))
    (expected,) = _evaluate(RsiReversion, df, [strategy.signal_expr()])
    assert strategy.signal(df).tobytes() == expected.tobytes()
