"""Golden, hand-computed backtests and the input checks of run_backtest."""

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.strategies.base import ParamSpec, Strategy
from peak_trade.core.errors import ConfigError, DataContractError

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def ohlcv(open_, close, **extra) -> pl.DataFrame:
    o = np.asarray(open_, dtype=float)
    c = np.asarray(close, dtype=float)
    n = len(c)
    return pl.DataFrame(
        {
            "timestamp": [T0 + i * HOUR for i in range(n)],
            "open": o,
            "high": np.maximum(o, c) * 1.02,
            "low": np.minimum(o, c) * 0.98,
            "close": c,
            "volume": np.ones(n),
            **extra,
        },
        schema_overrides={"timestamp": pl.Datetime("us", "UTC")},
    )


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-9)


COSTLY = {"fee_bps": 100.0, "slippage_bps": 100.0}  # 1% each: easy to follow by hand
FREE = {"fee_bps": 0.0, "slippage_bps": 0.0}


@pytest.mark.smoke
def test_long_round_trip_at_the_close_pays_fees_and_slippage_both_ways():
    df = ohlcv([100, 100, 110, 121], [100, 110, 121, 110])
    cfg = BacktestConfig(execution="close", **COSTLY)
    r = run_backtest(df, signal=np.array([1.0, 1.0, 0.0, 0.0]), config=cfg)
    # Bar 0: buy at 100 * 1.01 = 101, sized with the fee: 10000 / (101 * 1.01) units.
    units = 98.02960494069208
    assert r.equity["position"].to_list() == [approx(units), approx(units), 0.0, 0.0]
    # 9900.990099 notional + 99.009901 fee = all the cash.
    assert r.fills["price"].to_list() == [approx(101.0), approx(119.79)]
    assert r.fills["fee"].to_list() == [approx(99.009900990099), approx(117.42966375845505)]
    assert r.equity["cash"][0] == approx(0.0)
    # Bar 2: sell at 121 * 0.99 = 119.79: 11742.966376 notional, 1% of it as fee.
    assert r.equity["equity"].to_list() == [
        approx(9802.960494069208),
        approx(10783.256543476129),
        approx(11625.536712087049),
        approx(11625.536712087049),
    ]
    assert r.equity["drawdown"].to_list() == [approx(-0.0197039505930792), 0.0, 0.0, 0.0]
    t = r.trades.row(0, named=True)
    assert r.trades.height == 1
    assert (t["entry_ts"], t["exit_ts"], t["side"], t["is_open"]) == (
        T0,
        T0 + 2 * HOUR,
        "long",
        False,
    )
    assert (t["qty"], t["entry_price"], t["exit_price"]) == (
        approx(units),
        approx(101.0),
        approx(119.79),
    )
    assert t["fees"] == approx(99.009900990099 + 117.42966375845505)
    assert t["pnl"] == approx(1625.5367120870487)
    assert t["return"] == approx(1625.5367120870487 / 9900.9900990099)
    s = r.stats
    assert s["total_return"] == approx(0.16255367120870487)
    assert (s["n_trades"], s["win_rate"], s["exposure_time"]) == (1, 1.0, 0.5)
    assert s["profit_factor"] == math.inf  # no losing trade
    assert s["final_equity"] == approx(11625.536712087049)


def test_next_open_fills_the_signal_at_the_following_open():
    df = ohlcv([100, 105, 115, 120], [100, 110, 121, 110])
    cfg = BacktestConfig(execution="next_open", **COSTLY)
    r = run_backtest(df, signal=np.array([1.0, 1.0, 0.0, 0.0]), config=cfg)
    units = 93.36152851494485  # 10000 / (105 * 1.01 * 1.01)
    assert r.fills["bar"].to_list() == [1, 3]
    assert r.fills["price"].to_list() == [approx(106.05), approx(118.8)]
    assert r.equity["position"].to_list() == [0.0, approx(units), approx(units), 0.0]
    assert r.equity["equity"].to_list() == [
        10_000.0,
        approx(10269.768136643934),
        approx(11296.744950308326),
        approx(10980.436091699692),  # 11091.349588 notional minus its 1% fee
    ]
    assert r.trades["pnl"].to_list() == [approx(980.436091699692)]


