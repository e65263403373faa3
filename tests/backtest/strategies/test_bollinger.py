"""``bollinger_bands`` at its band edges, and its numba bands against references."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.strategies._inputs import close_arrays
from peak_trade.backtest.strategies._kernels import rolling_mean_std_nb
from peak_trade.backtest.strategies.base import _evaluate
from peak_trade.backtest.strategies.bollinger import BollingerBands
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.backtest.strategies.closes import closes
from tests.backtest.strategies.reference import bollinger_bands as reference


def _frame(close: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"close": close})


@pytest.mark.smoke
def test_hypothesis_case_period_2_num_std_1_only_touches() -> None:
    """Regression: with period 2 and 1 std the bands are the window's min and max.

    Every close touches a band exactly, so nothing may ever enter. Rounding put the
    lower band 2 ulp above the close of bar 3 in the old two-pass reference (enter)
    but not in polars (hold): the found case, 4 bars of seed 1 at 1% volatility.
    """
    df = synthetic_ohlcv(4, seed=1, volatility=0.01)
    strategy = BollingerBands(period=2, num_std=1.0)
    assert strategy.signal(df).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert reference(df, strategy.params) == [0.0, 0.0, 0.0, 0.0]


def test_two_bar_one_std_band_never_enters_on_a_long_walk() -> None:
    df = synthetic_ohlcv(2_000, seed=7, volatility=0.04)
    strategy = BollingerBands(period=2, num_std=1.0)
    assert not strategy.signal(df).any()
    assert not any(reference(df, strategy.params))


@pytest.mark.parametrize("num_std", [0.0, 1.0, 2.0])
def test_flat_window_with_one_ulp_noise_in_the_mean_holds_the_state(num_std: float) -> None:
    """A flat run after a volatile stretch: polars' rolling mean lands a few ulp off
    the price (both sides), its std at 0. The band rule must hold the state."""
    walk = synthetic_ohlcv(60, seed=16, price=30_000.0, volatility=0.04)["close"].to_list()
    flat = walk[40]
    close = [*walk[:40], *[flat] * 20]
    mean = _frame(close).select(pl.col("close").rolling_mean(5)).to_series()[45:]
    assert any(m > flat for m in mean), "the case needs a mean rounded above the price"
    assert any(m < flat for m in mean), "the case needs a mean rounded below the price"
    strategy = BollingerBands(period=5, num_std=num_std)
    got = strategy.signal(_frame(close)).tolist()
    assert got[44:] == [got[44]] * 16
    assert got == reference(_frame(close), strategy.params)


def test_a_close_clearly_below_the_band_still_enters() -> None:
    """Margin is 1e-9 relative: a close 1e-6 below a flat window's band enters."""
    close = [100.0, 100.0, 100.0 * (1 - 1e-6), 100.0 * (1 + 1e-6), 100.0 * (1 + 3e-6)]
    strategy = BollingerBands(period=2, num_std=0.0)
    assert strategy.signal(_frame(close)).tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert reference(_frame(close), strategy.params) == [0.0, 0.0, 1.0, 0.0, 0.0]


def _window_moments(close: list[float | None], i: int, n: int) -> tuple[float, float]:
    """Two-pass mean and population std of close[i-n+1 .. i]; NaN unless all finite."""
    window = close[i - n + 1 : i + 1] if i >= n - 1 else [None]
    if any(v is None or not math.isfinite(v) for v in window):
        return math.nan, math.nan
    values = [float(v) for v in window if v is not None]
    mean = math.fsum(values) / n
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / n)


@given(close=closes(max_runs=60), period=st.integers(2, 12))
@settings(max_examples=300, deadline=None)
def test_kernel_moments_match_a_two_pass_reference(close: list[float | None], period: int) -> None:
    """The numba rolling mean and std are the textbook ones to rounding; NaN where invalid.

    Tolerances: the mean within 1e-12 of the window's largest value, the variance within
    1e-12 of the largest squared deviation, plus 1e-14 (about 50 ulps) of the largest
    squared deviation over the last 2 x `period` bars: the sums slide for up to `period`
    bars before a recompute, so a large value that has left the window still weighs on
    their rounding.
    """
    df = pl.DataFrame({"close": close}, schema={"close": pl.Float64})
    values, present = close_arrays(df)
    mean, std = np.empty(df.height), np.empty(df.height)
    rolling_mean_std_nb(values, present, period, mean, std)
    for i in range(df.height):
        want_mean, want_std = _window_moments(close, i, period)
        if math.isnan(want_mean):
            assert math.isnan(mean[i]), i
            assert math.isnan(std[i]), i
            continue
        window = [float(v) for v in close[i - period + 1 : i + 1] if v is not None]
        scale = max(abs(v) for v in window)
        spread = max((v - want_mean) ** 2 for v in window)
        assert abs(mean[i] - want_mean) <= 1e-12 * scale, i
        touched = [float(v) for v in close[max(0, i - 2 * period + 1) : i + 1] if v is not None]
        history = max((v - want_mean) ** 2 for v in touched if math.isfinite(v))
        tolerance = 1e-12 * max(spread, scale**2 * 1e-4) + 1e-14 * history
        assert abs(std[i] ** 2 - want_std**2) <= tolerance, i


@given(close=closes(), period=st.integers(2, 12), num_std=st.sampled_from([0.0, 1.0, 2.0, 2.7]))
@settings(max_examples=300, deadline=None)
def test_kernel_signal_equals_the_polars_expression(
    close: list[float | None], period: int, num_std: float
) -> None:
    """Same states as `signal_expr` (nulls hold, NaN bands enter): the touch margin
    absorbs the rounding difference of the two rolling sums."""
    df = pl.DataFrame({"close": close}, schema={"close": pl.Float64})
    strategy = BollingerBands(period=period, num_std=num_std)
    (expected,) = _evaluate(BollingerBands, df, [strategy.signal_expr()])
    assert strategy.signal(df).tobytes() == expected.tobytes()
