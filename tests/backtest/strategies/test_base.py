"""The strategy contract: ParamSpec, column checks, equality, suggestions."""

from __future__ import annotations

from typing import Any, ClassVar

import polars as pl
import pytest

from peak_trade.backtest.strategies import (
    BreakoutDonchian,
    MaCrossover,
    Momentum,
    ParamSpec,
    Strategy,
    suggest,
)
from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data.providers.synthetic import synthetic_ohlcv


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "bad name", "kind": int, "default": 1}, "is not an identifier"),
        ({"name": "x", "kind": str, "default": 1}, "`kind` must be int or float"),
        ({"name": "x", "kind": int, "default": 1, "low": 5, "high": 2}, "exceeds `high`"),
        ({"name": "x", "kind": int, "default": 0, "low": 1}, r"must lie in \[1, inf\]; got 0"),
        ({"name": "x", "kind": int, "default": 1.5}, "expects int"),
    ],
)
def test_bad_param_spec_is_rejected(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        ParamSpec(**kwargs)


def test_range_text() -> None:
    assert ParamSpec("x", float, 0.5, low=-1.5, high=None).range_text == "[-1.5, inf]"
    assert ParamSpec("x", int, 3, low=1, high=1_000_000).range_text == "[1, 1000000]"


@pytest.mark.smoke
def test_missing_column_is_a_data_contract_error() -> None:
    df = synthetic_ohlcv(30).drop("high")
    with pytest.raises(DataContractError, match=r"reads columns \['high'\]") as info:
        BreakoutDonchian().signal(df)
    assert info.value.context["missing"] == ["high"]
    with pytest.raises(DataContractError, match="close"):
        MaCrossover.signal_matrix(pl.DataFrame({"price": [1.0]}), [{}])
    with pytest.raises(DataContractError, match="close"):
        Momentum.signal_matrix(pl.DataFrame({"price": [1.0]}), [{}])


def test_equality_hash_and_repr() -> None:
    a, b = MaCrossover(fast=5, slow=9), MaCrossover(fast=5.0, slow=9)
    assert a == b
    assert hash(a) == hash(b)
    assert a != MaCrossover(fast=6, slow=9)
    assert a != Momentum()
    assert repr(a) == "MaCrossover(fast=5, slow=9)"


def test_suggest() -> None:
    assert suggest("slwo", ["fast", "slow"]) == "slow"
    assert suggest("zzz", ["fast", "slow"]) is None


class _Constant(Strategy):
    name: ClassVar[str] = "constant"
    description: ClassVar[str] = "a constant exposure"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("level", float, 0.5, low=-1.0, high=1.0, description="the exposure"),
    )

    def signal_expr(self) -> pl.Expr:
        return pl.lit(self.params["level"])


def test_a_subclass_gets_signal_and_matrix_for_free() -> None:
    df = synthetic_ohlcv(4)
    assert _Constant(level=-0.25).signal(df).tolist() == [-0.25] * 4
    matrix = _Constant.signal_matrix(df, [{"level": 1.0}, {}])
    assert matrix.tolist() == [[1.0, 0.5]] * 4
    assert _Constant().warmup() == 0


class _Broken(Strategy):
    name: ClassVar[str] = "broken"
    description: ClassVar[str] = "reads a column nobody declared"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("mode", int, 0, low=0, high=1, description="0: bad column, 1: bad length"),
    )

    def signal_expr(self) -> pl.Expr:
        return pl.col("vwap") if self.params["mode"] == 0 else pl.col("close").head(2)


@pytest.mark.parametrize("mode", [0, 1])
def test_a_failing_expression_becomes_a_config_error(mode: int) -> None:
    with pytest.raises(ConfigError, match="the signal expression of `broken` failed") as info:
        _Broken(mode=mode).signal(synthetic_ohlcv(5))
    assert isinstance(info.value.cause, pl.exceptions.PolarsError)