def test_short_round_trip_with_costs():
    df = ohlcv([100, 100, 90, 80], [100, 90, 80, 80])
    cfg = BacktestConfig(execution="close", allow_short=True, **COSTLY)
    r = run_backtest(df, signal=np.array([-1.0, -1.0, 0.0, 0.0]), config=cfg)
    units = 98.02960494069208  # sized like a long: 10000 / (100 * 1.01 * 1.01)
    assert r.equity["position"][0] == approx(-units)
    # Sell short at 99: cash 10000 + 9704.930889 - 97.049309 = 19607.881580.
    assert r.equity["cash"][0] == approx(19607.881580237234)
    assert r.equity["equity"].to_list()[:2] == [
        approx(9804.921086168026),
        approx(10785.217135574947),
    ]
    # Buy back at 80 * 1.01 = 80.8 and pay 1% of 7920.792079.
    assert r.fills["price"].to_list() == [approx(99.0), approx(80.8)]
    assert r.equity["cash"][2] == approx(11607.881580237234)
    t = r.trades.row(0, named=True)
    assert (t["side"], t["entry_price"], t["exit_price"]) == ("short", approx(99.0), approx(80.8))
    assert t["fees"] == approx(176.25722968336436)
    assert t["pnl"] == approx(1607.8815802372337)
    assert t["return"] == approx(0.1656767676767679)
    assert r.equity["exposure"][0] == approx(-units * 100 / 9804.921086168026)


def test_flip_is_a_close_then_an_open_at_the_same_bar():
    df = ohlcv([100, 100, 100], [100, 100, 50])
    cfg = BacktestConfig(execution="close", allow_short=True, **FREE)
    r = run_backtest(df, signal=np.array([1.0, -1.0, -1.0]), config=cfg)
    assert r.fills.select("bar", "qty").rows() == [(0, 100.0), (1, -100.0), (1, -100.0)]
    assert r.equity["equity"].to_list() == [10_000.0, 10_000.0, 15_000.0]
    assert r.trades.select("side", "pnl", "is_open").rows() == [
        ("long", 0.0, False),
        ("short", 5_000.0, True),
    ]
    assert r.trades["exit_price"].to_list() == [100.0, 50.0]  # the open short is marked
    assert r.stats["n_trades"] == 2


def test_partial_reduction_keeps_one_trade_open_until_flat():
    df = ohlcv([100, 200, 200, 100], [100, 200, 200, 100])
    cfg = BacktestConfig(execution="close", **FREE)
    r = run_backtest(df, signal=np.array([1.0, 0.5, 0.5, 0.0]), config=cfg)
    # Bar 1: equity 20000, half of it is 50 units at 200, so 50 of 100 are sold.
    assert r.equity["position"].to_list() == [100.0, 50.0, 50.0, 0.0]
    assert r.equity["cash"].to_list() == [0.0, 10_000.0, 10_000.0, 15_000.0]
    t = r.trades.row(0, named=True)
    assert r.trades.height == 1
    assert (t["qty"], t["entry_price"], t["exit_price"]) == (100.0, 100.0, 150.0)
    assert (t["pnl"], t["return"], t["exit_ts"]) == (5_000.0, 0.5, T0 + 3 * HOUR)


