"""The per-bar columns a result derives on access, against plain loops and a full run."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._nb.derive import (
    drawdown_nb,
    exposed_bars_nb,
    exposure_nb,
    from_steps_nb,
)
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.data.providers.synthetic import synthetic_ohlcv

_values = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.just(math.nan), st.just(0.0))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([100.0, 50.0, 50.0, -3.0, 0.0, math.nan]), max_size=40))
def test_steps_expand_to_the_plain_forward_fill_and_count_the_exposed_bars(
    values: list[float],
) -> None:
    """Steps where a value changes, expanded, give back every bar (NaN too); the
    exposed count equals the bars whose value is not 0 (NaN counts)."""
    changes = [i for i, v in enumerate(values) if not _same(v, values[i - 1] if i else 0.0)]
    bars = np.full(len(values) + 2, -1, np.int64)
    kept = np.zeros(len(values) + 2)
    bars[: len(changes)] = changes
    kept[: len(changes)] = [values[i] for i in changes]
    out = np.empty(len(values))
    from_steps_nb(bars, kept, 0.0, out)
    assert all(_same(a, b) for a, b in zip(out.tolist(), values, strict=True))
    assert exposed_bars_nb(bars, kept, len(values)) == sum(v != 0.0 for v in values)


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
def test_a_run_keeps_equity_per_bar_and_cash_and_position_as_steps() -> None:
    """The frame is built on first access and kept; cash equals equity - position * price
    between fills, and the steps are the fill bars."""
    df = synthetic_ohlcv(3_000, seed=2, timeframe="1m")
    signal = (np.arange(3_000) // 250 % 3 - 1).astype(float)
    result = run_backtest(df, signal=signal, config=BacktestConfig(allow_short=True))
    bars = result.bars
    assert bars.step_bars.tolist() == sorted(set(result.fills["bar"].to_list()))
    held = result.fills.group_by("bar", maintain_order=True).agg(pl.col("qty").sum())
    assert bars.step_pos.tolist() == pytest.approx(held["qty"].cum_sum().to_list(), abs=1e-9)
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
