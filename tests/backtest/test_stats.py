"""The stats kernel against a vectorised numpy reference, and its degenerate cases."""

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from peak_trade.backtest.stats import (
    STAT_NAMES,
    compute_stats,
    infer_periods_per_year,
    years_spanned,
)


def compute_stats_reference(equity, position, initial, pnl, ret, is_open, ppy, years) -> dict:
    """docs/backtest.md's definitions, written with numpy array operations.

    ``n_trades`` counts every trade; the other trade stats count closed trades only.
    """
    eq = np.asarray(equity, dtype=float)
    n = eq.size
    n_trades = len(pnl)
    closed = ~np.asarray(is_open, dtype=bool)
    pnl = np.asarray(pnl, dtype=float)[closed]
    ret = np.asarray(ret, dtype=float)[closed]
    final = eq[-1] if n else initial
    prev = np.concatenate([[initial], eq[:-1]])
    safe = np.where(prev > 0, prev, 1.0)
    r = np.where(prev > 0, eq / safe - 1.0, 0.0)
    peak = np.maximum.accumulate(np.concatenate([[initial], eq]))[1:]
    dd = eq / peak - 1.0
    below = eq < peak
    longest = run = 0
    for flag in below:
        run = run + 1 if flag else 0
        longest = max(longest, run)

    def ratio(num, den):
        if math.isnan(num) or math.isnan(den):
            return math.nan
        if den > 0:
            return num / den
        return 0.0 if num == 0 and den == 0 else math.nan

    if n >= 2:
        std = r.std(ddof=1)
        vol = std * math.sqrt(ppy)
        sharpe = ratio(r.mean(), std) * math.sqrt(ppy)
        downside = math.sqrt(np.mean(np.minimum(r, 0.0) ** 2))
        sortino = ratio(r.mean(), downside) * math.sqrt(ppy)
    else:
        vol = sharpe = sortino = math.nan
    cagr = math.nan
    if years > 0:
        cagr = (final / initial) ** (1 / years) - 1 if final > 0 else -1.0
    max_dd = float(dd.min()) if n else 0.0
    max_dd = min(max_dd, 0.0)
    losses = -pnl[pnl < 0].sum()
    gains = pnl[pnl > 0].sum()
    if pnl.size == 0 or (losses == 0 and gains == 0):
        pf = math.nan
    else:
        pf = gains / losses if losses > 0 else math.inf
    return {
        "total_return": final / initial - 1,
        "cagr": cagr,
        "volatility": vol,
        "sharpe": sharpe,
        "sortino": sortino,
        "calmar": ratio(cagr, -max_dd),
        "max_drawdown": max_dd,
        "max_drawdown_duration": longest,
        "ulcer_index": math.sqrt(np.mean(dd**2)) if n else 0.0,
        "n_trades": n_trades,
        "win_rate": float(np.mean(pnl > 0)) if pnl.size else math.nan,
        "profit_factor": pf,
        "expectancy": float(pnl.mean()) if pnl.size else math.nan,
        "avg_trade_return": float(ret.mean()) if ret.size else math.nan,
        "exposure_time": float(np.mean(np.asarray(position) != 0)) if n else 0.0,
        "final_equity": final,
    }


def stats(
    equity, position=None, *, pnl=(), ret=None, is_open=None, initial=100.0, ppy=252.0, years=1.0
):
    equity = np.asarray(equity, dtype=float)
    position = np.zeros(equity.size) if position is None else np.asarray(position, dtype=float)
    pnl = np.asarray(pnl, dtype=float)
    ret = pnl / 100.0 if ret is None else np.asarray(ret, dtype=float)
    return compute_stats(
        equity,
        position,
        initial_cash=initial,
        trade_pnl=pnl,
        trade_return=ret,
        periods_per_year=ppy,
        years=years,
        trade_open=is_open,
    )


def assert_same(got: dict, want: dict) -> None:
    assert list(got) == list(STAT_NAMES)
    for key in STAT_NAMES:
        g, w = got[key], want[key]
        if isinstance(w, float) and math.isnan(w):
            assert math.isnan(g), (key, g)
        else:
            assert g == pytest.approx(w, rel=1e-9, abs=1e-12), (key, g, w)


@st.composite
def curves(draw):
    n = draw(st.integers(0, 60))
    factors = draw(
        st.lists(st.sampled_from([0.0, 0.5, 0.97, 1.0, 1.0, 1.02, 1.3]), min_size=n, max_size=n)
    )
    equity = 100.0 * np.cumprod(factors) if n else np.zeros(0)
    position = draw(st.lists(st.sampled_from([0.0, 1.0, -2.0]), min_size=n, max_size=n))
    pnl = draw(st.lists(st.sampled_from([-5.0, 0.0, 0.5, 12.0]), max_size=8))
    # Open trades anywhere in the list (the engine has at most one, last; the kernel
    # must not care), or None: every trade closed.
    is_open = draw(st.none() | st.lists(st.booleans(), min_size=len(pnl), max_size=len(pnl)))
    ppy = draw(st.sampled_from([1.0, 252.0, 8760.0]))
    years = draw(st.sampled_from([0.0, 0.5, 3.0]))
    return equity, position, pnl, is_open, ppy, years


