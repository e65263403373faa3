"""The strategy registry (stability plan B4)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import polars as pl
import pytest

from peak_trade.backtest.registry import (
    StrategyInfo,
    get_strategy,
    get_strategy_class,
    get_strategy_info,
    list_strategies,
    register_strategy,
    reset_registry,
)
from peak_trade.backtest.strategies import BUILTIN_STRATEGIES, MaCrossover, ParamSpec, Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv

BUILTIN_NAMES = [
    "bollinger_bands",
    "breakout_donchian",
    "ma_crossover",
    "macd",
    "mean_reversion",
    "momentum",
    "rsi_reversion",
]


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


def _make(description: str = "always long", **attrs: Any) -> type[Strategy]:
    """A fresh, valid Strategy subclass (each call a new class)."""

    def signal_expr(self: Strategy) -> pl.Expr:
        return pl.lit(self.params["level"])

    namespace: dict[str, Any] = {
        "description": description,
        "param_specs": (ParamSpec("level", float, 1.0, low=0.0, high=1.0, description="x"),),
        "signal_expr": signal_expr,
        **attrs,
    }
    return type("Custom", (Strategy,), namespace)


@pytest.mark.smoke
def test_builtins_are_listed_with_their_params() -> None:
    infos = list_strategies()
    assert [i.name for i in infos] == BUILTIN_NAMES
    ma = next(i for i in infos if i.name == "ma_crossover")
    assert ma.params == MaCrossover.param_specs
    assert ma.defaults() == {"fast": 20, "slow": 50}
    assert ma.description == MaCrossover.description


def test_get_strategy_builds_an_instance() -> None:
    built = get_strategy("ma_crossover", fast=5)
    assert built == MaCrossover(fast=5, slow=50)
    assert get_strategy_class("macd").name == "macd"
    assert {c.name for c in BUILTIN_STRATEGIES} == set(BUILTIN_NAMES)


def test_unknown_name_lists_the_names_and_suggests_one() -> None:
    with pytest.raises(ConfigError, match="unknown strategy 'ma_crosover'") as info:
        get_strategy("ma_crosover")
    assert info.value.hint == f"did you mean 'ma_crossover'? available: {', '.join(BUILTIN_NAMES)}"
    assert info.value.context["available"] == BUILTIN_NAMES
    assert info.value.context["suggestion"] == "ma_crossover"


def test_unknown_name_without_a_close_one_lists_the_names() -> None:
    with pytest.raises(ConfigError) as info:
        get_strategy_class("zzz")
    assert info.value.hint == f"available: {', '.join(BUILTIN_NAMES)}"


def test_a_non_string_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown strategy 3"):
        get_strategy_class(3)  # type: ignore[arg-type]  # deliberately wrong type


def test_unknown_parameter_suggests_the_close_one() -> None:
    with pytest.raises(ConfigError, match="has no parameter 'lookbak'") as info:
        get_strategy("momentum", lookbak=5)
    assert info.value.hint is not None
    assert info.value.hint.startswith("did you mean 'lookback'?")


def test_register_a_user_strategy_and_reset() -> None:
    custom = register_strategy("always_long")(_make())
    assert custom.name == "always_long"
    assert "always_long" in [i.name for i in list_strategies()]
    signal = get_strategy("always_long", level=0.5).signal(synthetic_ohlcv(3))
    assert signal.tolist() == [0.5, 0.5, 0.5]
    reset_registry()
    assert [i.name for i in list_strategies()] == BUILTIN_NAMES


def test_the_decorator_form_returns_the_class() -> None:
    @register_strategy("decorated")
    class Decorated(Strategy):
        description: ClassVar[str] = "flat"
        param_specs: ClassVar[tuple[ParamSpec, ...]] = ()

        def signal_expr(self) -> pl.Expr:
            return pl.lit(0.0)

    assert get_strategy_class("decorated") is Decorated
    assert get_strategy("decorated").params == {}


@pytest.mark.parametrize("name", ["ma_crossover", "twice"])
def test_registering_a_name_twice_is_rejected(name: str) -> None:
    if name == "twice":
        register_strategy("twice")(_make())
    with pytest.raises(ConfigError, match=f"cannot register strategy '{name}': the name is taken"):
        register_strategy(name)(_make())


def test_subclass_of_a_builtin_takes_the_new_name() -> None:
    class Faster(MaCrossover):
        pass

    register_strategy("faster_ma")(Faster)
    assert Faster.name == "faster_ma"
    assert MaCrossover.name == "ma_crossover"


class _Abstract(Strategy):
    description: ClassVar[str] = "no signal"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = ()


class _BadDefaults(Strategy):
    description: ClassVar[str] = "defaults break the rule"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("a", int, 5, low=1),
        ParamSpec("b", int, 3, low=1),
    )

    @classmethod
    def check_params(cls, params: Any) -> None:
        if params["a"] >= params["b"]:
            raise ConfigError("`a` must be below `b`", hint="lower a")

    def signal_expr(self) -> pl.Expr:
        return pl.lit(0.0)


@pytest.mark.parametrize(
    ("name", "cls", "match"),
    [
        ("Bad-Name", _make(), "names are lower_snake_case"),
        ("ok_name", int, "is not a Strategy subclass"),
        ("ok_name", _make()(), "is not a Strategy subclass"),
        ("ok_name", _Abstract, r"leaves \['signal_expr'\] abstract"),
        ("ok_name", _make(name="other"), "the class says its name is 'other'"),
        ("ok_name", _make(description=""), "has no `description`"),
        ("ok_name", _make(param_specs=[]), "is not a tuple of ParamSpec"),
        (
            "ok_name",
            _make(param_specs=(ParamSpec("x", int, 1), ParamSpec("x", int, 2))),
            "repeated parameter names",
        ),
        ("ok_name", _BadDefaults, "its defaults are invalid: `a` must be below `b`"),
    ],
)
def test_unusable_registrations_are_rejected(name: str, cls: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        register_strategy(name)(cls)
    assert info.value.hint
    assert name not in [i.name for i in list_strategies()]


def test_concurrent_registrations_keep_every_name_once() -> None:
    """8 threads race to register the same 20 names: each lands once."""
    classes = {f"race_{i}": [_make() for _ in range(8)] for i in range(20)}
    barrier = threading.Barrier(8)
    wins: list[str] = []
    losses: list[str] = []

    def worker(t: int) -> None:
        barrier.wait()
        for name, options in classes.items():
            try:
                register_strategy(name)(options[t])
            except ConfigError:
                losses.append(name)
            else:
                wins.append(name)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == sorted(classes)
    assert len(losses) == 20 * 7
    assert [i.name for i in list_strategies()] == sorted([*BUILTIN_NAMES, *classes])


def test_strategy_info_is_frozen_and_json_ready() -> None:
    info = get_strategy_info("rsi_reversion")
    assert isinstance(info, StrategyInfo)
    with pytest.raises(AttributeError):
        info.name = "x"  # type: ignore[misc]  # frozen on purpose
    data = json.loads(json.dumps(info.to_dict()))
    assert data["params"][0] == {
        "name": "window",
        "kind": "int",
        "default": 14,
        "low": 1,
        "high": 1_000_000,
        "description": "RSI window, bars",
    }


def test_a_class_registered_once_cannot_take_a_second_name() -> None:
    custom = register_strategy("first_name")(_make())
    with pytest.raises(ConfigError, match="the class says its name is 'first_name'"):
        register_strategy("second_name")(custom)
    assert get_strategy_class("first_name").name == "first_name"


def test_an_unregistered_subclass_is_called_by_its_class_name() -> None:
    assert _make().name == "Custom"
