"""run_backtest, run_grid and expand_grid take every documented input kind, or say why not."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from peak_trade import (
    BacktestConfig,
    ConfigError,
    expand_grid,
    run_backtest,
    run_combos,
    run_grid,
    synthetic_ohlcv,
)

PARAMS = {"fast": 5, "slow": 20}


@pytest.fixture(scope="module")
def bars() -> pl.DataFrame:
    return synthetic_ohlcv(300, seed=11)


@pytest.mark.smoke
def test_a_config_mapping_runs_like_the_dataclass(bars):
    got = run_backtest(bars, "ma_crossover", PARAMS, config={"fee_bps": 5, "execution": "close"})
    want = run_backtest(
        bars, "ma_crossover", PARAMS, config=BacktestConfig(fee_bps=5.0, execution="close")
    )
    assert got.stats == want.stats
    assert got.config.fee_bps == 5


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"fee_bsp": 5}, r"unknown keys \['fee_bsp'\]"),
        ({"fee_bps": "5"}, r"`BacktestConfig\.fee_bps` must be a number; got '5'"),
        ({"fee_bps": float("nan")}, r"`BacktestConfig\.fee_bps` must be finite"),
        ({"execution": "open"}, r"`BacktestConfig\.execution` must be one of"),
        ({"allow_short": 1}, r"`BacktestConfig\.allow_short` must be a bool"),
        ([("fee_bps", 5)], r"`config` must be a BacktestConfig or a mapping"),
        ("fast", r"`config` must be a BacktestConfig or a mapping"),
    ],
)
def test_a_bad_config_is_a_config_error_with_a_hint(bars, config, match):
    with pytest.raises(ConfigError, match=match) as info:
        run_backtest(bars, "ma_crossover", PARAMS, config=config)
    assert info.value.hint


def test_an_unknown_config_key_gets_a_did_you_mean(bars):
    with pytest.raises(ConfigError) as info:
        run_grid(bars, "ma_crossover", {"fast": [5]}, config={"fee_bsp": 5})
    assert info.value.hint is not None
    assert info.value.hint.startswith("did you mean 'fee_bps'?")


@pytest.mark.parametrize("params", [[10, 20], (10, 20), "fast=10", 10])
def test_params_that_are_not_a_mapping_are_refused_with_the_dict_form(bars, params):
    with pytest.raises(ConfigError, match="`params` must map parameter names to values") as info:
        run_backtest(bars, "ma_crossover", params)
    if isinstance(params, list | tuple):
        assert info.value.hint == "pass a dict, e.g. {'fast': 10, 'slow': 20}"


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda v, ts: pd.Series(v), id="pandas"),
        pytest.param(lambda v, ts: pd.Series(v, index=pd.DatetimeIndex(ts)), id="pandas-indexed"),
        pytest.param(lambda v, ts: pa.array(v), id="pyarrow"),
        pytest.param(lambda v, ts: pa.chunked_array([v[:100], v[100:]]), id="pyarrow-chunked"),
        pytest.param(lambda v, ts: pl.Series("s", v), id="polars"),
    ],
)
def test_every_series_kind_is_a_signal_like_its_numpy_values(bars, wrap):
    values = np.where(np.arange(bars.height) % 40 < 20, 1.0, 0.0)
    want = run_backtest(bars, signal=values)
    got = run_backtest(bars, signal=wrap(values, bars["timestamp"].to_list()))
    assert got.stats == want.stats
    assert want.stats["n_trades"] > 3


def test_a_pandas_signal_of_the_wrong_length_names_both_lengths(bars):
    with pytest.raises(ConfigError, match="the signal has 5 values but the data has 300 bars"):
        run_backtest(bars, signal=pd.Series(np.ones(5)))


@pytest.mark.parametrize(
    "fast",
    [
        pytest.param(np.arange(5, 20, 5), id="numpy"),
        pytest.param(range(5, 20, 5), id="range"),
        pytest.param((5, 10, 15), id="tuple"),
        pytest.param(pd.Series([5, 10, 15]), id="pandas"),
        pytest.param(pl.Series([5, 10, 15]), id="polars"),
        pytest.param(pa.array([5, 10, 15]), id="pyarrow"),
        pytest.param(np.array([5.0, 10.0, 15.0]), id="numpy-float"),
    ],
)
def test_grid_values_may_be_any_1d_sequence_of_numbers(fast):
    combos, _ = expand_grid("ma_crossover", {"fast": fast, "slow": [30]})
    assert combos == [{"fast": 5, "slow": 30}, {"fast": 10, "slow": 30}, {"fast": 15, "slow": 30}]


@pytest.mark.parametrize(
    "values",
    [np.ones((2, 2)), np.array([]), [], 10, "10", {5, 10}, {"a": 5}, None, (v for v in [5])],
)
def test_other_grid_values_are_refused_with_a_short_message(values):
    with pytest.raises(ConfigError, match="must be a non-empty 1-D sequence of numbers") as info:
        expand_grid("ma_crossover", {"fast": values})
    assert len(info.value.message) < 200
    assert "np.arange" in (info.value.hint or "")


def test_grid_and_combos_take_a_config_mapping(bars):
    config = BacktestConfig(fee_bps=2.0, slippage_bps=0.0)
    mapping = {"fee_bps": 2.0, "slippage_bps": 0.0}
    grid = {"fast": np.array([5, 10]), "slow": [30]}
    assert run_grid(bars, "ma_crossover", grid, config=mapping).equals(
        run_grid(bars, "ma_crossover", grid, config=config)
    )
    combos = [{"fast": 5, "slow": 30}]
    assert run_combos(bars, "ma_crossover", combos, config=mapping).equals(
        run_combos(bars, "ma_crossover", combos, config=config)
    )
