"""Option checks never compare a frame or an array with ``==``."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from peak_trade import (
    ConfigError,
    compute_stats,
    synthetic_ohlcv,
    top_n,
    validate_ohlcv,
)
from peak_trade.core._options import is_one_of, require_flag, require_text

AWKWARD = [
    pl.DataFrame({"a": [1]}),
    pl.LazyFrame({"a": [1]}),
    pl.Series(["raise"]),
    pd.DataFrame({"a": ["raise"]}),
    pd.Series(["raise", "skip"]),
    np.array(["raise", "skip"]),
    np.array([]),
    None,
    1,
]


@pytest.mark.smoke
@pytest.mark.parametrize("value", AWKWARD)
def test_is_one_of_is_false_for_anything_but_a_matching_str(value):
    assert is_one_of(value, ("raise", "skip")) is False
    assert is_one_of("skip", ("raise", "skip")) is True


@pytest.mark.parametrize("value", AWKWARD)
def test_require_flag_and_text_refuse_with_a_short_repr(value):
    with pytest.raises(ConfigError, match=r"`strict` must be True or False; got") as flag:
        require_flag(value, name="strict")
    assert "\n" not in flag.value.message
    with pytest.raises(ConfigError, match=r"`timestamp` must be a non-empty string; got"):
        require_text(value, name="timestamp", example="timestamp")
    assert require_flag(np.bool_(True), name="strict") is True


def test_a_frame_as_a_bool_option_is_a_config_error():
    bars = synthetic_ohlcv(20)
    with pytest.raises(ConfigError, match=r"`strict` must be True or False; got polars DataFrame"):
        validate_ohlcv(bars, strict=bars)


def test_top_n_takes_any_frame_kind_and_names_a_missing_column():
    frame = pd.DataFrame({"fast": [5, 10], "sharpe": [0.5, 1.5]})
    assert top_n(frame, metric="sharpe", n=1)["fast"].to_list() == [10]
    with pytest.raises(ConfigError, match="the frame has no such column"):
        top_n(frame.drop(columns="sharpe"), metric="sharpe", n=1)
    with pytest.raises(ConfigError, match=r"cannot rank by numpy ndarray"):
        top_n(frame, metric=np.array(["sharpe"]), n=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"equity": np.zeros((2, 2))}, "`equity` must be a 1-D array of numbers"),
        ({"position": ["a", "b"]}, "`position` must be a 1-D array of numbers"),
        ({"position": np.zeros(3)}, "`equity` and `position` must be of equal length; got 2 and 3"),
        ({"trade_pnl": np.zeros(2)}, "the trade arrays must be of equal length"),
        (
            {"trade_open": np.zeros(2, dtype=bool)},
            r"the trade arrays \(`trade_pnl` and `trade_open`\)",
        ),
        ({"trade_open": np.array([0.5])}, "`trade_open` must hold booleans; got 0.5 at index 0"),
        ({"trade_open": np.array([np.nan])}, "`trade_open` must hold booleans; got nan at index 0"),
        ({"trade_open": "yes"}, "`trade_open` must be a 1-D array of numbers"),
        ({"initial_cash": 0.0}, "`initial_cash` must be a finite number > 0"),
        ({"years": float("nan")}, "`years` must be a finite number >= 0"),
        ({"periods_per_year": "252"}, "`periods_per_year` must be a finite number > 0"),
    ],
)
def test_compute_stats_refuses_bad_inputs_before_the_kernel(kwargs, match):
    args = {
        "equity": np.array([100.0, 110.0]),
        "position": np.zeros(2),
        "initial_cash": 100.0,
        "trade_pnl": np.zeros(1),
        "trade_return": np.zeros(1),
        "periods_per_year": 1.0,
        "years": 1.0,
        **kwargs,
    }
    equity, position = args.pop("equity"), args.pop("position")
    with pytest.raises(ConfigError, match=match):
        compute_stats(equity, position, **args)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((10**18,), {}, "cannot generate 1000000000000000000 bars of 1h: MemoryError"),
        ((True,), {}, "`bars` must be an int >= 0; got True"),
        ((5,), {"seed": 1.5}, "`seed` must be an int >= 0; got 1.5"),
        ((5,), {"price": -1.0}, r"`price` must be a number in \(0, 1e\+12\]"),
        ((5,), {"price": 1e308}, r"`price` must be a number in \(0, 1e\+12\]"),
        ((5,), {"volatility": float("inf")}, r"`volatility` must be a number in \[0, 1\]"),
        ((5,), {"volatility": float("nan")}, r"`volatility` must be a number in \[0, 1\]"),
        ((5,), {"start": "2024-01-01"}, "`start` must be a datetime"),
    ],
)
def test_synthetic_ohlcv_refuses_bad_arguments(args, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        synthetic_ohlcv(*args, **kwargs)
