"""``mean_reversion`` at its thresholds and on windows with zero spread."""

from __future__ import annotations

import polars as pl
import pytest

from peak_trade.backtest.strategies.mean_reversion import MeanReversion
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.backtest.strategies.reference import mean_reversion as reference


@pytest.mark.smoke
def test_two_bar_window_z_is_plus_or_minus_one_so_unit_thresholds_only_touch() -> None:
    """With lookback 2 every z-score is exactly -1 or +1 (or undefined when flat)."""
    df = synthetic_ohlcv(2_000, seed=1, volatility=0.01)
    strategy = MeanReversion(lookback=2, entry_z=-1.0, exit_z=1.0)
    assert not strategy.signal(df).any()
    assert not any(reference(df, strategy.params))


def test_zero_spread_decides_nothing_even_when_the_mean_rounds_off() -> None:
    """Regression: a two-pass mean of [0.1] * 3 is 0.1 + 1 ulp, so the old reference
    saw std = 1 ulp and z = -1, and entered at entry_z = -0.5."""
    df = pl.DataFrame({"close": [0.1] * 6})
    assert sum([0.1] * 3) / 3 != 0.1, "the case needs a mean that rounds off"
    strategy = MeanReversion(lookback=3, entry_z=-0.5, exit_z=0.5)
    assert strategy.signal(df).tolist() == [0.0] * 6
    assert reference(df, strategy.params) == [0.0] * 6


def test_a_clear_low_z_enters_and_a_clear_high_z_leaves() -> None:
    """Window 2 over 10, 9, 10.5: z is -1 at bar 1 and +1 at bar 2."""
    df = pl.DataFrame({"close": [10.0, 9.0, 10.5]})
    strategy = MeanReversion(lookback=2, entry_z=-0.9, exit_z=0.9)
    assert strategy.signal(df).tolist() == [0.0, 1.0, 0.0]
    assert reference(df, strategy.params) == [0.0, 1.0, 0.0]