@pytest.mark.parametrize(
    ("close_at_end", "final", "is_open", "exit_price"),
    [(True, 10782.178217821784, False, 108.9), (False, 10891.089108910892, True, 110.0)],
)
def test_close_at_end_closes_at_the_last_close_else_the_trade_stays_open(
    close_at_end, final, is_open, exit_price
):
    df = ohlcv([100, 100, 100], [100, 100, 110])
    cfg = BacktestConfig(slippage_bps=100.0, fee_bps=0.0, close_at_end=close_at_end)
    r = run_backtest(df, signal=np.ones(3), config=cfg)
    # next_open: bought at open[1] * 1.01 = 101, 10000 / 101 units.
    assert r.fills["price"][0] == approx(101.0)
    assert r.equity["equity"][-1] == approx(final)
    t = r.trades.row(0, named=True)
    assert (t["is_open"], t["exit_ts"]) == (is_open, T0 + 2 * HOUR)
    assert t["exit_price"] == approx(exit_price)
    assert t["pnl"] == approx(final - 10_000.0)


def test_a_change_on_the_last_bar_is_never_filled_with_next_open():
    r = run_backtest(ohlcv([100] * 3, [100] * 3), signal=np.array([0.0, 0.0, 1.0]))
    assert r.fills.height == 0
    assert r.trades.height == 0
    assert r.stats["n_trades"] == 0
    assert math.isnan(r.stats["win_rate"])


def test_position_fraction_scales_the_commitment():
    cfg = BacktestConfig(execution="close", position_fraction=0.25, **FREE)
    r = run_backtest(ohlcv([100, 100], [100, 120]), signal=np.ones(2), config=cfg)
    assert r.equity["position"].to_list() == [25.0, 25.0]
    assert r.equity["equity"].to_list() == [10_000.0, 10_500.0]
    assert r.equity["exposure"][1] == approx(3_000.0 / 10_500.0)


def test_a_short_that_loses_everything_is_liquidated_and_stays_flat():
    df = ohlcv([100, 250, 250], [100, 250, 250])
    cfg = BacktestConfig(execution="close", allow_short=True, **FREE)
    r = run_backtest(df, signal=np.array([-1.0, -1.0, 1.0]), config=cfg)
    # Bar 1: cash 20000 - 100 * 250 = -5000 <= 0: the short is bought back at 250.
    assert r.fills.select("bar", "qty").rows() == [(0, -100.0), (1, 100.0)]
    assert r.equity["equity"].to_list() == [10_000.0, -5_000.0, -5_000.0]
    assert r.equity["position"].to_list() == [-100.0, 0.0, 0.0]  # bar 2's long never opens
    assert r.stats["total_return"] == -1.5
    assert r.stats["max_drawdown"] == -1.5
    assert r.stats["cagr"] == -1.0
    assert r.trades["pnl"].to_list() == [-15_000.0]


def test_signal_from_a_column_a_series_and_an_array_agree():
    df = ohlcv([100, 101, 102, 101], [101, 102, 101, 103], sig=[0.0, 1.0, 1.0, 0.0])
    a = run_backtest(df, signal="sig").equity
    b = run_backtest(df, signal=df["sig"]).equity
    c = run_backtest(df, signal=np.array([0, 1, 1, 0])).equity
    assert a.equals(b)
    assert a.equals(c)


class Always(Strategy):
    name = "always"
    description = "hold a constant exposure"
    param_specs = (ParamSpec("level", float, 1.0, -1.0, 1.0, "the exposure"),)

    def signal_expr(self) -> pl.Expr:
        return pl.col("close") * 0.0 + self.params["level"]


def test_strategy_instance_and_subclass_with_params_run_and_record_params():
    df = ohlcv([100, 101, 102], [101, 102, 103])
    by_instance = run_backtest(df, Always(level=0.5))
    by_class = run_backtest(df, Always, {"level": 0.5})
    assert by_instance.params == by_class.params == {"level": 0.5}
    assert by_instance.equity.equals(by_class.equity)
    with pytest.raises(ConfigError, match="`params` was given"):
        run_backtest(df, Always(level=0.5), {"level": 1.0})


