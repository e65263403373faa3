"""``ma_crossover``: a hand-computed case and the shared-window ``signal_matrix``."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.strategies import MaCrossover
from peak_trade.backtest.strategies import _kernels as k
from peak_trade.backtest.strategies._exprs import BAND_MARGIN
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv


def test_hand_computed_crossover() -> None:
    """SMA(1) vs SMA(3) of 1,2,3,4,3,2,1,1: flat in warm-up, long while rising."""
    df = pl.DataFrame({"close": [1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0, 1.0]})
    # SMA3 from bar 2: 2, 3, 3.333, 3, 2, 1.333; the close is above it at bars 2, 3.
    got = MaCrossover(fast=1, slow=3).signal(df)
    assert got.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]


def test_a_tie_is_flat() -> None:
    df = pl.DataFrame({"close": [5.0] * 6})
    assert MaCrossover(fast=2, slow=4).signal(df).tolist() == [0.0] * 6


def test_a_tie_within_rounding_is_flat() -> None:
    """Regression: on [0.1] * 3 the running sums put SMA(1) at 0.1 + 2 ulp and SMA(2)
    at 0.1 + 1 ulp at bar 2 (window sums give 0.1 for both). The margin makes it a tie."""
    close = [0.1, 0.1, 0.1]
    running = [0.1, 0.1 + 0.1, 0.1 + 0.1 + 0.1]
    assert running[2] - running[1] > (running[2] - running[0]) / 2, "the case needs noise"
    df = pl.DataFrame({"close": close})
    assert MaCrossover(fast=1, slow=2).signal(df).tolist() == [0.0] * 3
    matrix = MaCrossover.signal_matrix(df, [{"fast": 1, "slow": 2}])
    assert matrix[:, 0].tolist() == [0.0] * 3


@pytest.mark.smoke
def test_signal_matrix_equals_each_signal_on_a_real_grid() -> None:
    df = synthetic_ohlcv(5_000, seed=11)
    combos = [
        {"fast": f, "slow": s}
        for f, s in itertools.product([1, 3, 5, 10, 20], [7, 20, 50, 200, 999])
        if f < s
    ]
    matrix = MaCrossover.signal_matrix(df, combos)
    assert matrix.flags.f_contiguous
    for j, combo in enumerate(combos):
        np.testing.assert_array_equal(matrix[:, j], MaCrossover(**combo).signal(df))


def test_windows_longer_than_the_data_are_flat() -> None:
    df = synthetic_ohlcv(30, seed=2)
    matrix = MaCrossover.signal_matrix(df, [{"fast": 10, "slow": 31}, {"fast": 40, "slow": 90}])
    assert not matrix.any()


def test_signal_matrix_rejects_an_invalid_combo() -> None:
    with pytest.raises(ConfigError, match="fast < slow"):
        MaCrossover.signal_matrix(synthetic_ohlcv(10), [{"fast": 5, "slow": 20}, {"fast": 60}])


def test_running_sma_kernel_against_window_sums() -> None:
    close = synthetic_ohlcv(200, seed=4)["close"].to_numpy()
    windows = np.array([1, 2, 17, 200, 201], dtype=np.int64)
    got = k.running_sma_nb(close, windows)
    for row, w in zip(got, windows, strict=True):
        want = [np.nan] * min(w - 1, 200) + [
            sum(close[i - w + 1 : i + 1]) / w for i in range(w - 1, 200)
        ]
        np.testing.assert_allclose(row, want, rtol=1e-12, atol=0.0)


@settings(max_examples=60, deadline=None)
@given(
    close=st.lists(
        st.floats(-1e6, 1e6, allow_nan=False) | st.just(np.nan), min_size=0, max_size=300
    ),
    fast=st.integers(1, 80),
    extra=st.integers(1, 300),
)
def test_one_combination_kernel_is_bit_for_bit_the_grid_kernel(
    close: list[float], fast: int, extra: int
) -> None:
    """The single pass (``signal``) repeats the grid's running-sum arithmetic exactly,
    NaN closes and windows longer than the data included."""
    values = np.array(close, dtype=np.float64)
    slow = fast + extra
    windows = np.array([fast, slow], dtype=np.int64)
    want = np.empty((values.shape[0], 1), order="F")
    smas = k.running_sma_nb(values, windows)
    one = np.array([0], dtype=np.int64)
    k.crossover_matrix_nb(smas, windows, one, one + 1, BAND_MARGIN, want)
    got = np.full(values.shape[0], -1.0)
    k.crossover_signal_nb(values, fast, slow, BAND_MARGIN, got)
    assert got.tobytes() == want[:, 0].tobytes()
