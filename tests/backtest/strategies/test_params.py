"""Parameter checks of every built-in: kinds, ranges, cross-parameter rules, names."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from peak_trade.backtest.strategies import (
    BollingerBands,
    BreakoutDonchian,
    Macd,
    MaCrossover,
    MeanReversion,
    Momentum,
    RsiReversion,
    Strategy,
)
from peak_trade.core.errors import ConfigError

BAD_PARAMS: list[tuple[type[Strategy], dict[str, Any], str]] = [
    (MaCrossover, {"fast": 50, "slow": 20}, r"fast < slow; got fast=50, slow=20"),
    (MaCrossover, {"fast": 20, "slow": 20}, r"fast < slow"),
    (MaCrossover, {"fast": 0}, r"`ma_crossover.fast` must lie in \[1, 1000000\]; got 0"),
    (MaCrossover, {"fast": 2.5}, r"`ma_crossover.fast` expects int; got 2.5"),
    (MaCrossover, {"fast": True}, r"expects int; got True"),
    (MaCrossover, {"slow": "50"}, r"expects int; got '50'"),
    (Momentum, {"entry": 0.02, "exit": 0.05}, r"exit < entry"),
    (Momentum, {"entry": 0.02, "exit": 0.02}, r"exit < entry"),
    (Momentum, {"lookback": 0}, r"`momentum.lookback` must lie in"),
    (Momentum, {"entry": math.nan}, r"`momentum.entry` must lie in"),
    (MeanReversion, {"lookback": 1}, r"`mean_reversion.lookback` must lie in \[2,"),
    (MeanReversion, {"entry_z": 0.0, "exit_z": 0.0}, r"entry_z < exit_z"),
    (MeanReversion, {"entry_z": 1.0, "exit_z": -1.0}, r"entry_z < exit_z"),
    (RsiReversion, {"lower": 70, "upper": 30}, r"lower < upper; got lower=70.0, upper=30.0"),
    (RsiReversion, {"lower": 50, "upper": 50}, r"lower < upper"),
    (RsiReversion, {"upper": 101}, r"`rsi_reversion.upper` must lie in \[0, 100\]"),
    (RsiReversion, {"window": 0}, r"`rsi_reversion.window` must lie in"),
    (BollingerBands, {"period": 1}, r"`bollinger_bands.period` must lie in \[2,"),
    (BollingerBands, {"num_std": -0.5}, r"`bollinger_bands.num_std` must lie in \[0, 50\]"),
    (BollingerBands, {"num_std": math.inf}, r"must lie in"),
    (Macd, {"fast": 26, "slow": 12}, r"`macd` needs fast < slow"),
    (Macd, {"signal": 0}, r"`macd.signal` must lie in"),
    (BreakoutDonchian, {"lookback": 0}, r"`breakout_donchian.lookback` must lie in"),
    (BreakoutDonchian, {"lookback": None}, r"expects int; got None"),
]


@pytest.mark.smoke
@pytest.mark.parametrize(("cls", "params", "match"), BAD_PARAMS)
def test_invalid_params_raise_config_error_with_a_hint(
    cls: type[Strategy], params: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        cls(**params)
    assert info.value.hint
    assert info.value.context


def test_cross_parameter_error_names_the_rule_in_context() -> None:
    with pytest.raises(ConfigError) as info:
        MaCrossover(fast=30, slow=10)
    assert info.value.context == {
        "strategy": "ma_crossover",
        "rule": "fast < slow",
        "fast": 30,
        "slow": 10,
    }


def test_unknown_parameter_suggests_the_close_one() -> None:
    with pytest.raises(ConfigError, match="has no parameter 'fsat'") as info:
        MaCrossover(fsat=10)
    assert info.value.hint == "did you mean 'fast'? allowed: fast, slow"
    assert info.value.context["allowed"] == ["fast", "slow"]


def test_unknown_parameter_without_a_close_one_lists_the_allowed() -> None:
    with pytest.raises(ConfigError) as info:
        RsiReversion(zzz=1)
    assert info.value.hint == "allowed: window, lower, upper"


@pytest.mark.parametrize(
    ("params", "want"),
    [
        ({"fast": 10.0}, {"fast": 10, "slow": 50}),
        ({"fast": np.int64(7), "slow": np.int32(9)}, {"fast": 7, "slow": 9}),
        ({}, {"fast": 20, "slow": 50}),
    ],
)
def test_integral_values_are_coerced_to_int(params: dict[str, Any], want: dict[str, int]) -> None:
    got = MaCrossover(**params).params
    assert got == want
    assert all(type(v) is int for v in got.values())


def test_float_params_accept_ints_and_numpy_floats() -> None:
    got = RsiReversion(lower=25, upper=np.float64(80.5)).params
    assert got == {"window": 14, "lower": 25.0, "upper": 80.5}
    assert all(type(got[k]) is float for k in ("lower", "upper"))


@pytest.mark.parametrize(
    ("cls", "defaults"),
    [
        (MaCrossover, {"fast": 20, "slow": 50}),
        (Momentum, {"lookback": 20, "entry": 0.02, "exit": -0.01}),
        (MeanReversion, {"lookback": 20, "entry_z": -2.0, "exit_z": 0.0}),
        (RsiReversion, {"window": 14, "lower": 30.0, "upper": 70.0}),
        (BollingerBands, {"period": 20, "num_std": 2.0}),
        (Macd, {"fast": 12, "slow": 26, "signal": 9}),
        (BreakoutDonchian, {"lookback": 20}),
    ],
)
def test_defaults_are_those_of_the_issue(cls: type[Strategy], defaults: dict[str, Any]) -> None:
    assert cls().params == defaults
    assert all(spec.description for spec in cls.param_specs)
