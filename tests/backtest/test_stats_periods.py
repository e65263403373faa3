"""Every stats row records the `periods_per_year` its annualised stats used."""

import datetime as dt
import math

import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import run_combos, run_grid
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv

PARAMS = {"fast": 5, "slow": 20}


def daily(n: int, *, weekdays_only: bool) -> pl.DataFrame:
    """``n`` synthetic bars at midnight UTC: every weekday, or every day."""
    day = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # a Monday
    days: list[dt.datetime] = []
    while len(days) < n:
        if not weekdays_only or day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    bars = synthetic_ohlcv(n, seed=3, timeframe="1d")
    return bars.with_columns(pl.Series("timestamp", days, dtype=bars.schema["timestamp"]))


def sharpe_by_hand(equity: list[float], initial_cash: float, ppy: float) -> float:
    """mean / std (ddof 1) of the bar returns times sqrt(ppy), in plain Python."""
    returns, prev = [], initial_cash
    for value in equity:
        returns.append(value / prev - 1.0 if prev > 0 else 0.0)
        prev = value
    mean = sum(returns) / len(returns)
    var = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return mean / math.sqrt(var) * math.sqrt(ppy)


@pytest.mark.smoke
@pytest.mark.parametrize(("weekdays_only", "ppy"), [(True, 252.0), (False, 365.0)])
def test_run_backtest_records_the_inferred_periods_and_annualises_with_them(weekdays_only, ppy):
    df = daily(400, weekdays_only=weekdays_only)
    result = run_backtest(df, "ma_crossover", PARAMS)
    assert result.stats["periods_per_year"] == ppy
    equity = result.equity.get_column("equity").to_list()
    want = sharpe_by_hand(equity, float(result.config.initial_cash), ppy)
    assert result.stats["sharpe"] == pytest.approx(want, rel=1e-12)


def test_a_configured_value_overrides_the_rule_and_is_recorded():
    df = daily(400, weekdays_only=True)
    result = run_backtest(df, "ma_crossover", PARAMS, config=BacktestConfig(periods_per_year=12))
    assert result.stats["periods_per_year"] == 12.0
    equity = result.equity.get_column("equity").to_list()
    want = sharpe_by_hand(equity, float(result.config.initial_cash), 12.0)
    assert result.stats["sharpe"] == pytest.approx(want, rel=1e-12)


@pytest.mark.smoke
def test_grid_rows_record_the_value_and_match_run_backtest_bit_for_bit():
    df = daily(400, weekdays_only=True)
    frame = run_grid(df, "ma_crossover", {"fast": [5, 10], "slow": [20, 40]})
    assert frame.get_column("periods_per_year").to_list() == [252.0] * 4
    assert frame.schema["periods_per_year"] == pl.Float64
    for row in frame.iter_rows(named=True):
        single = run_backtest(df, "ma_crossover", {"fast": row["fast"], "slow": row["slow"]})
        assert row["sharpe"] == single.stats["sharpe"]
    first = frame.row(0, named=True)
    equity = run_backtest(df, "ma_crossover", PARAMS).equity.get_column("equity").to_list()
    assert first["sharpe"] == pytest.approx(sharpe_by_hand(equity, 10_000.0, 252.0), rel=1e-12)


def test_a_window_records_the_value_of_its_own_bars():
    """Weekday bars give 252 over any window a week or longer."""
    df = daily(400, weekdays_only=True)
    frame = run_combos(df, "ma_crossover", [PARAMS], window=(100, 300))
    single = run_backtest(df, "ma_crossover", PARAMS, window=(100, 300))
    assert frame.get_column("periods_per_year").to_list() == [252.0]
    assert single.stats["periods_per_year"] == 252.0
    assert frame.get_column("sharpe").to_list() == [single.stats["sharpe"]]


def test_a_single_bar_records_nan():
    """One bar cannot be annualised: the value used is NaN, and so is the Sharpe."""
    result = run_backtest(daily(1, weekdays_only=True), "ma_crossover", PARAMS)
    assert math.isnan(result.stats["periods_per_year"])
    assert math.isnan(result.stats["sharpe"])


def test_a_parameter_named_periods_per_year_clashes():
    from peak_trade.backtest.strategies.base import ParamSpec, Strategy

    class Odd(Strategy):
        name = "odd_periods_test"
        description = "a parameter named like the recorded column"
        param_specs = (ParamSpec("periods_per_year", int, 1, 1, None, "clashes"),)

        def signal_expr(self) -> pl.Expr:
            return pl.lit(0.0)

    with pytest.raises(ConfigError, match=r"\['periods_per_year'\] .* clash with stat names"):
        run_grid(daily(50, weekdays_only=True), Odd, {"periods_per_year": [1]})
