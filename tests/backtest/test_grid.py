"""run_grid: row order, invalid combinations, and bit-equality with run_backtest."""

import logging
import math

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest import grid as grid_module
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import expand_grid, run_combos, run_grid
from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.backtest.strategies.base import ParamSpec, Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv


class SmaCross(Strategy):
    name = "sma_cross_test"
    description = "long while the fast SMA is above the slow one"
    param_specs = (
        ParamSpec("fast", int, 5, 1, None, "fast window"),
        ParamSpec("slow", int, 20, 2, None, "slow window"),
    )

    @classmethod
    def check_params(cls, params):
        if params["fast"] >= params["slow"]:
            msg = f"`fast` must be below `slow`; got {params['fast']} >= {params['slow']}"
            raise ConfigError(msg, hint="pick fast < slow")

    def signal_expr(self) -> pl.Expr:
        close = pl.col("close")
        fast = close.rolling_mean(self.params["fast"])
        slow = close.rolling_mean(self.params["slow"])
        return (fast > slow).cast(pl.Float64)


class Swing(Strategy):
    name = "swing_test"
    description = "long or short by the sign of the lookback return, scaled"
    param_specs = (
        ParamSpec("lookback", int, 10, 1, None, "bars back"),
        ParamSpec("scale", float, 1.0, 0.0, 1.0, "exposure size"),
    )

    def signal_expr(self) -> pl.Expr:
        close = pl.col("close")
        return (close - close.shift(self.params["lookback"])).sign() * self.params["scale"]


class Broken(SmaCross):
    name = "broken_test"

    def signal_expr(self) -> pl.Expr:
        return super().signal_expr() * 2.0  # targets of 2: out of range


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    return synthetic_ohlcv(1_500, seed=11)


def assert_rows_equal_run_backtest(data, cls, frame, config):
    names = [s.name for s in cls.param_specs]
    for row in frame.iter_rows(named=True):
        params = {n: row[n] for n in names}
        single = run_backtest(data, cls, params, config=config).stats
        for key in (*STAT_NAMES, "periods_per_year"):
            got, want = row[key], single[key]
            # Bit-identical: the same kernels in the same order; NaN equals NaN here.
            assert got == want or (math.isnan(got) and math.isnan(want)), (params, key, got, want)


@pytest.mark.smoke
def test_grid_rows_equal_run_backtest_stats_exactly(data):
    cfg = BacktestConfig()
    frame = run_grid(data, SmaCross, {"fast": [3, 8, 13], "slow": [21, 55]}, config=cfg)
    assert frame.height == 6
    assert_rows_equal_run_backtest(data, SmaCross, frame, cfg)


@pytest.mark.parametrize(
    "cfg",
    [
        BacktestConfig(execution="close", allow_short=True, fee_bps=3.0),
        BacktestConfig(allow_short=True, close_at_end=True, position_fraction=0.5),
    ],
)
def test_grid_equals_run_backtest_with_shorts_and_both_executions(data, cfg):
    frame = run_grid(data, Swing, {"lookback": [1, 5, 50], "scale": [0.25, 1.0]}, config=cfg)
    assert_rows_equal_run_backtest(data, Swing, frame, cfg)


def test_many_batches_give_the_same_rows(data, monkeypatch):
    grid = {"fast": [2, 3, 4, 5, 6, 7], "slow": [10, 30]}
    whole = run_grid(data, SmaCross, grid)
    monkeypatch.setattr(grid_module, "_BATCH_VALUES", data.height * 5)  # batches of 5
    assert run_grid(data, SmaCross, grid).equals(whole)


def test_rows_follow_the_grid_order_last_name_fastest(data):
    frame = run_grid(data, SmaCross, {"slow": [30, 20], "fast": [5, 3]})
    assert frame.columns[:2] == ["slow", "fast"]
    assert frame.columns[2:] == [*STAT_NAMES, "periods_per_year"]
    assert frame.select("slow", "fast").rows() == [(30, 5), (30, 3), (20, 5), (20, 3)]
    assert frame.schema["slow"] == pl.Int64
    assert frame.schema["n_trades"] == pl.Int64
    assert frame.schema["sharpe"] == pl.Float64


def test_invalid_combinations_raise_by_default_listing_them(data):
    with pytest.raises(ConfigError, match=r"2 of 4 grid combinations .* are invalid") as info:
        run_grid(data, SmaCross, {"fast": [5, 30], "slow": [20, 25]})
    assert info.value.context["first"] == [{"fast": 30, "slow": 20}, {"fast": 30, "slow": 25}]


def test_invalid_combinations_can_be_skipped_and_are_counted(data, caplog):
    with caplog.at_level(logging.WARNING, logger="peak_trade.backtest.grid"):
        frame = run_grid(data, SmaCross, {"fast": [5, 30], "slow": [20, 25]}, invalid="skip")
    assert frame.select("fast", "slow").rows() == [(5, 20), (5, 25)]
    (record,) = [r for r in caplog.records if r.getMessage() == "grid.skipped"]
    assert (record.skipped, record.kept) == (2, 2)


