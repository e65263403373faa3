"""Momentum's numba signal equals its polars expression bit for bit, gaps included."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.strategies.base import _evaluate
from peak_trade.backtest.strategies.momentum import Momentum

closes = st.lists(
    st.one_of(st.floats(1.0, 2.0), st.just(float("nan")), st.none()), min_size=0, max_size=60
)


@given(close=closes, lookback=st.integers(1, 8), entry=st.floats(-0.2, 0.2))
@settings(max_examples=200, deadline=None)
def test_kernel_equals_the_polars_expression(close, lookback, entry):
    df = pl.DataFrame({"close": close}, schema={"close": pl.Float64})
    strategy = Momentum(lookback=lookback, entry=entry, exit=entry - 0.05)
    (expected,) = _evaluate(Momentum, df, [strategy.signal_expr()])
    got = strategy.signal(df)
    assert got.tobytes() == expected.tobytes()
