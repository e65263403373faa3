"""The per-bar columns a result derives on access, against plain loops and a full run."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._nb.derive import (
    cash_from_steps_nb,
    cash_steps_nb,
    drawdown_nb,
    exposure_nb,
)
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.data.providers.synthetic import synthetic_ohlcv

_values = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.just(math.nan), st.just(0.0))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([100.0, 50.0, 50.0, -3.0, math.nan]), max_size=40))
def test_cash_steps_round_trip_through_the_plain_forward_fill(cash: list[float]) -> None:
    """Steps taken where cash changes, then expanded, give back every bar (NaN too)."""
    values = np.asarray(cash, dtype=float)
    bars = np.full(values.shape[0] + 2, -1, np.int64)
    kept = np.zeros(values.shape[0] + 2)
    steps = cash_steps_nb(values, 100.0, bars, kept)
    changes = [i for i, c in enumerate(cash) if not _same(c, cash[i - 1] if i else 100.0)]
    assert bars[:steps].tolist() == changes
    assert (bars[steps:] == -1).all()
    out = np.empty(values.shape[0])
    cash_from_steps_nb(bars, kept, 100.0, out)
    assert all(_same(a, b) for a, b in zip(out.tolist(), cash, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_values, _values, _values), max_size=30))
def test_exposure_and_drawdown_match_the_plain_loops(
    rows: list[tuple[float, float, float]],
) -> None:
    position = np.asarray([r[0] for r in rows], dtype=float)
    close = np.abs(np.asarray([r[1] for r in rows], dtype=float))
    equity = np.asarray([r[2] for r in rows], dtype=float)
    exposure = np.empty(len(rows))
    exposure_nb(position, close, equity, exposure)
    drawdown = np.empty(len(rows))
    drawdown_nb(equity, 1000.0, drawdown)
    peak = 1000.0
    for i, (pos, price, eq) in enumerate(zip(position, close, equity, strict=True)):
        with np.errstate(over="ignore"):  # a tiny equity overflows to inf, as in the kernel
            held = pos * price
            want = 0.0 if held == 0.0 else (held / eq if eq > 0.0 else math.nan)
        assert _same(exposure[i], want)
        peak = eq if eq > peak else peak
        assert _same(drawdown[i], eq / peak - 1.0)


@pytest.mark.smoke
def test_a_run_keeps_two_columns_per_bar_and_cash_as_steps() -> None:
    """The frame is built on first access and kept; cash equals equity - position * price
    between fills, and its steps are no more than the fill bars."""
    df = synthetic_ohlcv(3_000, seed=2, timeframe="1m")
    signal = (np.arange(3_000) // 250 % 3 - 1).astype(float)
    result = run_backtest(df, signal=signal, config=BacktestConfig(allow_short=True))
    bars = result.bars
    assert bars.cash_bars.shape[0] <= result.fills["bar"].n_unique()
    assert bars.cash_bars.tolist() == sorted(set(result.fills["bar"].to_list()))
    frame = result.equity
    assert frame is result.equity
    assert frame.columns == [
        "timestamp",
        "price",
        "position",
        "cash",
        "equity",
        "drawdown",
        "exposure",
    ]
    implied = frame["equity"] - frame["position"] * frame["price"]
    np.testing.assert_allclose(frame["cash"].to_numpy(), implied.to_numpy(), rtol=0, atol=1e-7)
