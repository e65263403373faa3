"""Evaluation windows against a plain-Python loop over the slice, signal from the full frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import run_grid
from peak_trade.backtest.registry import get_strategy
from peak_trade.backtest.window import resolve_window
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.backtest.test_engine_reference import reference_backtest

DF = synthetic_ohlcv(600, seed=3)


def _full_signal(fast: int, slow: int) -> np.ndarray:
    """The signal over every bar (warm-up included), before any slicing."""
    return get_strategy("ma_crossover", fast=fast, slow=slow).signal(DF)


@pytest.mark.smoke
@pytest.mark.parametrize("execution", ["close", "next_open"])
@pytest.mark.parametrize(("start", "end"), [(200, 600), (100, 350), (0, 600), (599, 600)])
def test_window_matches_a_loop_over_the_slice(execution, start, end):
    cfg = BacktestConfig(fee_bps=10.0, slippage_bps=5.0, execution=execution)
    signal = _full_signal(10, 40)
    part = DF.slice(start, end - start)
    want = reference_backtest(
        part["open"].to_list(), part["close"].to_list(), list(signal[start:end]), cfg
    )
    got = run_backtest(
        DF, "ma_crossover", {"fast": 10, "slow": 40}, config=cfg, window=(start, end)
    )
    assert got.equity["timestamp"].to_list() == part["timestamp"].to_list()
    for col in ("position", "cash", "equity"):
        np.testing.assert_allclose(got.equity[col].to_numpy(), want[col], rtol=1e-9, atol=1e-6)
    assert len(got.fills) == len(want["fills"])
    assert got.params == {"fast": 10, "slow": 40}
    n = end - start
    equity = np.asarray(want["equity"])
    returns = np.diff(np.concatenate([[cfg.initial_cash], equity])) / np.concatenate(
        [[cfg.initial_cash], equity[:-1]]
    )
    if n >= 2:
        sharpe = returns.mean() / returns.std(ddof=1) * np.sqrt(24 * 365)
        assert got.stats["sharpe"] == pytest.approx(sharpe, rel=1e-9)
    assert got.stats["final_equity"] == pytest.approx(equity[-1], rel=1e-12)


def test_window_keeps_the_warm_up_that_a_plain_slice_loses():
    """A hand-made slice restarts the indicators; the window does not."""
    signal = _full_signal(10, 40)[180:]
    assert signal[0] == 1.0  # long at the window's start: a fresh slice would be warming up
    windowed = run_backtest(DF, "ma_crossover", {"fast": 10, "slow": 40}, window=(180, 600))
    sliced = run_backtest(DF.slice(180, 420), "ma_crossover", {"fast": 10, "slow": 40})
    direct = run_backtest(DF.slice(180, 420), signal=signal)
    assert windowed.stats == direct.stats
    assert windowed.stats != sliced.stats


def test_window_starts_flat_even_when_the_signal_is_already_long():
    signal = np.ones(DF.height)
    got = run_backtest(
        DF, signal=signal, config=BacktestConfig(execution="close"), window=(250, 400)
    )
    assert got.fills["bar"][0] == 0  # bought on the window's first bar, not before
    assert got.fills["timestamp"][0] == DF["timestamp"][250]
    assert got.equity.height == 150


def test_time_bounds_resolve_to_the_first_bar_at_or_after_them():
    ts = DF["timestamp"]
    start = ts[120]
    assert resolve_window((start, None), ts) == (120, 600)
    assert resolve_window((start - dt.timedelta(minutes=30), ts[200]), ts) == (120, 200)
    assert resolve_window((str(start.replace(tzinfo=None)), 500), ts) == (120, 500)
    assert resolve_window((start.replace(tzinfo=None), 500), ts) == (120, 500)
    assert resolve_window((dt.date(2020, 1, 2), None), ts) == (24, 600)
    by_time = run_backtest(DF, "ma_crossover", window=(ts[120], ts[500]))
    by_index = run_backtest(DF, "ma_crossover", window=(120, 500))
    assert by_time.stats == by_index.stats


def test_grid_rows_equal_windowed_single_runs_bit_for_bit():
    grid = {"fast": [5, 10], "slow": [30, 60]}
    frame = run_grid(DF, "ma_crossover", grid, window=(250, 550))
    for row in frame.iter_rows(named=True):
        one = run_backtest(
            DF, "ma_crossover", {"fast": row["fast"], "slow": row["slow"]}, window=(250, 550)
        )
        assert {k: row[k] for k in one.stats} == one.stats


@pytest.mark.parametrize(
    ("window", "match"),
    [
        ((300, 300), "holds no bars"),
        ((400, 100), "holds no bars"),
        ((0, 601), "outside the frame"),
        ((-1, 10), "outside the frame"),
        ((True, 10), "bar index or a time"),
        ((1.5, 10), "bar index or a time"),
        (("not a time", 10), "is not a time"),
        ((1, 2, 3), r"\(start, end\) pair"),
        ("2020", r"\(start, end\) pair"),
    ],
)
def test_bad_windows_raise_config_errors(window, match):
    with pytest.raises(ConfigError, match=match):
        run_backtest(DF, "ma_crossover", window=window)


@settings(max_examples=40, deadline=None)
@given(
    bounds=st.tuples(st.integers(0, 119), st.integers(1, 120)).filter(lambda b: b[0] < b[1]),
    seed=st.integers(0, 2**32 - 1),
    execution=st.sampled_from(["close", "next_open"]),
    short=st.booleans(),
)
def test_any_window_of_any_signal_matches_the_loop(bounds, seed, execution, short):
    start, end = bounds
    frame = DF.head(120)
    rng = np.random.default_rng(seed)
    choices = [-1.0, 0.0, 0.5, 1.0] if short else [0.0, 0.5, 1.0]
    signal = np.repeat(rng.choice(choices, 30), 4)
    cfg = BacktestConfig(fee_bps=10.0, slippage_bps=5.0, execution=execution, allow_short=short)
    part = frame.slice(start, end - start)
    want = reference_backtest(
        part["open"].to_list(), part["close"].to_list(), list(signal[start:end]), cfg
    )
    got = run_backtest(frame, signal=signal, config=cfg, window=(start, end))
    for col in ("position", "cash", "equity"):
        np.testing.assert_allclose(got.equity[col].to_numpy(), want[col], rtol=1e-9, atol=1e-6)