@settings(max_examples=300, deadline=None)
@given(curves())
def test_stats_match_the_numpy_reference(case):
    equity, position, pnl, is_open, ppy, years = case
    ret = np.asarray(pnl) / 50.0
    if equity.size >= 2:
        # Returns equal up to rounding make sharpe a ratio of rounding errors: skip them.
        prev = np.concatenate([[100.0], equity[:-1]])
        r = np.where(prev > 0, equity / np.where(prev > 0, prev, 1.0) - 1.0, 0.0)
        assume(np.ptp(r) == 0.0 or np.ptp(r) > 1e-9)
    got = stats(equity, position, pnl=pnl, ret=ret, is_open=is_open, ppy=ppy, years=years)
    flags = [False] * len(pnl) if is_open is None else is_open
    want = compute_stats_reference(equity, position, 100.0, pnl, ret, flags, ppy, years)
    assert_same(got, want)


@pytest.mark.smoke
def test_hand_computed_curve():
    # Returns +10%, -50%, +100%; peak 110 then 55 (-50%) then 110 (recovered).
    s = stats([110.0, 55.0, 110.0], [1, 1, 0], pnl=[10.0, -4.0, 2.0], ppy=4.0, years=2.0)
    r = np.array([0.1, -0.5, 1.0])
    assert s["total_return"] == pytest.approx(0.1)
    assert s["cagr"] == pytest.approx(math.sqrt(1.1) - 1)
    assert s["volatility"] == pytest.approx(r.std(ddof=1) * 2.0)
    assert s["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * 2.0)
    assert s["sortino"] == pytest.approx(r.mean() / math.sqrt(0.25 / 3) * 2.0)
    assert s["max_drawdown"] == pytest.approx(-0.5)
    assert s["calmar"] == pytest.approx((math.sqrt(1.1) - 1) / 0.5)
    assert s["max_drawdown_duration"] == 1
    assert s["ulcer_index"] == pytest.approx(math.sqrt(0.25 / 3))
    assert (s["n_trades"], s["win_rate"]) == (3, pytest.approx(2 / 3))
    assert s["profit_factor"] == pytest.approx(12.0 / 4.0)
    assert s["expectancy"] == pytest.approx(8.0 / 3)
    assert s["exposure_time"] == pytest.approx(2 / 3)
    assert s["final_equity"] == 110.0


def test_flat_equity_without_trades_has_zero_risk_ratios_and_nan_trade_stats():
    s = stats([100.0] * 5)
    assert (s["volatility"], s["sharpe"], s["sortino"], s["calmar"]) == (0.0, 0.0, 0.0, 0.0)
    assert (s["total_return"], s["cagr"], s["max_drawdown"], s["n_trades"]) == (0.0, 0.0, 0.0, 0)
    for key in ("win_rate", "profit_factor", "expectancy", "avg_trade_return"):
        assert math.isnan(s[key]), key


def test_total_loss_gives_minus_one_and_stops_the_returns():
    s = stats([50.0, 0.0, 0.0, 0.0], years=1.0)
    assert (s["total_return"], s["cagr"], s["max_drawdown"]) == (-1.0, -1.0, -1.0)
    assert s["max_drawdown_duration"] == 4
    assert math.isfinite(s["sharpe"])


@pytest.mark.smoke
def test_the_open_trade_counts_in_n_trades_only():
    """vectorbt's Total Trades (3) vs its closed-trade win rate, profit factor, expectancy."""
    s = stats([100.0, 110.0, 90.0], pnl=[10.0, -4.0, -20.0], is_open=[False, False, True])
    assert s["n_trades"] == 3
    assert s["win_rate"] == 0.5
    assert s["profit_factor"] == 10.0 / 4.0
    assert s["expectancy"] == 3.0
    assert s["avg_trade_return"] == pytest.approx((0.1 - 0.04) / 2, rel=1e-15)


def test_only_an_open_trade_leaves_the_trade_stats_undefined():
    s = stats([100.0, 110.0], pnl=[10.0], is_open=np.array([True]))
    assert s["n_trades"] == 1
    for key in ("win_rate", "profit_factor", "expectancy", "avg_trade_return"):
        assert math.isnan(s[key]), key


def test_only_gains_give_infinite_profit_factor_and_nan_sortino():
    s = stats([101.0, 102.0, 103.0], pnl=[1.0, 2.0])
    assert s["profit_factor"] == math.inf
    assert math.isnan(s["sortino"])  # no downside, positive mean
    assert math.isnan(s["calmar"])  # no drawdown, positive cagr


def test_zero_pnl_trades_have_undefined_profit_factor_and_zero_win_rate():
    s = stats([100.0, 100.0], pnl=[0.0])
    assert math.isnan(s["profit_factor"])
    assert s["win_rate"] == 0.0


def test_empty_curve_reports_nothing_happened():
    s = stats([], years=0.0)
    assert (s["total_return"], s["max_drawdown"], s["ulcer_index"], s["exposure_time"]) == (
        0.0,
        0.0,
        0.0,
        0.0,
    )
    assert math.isnan(s["cagr"])
    assert s["final_equity"] == 100.0


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (dt.timedelta(hours=1), 8760.0),
        (dt.timedelta(days=1), 365.0),
        (dt.timedelta(minutes=5), 105120.0),
    ],
)
def test_periods_per_year_from_the_median_spacing(step, expected):
    t0 = dt.datetime(2024, 1, 1)
    stamps = [t0 + i * step for i in range(5)]
    stamps[3] += step * 10  # one gap does not move the median
    for unit in ("ns", "us", "ms"):
        ts = pl.Series(stamps, dtype=pl.Datetime(unit))
        assert infer_periods_per_year(ts) == pytest.approx(expected)


def test_periods_per_year_and_years_below_two_bars():
    one = pl.Series([dt.datetime(2024, 1, 1)])
    assert math.isnan(infer_periods_per_year(one))
    assert years_spanned(one) == 0.0
    two = pl.Series([dt.datetime(2023, 1, 1), dt.datetime(2024, 1, 1)])
    assert years_spanned(two) == 1.0