def test_all_skipped_gives_an_empty_frame_with_the_schema(data):
    frame = run_grid(data, SmaCross, {"fast": [40], "slow": [20]}, invalid="skip")
    assert frame.height == 0
    assert frame.columns == ["fast", "slow", *STAT_NAMES, "periods_per_year"]


def test_an_instance_fills_the_parameters_left_out_of_the_grid(data):
    cfg = BacktestConfig(allow_short=True)
    frame = run_grid(data, Swing(scale=0.5), {"lookback": [2, 4]}, config=cfg)
    assert frame.select("lookback", "scale").rows() == [(2, 0.5), (4, 0.5)]


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({"fsat": [3]}, r"(?s)no parameter 'fsat' .*did you mean 'fast'"),
        ({"fast": []}, r"must be a non-empty 1-D sequence"),
        ({"fast": "35"}, r"must be a non-empty 1-D sequence"),
        ({"fast": [0]}, r"`sma_cross_test.fast` must lie in \[1, "),
        ([("fast", [3])], r"must map parameter names"),
    ],
)
def test_bad_grids_raise_config_error(data, grid, match):
    with pytest.raises(ConfigError, match=match):
        run_grid(data, SmaCross, grid)


def test_bad_invalid_option_raises():
    with pytest.raises(ConfigError, match="`invalid` must be one of"):
        expand_grid(SmaCross, {"fast": [3]}, invalid="ignore")


def test_a_bad_signal_names_its_combination_and_bar(data):
    with pytest.raises(
        ConfigError, match=r"the signal of \{'fast': 3, 'slow': 9\} has a target outside"
    ):
        run_grid(data, Broken, {"fast": [3], "slow": [9]})


def test_run_combos_keeps_the_given_order(data):
    combos = [{"fast": 9, "slow": 30}, {"fast": 2, "slow": 10}]
    frame = run_combos(data, SmaCross, combos)
    assert frame.select("fast", "slow").rows() == [(9, 30), (2, 10)]
    assert frame.equals(
        run_grid(data, SmaCross, {"fast": [9], "slow": [30]}).vstack(
            run_grid(data, SmaCross, {"fast": [2], "slow": [10]})
        )
    )


def test_an_empty_grid_runs_the_defaults_once(data):
    frame = run_grid(data, SmaCross, {})
    assert frame.select("fast", "slow").rows() == [(5, 20)]
    assert np.isfinite(frame["sharpe"][0])


def test_a_registered_name_gives_the_same_grid_as_its_class(data):
    from peak_trade.backtest.strategies.moving_average import MaCrossover

    grid = {"fast": [4, 9], "slow": [30, 60]}
    assert run_grid(data, "ma_crossover", grid).equals(run_grid(data, MaCrossover, grid))


@pytest.mark.parametrize("bars", [400, 1_500])
def test_a_single_combination_equals_run_backtest_exactly(bars):
    """A one-column grid used to take another kernel specialisation (last-bit drift)."""
    from peak_trade.backtest.strategies.moving_average import MaCrossover

    frame = synthetic_ohlcv(bars, seed=11, symbol="BTC/USDT", volatility=0.02)
    cfg = BacktestConfig(fee_bps=7.0, slippage_bps=3.0)
    for combo in ({"fast": 3, "slow": 20}, {"fast": 5, "slow": 30}):
        for cls in (MaCrossover, SmaCross):
            row = run_combos(frame, cls, [combo], config=cfg)
            assert_rows_equal_run_backtest(frame, cls, row, cfg)


def _strict_first_violation(df, combo, lev):
    """Reference: a strict run_backtest of one combination; its error's (invariant, bar)."""
    from peak_trade.backtest.invariants import InvariantConfig
    from peak_trade.core.errors import BacktestInvariantError

    try:
        run_backtest(df, "ma_crossover", combo, invariants=InvariantConfig(max_leverage=lev))
    except BacktestInvariantError as exc:
        return exc.context["invariant"], exc.context["bar"]
    return None, None


@pytest.mark.parametrize("lev", [0.5, None])
def test_violation_columns_match_a_strict_run_of_each_combination(lev):
    from peak_trade.backtest.invariants import InvariantConfig

    df = synthetic_ohlcv(800, seed=3, volatility=0.02)
    combos = [{"fast": f, "slow": s} for f in (3, 5) for s in (20, 40)]
    warn = InvariantConfig(mode="warn", max_leverage=lev)
    logging.getLogger("peak_trade").setLevel(logging.ERROR)  # conftest restores it
    out = run_combos(df, "ma_crossover", combos, invariants=warn, violations=True)
    expected = [_strict_first_violation(df, c, lev) for c in combos]
    assert out.columns[-2:] == ["invariant_violation", "invariant_bar"]
    assert list(zip(out["invariant_violation"], out["invariant_bar"], strict=True)) == expected
    if lev is not None:
        assert all(name is not None for name, _ in expected)  # the case does violate
    plain = run_combos(df, "ma_crossover", combos, invariants=warn)
    assert out.drop("invariant_violation", "invariant_bar").equals(plain)