@pytest.mark.parametrize(
    ("signal", "match"),
    [
        ([0.0, 1.0, math.nan, 0.0], r"NaN or null target at bar 2 \(2024-01-01 02:00:00"),
        ([0.0, 1.5, 0.0, 0.0], r"outside \[-1, 1\] at bar 1 .*: 1.5"),
        ([0.0, 0.0, 0.0, -0.5], r"short target while `allow_short=False` at bar 3"),
        ([0.0, 1.0, 1.0], r"signal has 3 values but the data has 4 bars"),
    ],
)
def test_bad_signals_raise_config_error_naming_the_first_bad_bar(signal, match):
    with pytest.raises(ConfigError, match=match):
        run_backtest(ohlcv([100] * 4, [100] * 4), signal=np.array(signal))


def test_null_in_a_series_signal_is_rejected():
    s = pl.Series("s", [0.0, None, 1.0, 1.0])
    with pytest.raises(ConfigError, match="at bar 1") as info:
        run_backtest(ohlcv([100] * 4, [100] * 4), signal=s)
    assert info.value.context["bar"] == 1


def test_params_with_an_explicit_signal_is_rejected():
    with pytest.raises(ConfigError, match="only applies to a strategy"):
        run_backtest(ohlcv([100] * 2, [100] * 2), None, {"fast": 3}, signal=np.ones(2))


def test_data_breaking_the_contract_raises_before_the_kernel():
    df = ohlcv([100, 100], [100, 100]).with_columns(pl.Series("high", [1.0, 1.0]))
    with pytest.raises(DataContractError, match="high_below_low"):
        run_backtest(df, signal=np.ones(2))


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_bars_give_defined_stats(n):
    r = run_backtest(ohlcv([100] * n, [100] * n), signal=np.ones(n), config=BacktestConfig(**FREE))
    assert r.equity.height == n
    for key in ("volatility", "sharpe", "sortino", "cagr", "calmar"):
        assert math.isnan(r.stats[key]), key
    assert r.stats["total_return"] == 0.0


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("initial_cash", 0.0, r"initial_cash` must be > 0"),
        ("fee_bps", -1.0, r"fee_bps` must be in \[0, 1000\)"),
        ("slippage_bps", math.inf, r"slippage_bps` must be finite"),
        ("execution", "open", r"execution` must be one of"),
        ("position_fraction", 1.5, r"position_fraction` must be in \(0, 1\]"),
        ("allow_short", 1, r"allow_short` must be a bool"),
        ("periods_per_year", 0, r"periods_per_year` must be > 0"),
        ("fee_bps", "10", r"fee_bps` must be a number"),
    ],
)
def test_config_rejects_bad_values(field, value, match):
    with pytest.raises(ConfigError, match=match) as info:
        BacktestConfig(**{field: value})
    assert info.value.context["field"] == field


def test_a_lazy_frame_gives_the_same_result_as_its_collected_frame():
    df = ohlcv([100, 101, 102, 101], [101, 102, 101, 103])
    signal = np.array([0.0, 1.0, 1.0, 0.0])
    lazy = run_backtest(df.lazy(), signal=signal)
    eager = run_backtest(df, signal=signal)
    assert lazy.equity.equals(eager.equity)
    assert lazy.trades.equals(eager.trades)
    np.testing.assert_equal(lazy.stats, eager.stats)  # NaN == NaN: the only trade is open


def test_a_registered_name_runs_that_strategy():
    from peak_trade.backtest.strategies.moving_average import MaCrossover

    df = ohlcv(np.linspace(100, 130, 60), np.linspace(101, 125, 60) + np.sin(np.arange(60)) * 3)
    by_name = run_backtest(df, "ma_crossover", {"fast": 3, "slow": 8})
    by_class = run_backtest(df, MaCrossover, {"fast": 3, "slow": 8})
    assert by_name.equity.equals(by_class.equity)
    assert by_name.params == {"fast": 3, "slow": 8}
    with pytest.raises(ConfigError, match=r"(?s)unknown strategy 'ma_crosover'.*did you mean"):
        run_backtest(df, "ma_crosover")
    with pytest.raises(ConfigError, match="must be a registered name"):
        run_backtest(df, 42)
