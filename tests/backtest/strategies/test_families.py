"""Every built-in strategy against its plain-Python reference, and free of look-ahead."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.strategies import BUILTIN_STRATEGIES, Strategy
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from tests.backtest.strategies.closes import closes
from tests.backtest.strategies.params import VALID_PARAMS
from tests.backtest.strategies.reference import REFERENCES

CLASSES: dict[str, type[Strategy]] = {c.name: c for c in BUILTIN_STRATEGIES}
NAMES = sorted(CLASSES)
_VOLS = st.sampled_from([0.002, 0.01, 0.04])


def test_every_builtin_has_a_reference_and_params() -> None:
    assert sorted(REFERENCES) == NAMES
    assert sorted(VALID_PARAMS) == NAMES


@pytest.mark.smoke
@pytest.mark.parametrize("name", NAMES)
def test_default_signal_equals_reference(name: str) -> None:
    df = synthetic_ohlcv(2_000, seed=3)
    strategy = CLASSES[name]()
    got = strategy.signal(df)
    assert got.dtype == np.float64
    assert got.flags.c_contiguous
    assert got.tolist() == REFERENCES[name](df, strategy.params)
    assert set(got.tolist()) == {0.0, 1.0}, "the data should exercise both states"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_signal_equals_reference(name: str, data: st.DataObject) -> None:
    params = data.draw(VALID_PARAMS[name], label="params")
    bars = data.draw(st.integers(0, 400), label="bars")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    df = synthetic_ohlcv(bars, seed=seed, volatility=data.draw(_VOLS, label="vol"))
    strategy = CLASSES[name](**params)
    got = strategy.signal(df)
    assert got.tolist() == REFERENCES[name](df, strategy.params)
    assert not got[: strategy.warmup()].any(), "warm-up bars must be flat"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_no_lookahead(name: str, data: st.DataObject) -> None:
    """The signals of data[:k] are the first k signals of the full data."""
    params = data.draw(VALID_PARAMS[name], label="params")
    bars = data.draw(st.integers(1, 400), label="bars")
    df = synthetic_ohlcv(bars, seed=data.draw(st.integers(0, 2**16)), volatility=0.01)
    k = data.draw(st.integers(0, bars), label="k")
    strategy = CLASSES[name](**params)
    full = strategy.signal(df)
    assert strategy.signal(df.head(k)).tolist() == full[:k].tolist()


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_signal_matrix_equals_each_signal(name: str, data: st.DataObject) -> None:
    combos: list[dict[str, Any]] = data.draw(
        st.lists(VALID_PARAMS[name], min_size=1, max_size=6), label="combos"
    )
    df = synthetic_ohlcv(data.draw(st.integers(0, 300)), seed=data.draw(st.integers(0, 99)))
    matrix = CLASSES[name].signal_matrix(df, combos)
    assert matrix.shape == (df.height, len(combos))
    assert matrix.dtype == np.float64
    assert matrix.flags.f_contiguous
    for j, combo in enumerate(combos):
        assert matrix[:, j].tolist() == CLASSES[name](**combo).signal(df).tolist()


@pytest.mark.parametrize("name", NAMES)
def test_no_combos_gives_an_empty_matrix(name: str) -> None:
    matrix = CLASSES[name].signal_matrix(synthetic_ohlcv(10), [])
    assert matrix.shape == (10, 0)


@pytest.mark.parametrize("name", NAMES)
def test_empty_frame_gives_an_empty_signal(name: str) -> None:
    assert CLASSES[name]().signal(synthetic_ohlcv(0)).shape == (0,)


@pytest.mark.parametrize("name", NAMES)
def test_integer_prices_are_read_as_floats(name: str) -> None:
    df = synthetic_ohlcv(300, seed=5, price=1_000.0, volatility=0.03)
    rounded = df.with_columns(df["close"].round(0).cast(int).alias("close"))
    as_float = df.with_columns(df["close"].round(0).alias("close"))
    strategy = CLASSES[name]()
    assert strategy.signal(rounded).tolist() == strategy.signal(as_float).tolist()


@pytest.mark.parametrize("name", ["bollinger_bands", "rsi_reversion", "ma_crossover"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_one_combination_path_is_the_grid_column_on_gappy_closes(
    name: str, data: st.DataObject
) -> None:
    """``signal`` (one combination, written in place) is bit for bit its grid column,
    with nulls, NaN, inf and constant stretches in the closes."""
    close = data.draw(closes(), label="close")
    df = pl.DataFrame({"close": close}, schema={"close": pl.Float64})
    combo, other = data.draw(VALID_PARAMS[name], label="combo"), data.draw(VALID_PARAMS[name])
    matrix = CLASSES[name].signal_matrix(df, [combo, other])
    assert CLASSES[name](**combo).signal(df).tobytes() == matrix[:, 0].tobytes()
