"""Strategy entries checked against declared parameters passed in by the caller."""

from __future__ import annotations

from typing import Any

import pytest

from peak_trade.core._suggest import suggest
from peak_trade.core.config_schema import ParamLike, validate_config
from peak_trade.core.errors import ConfigError
from tests.core.config_fixtures import SPECS, errors_of, minimal, paths_of


@pytest.mark.parametrize(
    ("params", "path", "problem", "expected"),
    [
        ({"fats": 5}, "strategy.params.fats", "unknown parameter of strategy 'ma_crossover'", None),
        ({"fast": 5.5}, "strategy.params.fast", "wrong type", "int in [1, 10000]"),
        ({"fast": True}, "strategy.params.fast", "wrong type", "int in [1, 10000]"),
        ({"fast": 0}, "strategy.params.fast", "out of range", "int in [1, 10000]"),
        ({"slow": 10_001}, "strategy.params.slow", "out of range", "int in [2, 10000]"),
        ({"fast": [1]}, "strategy.params.fast", "wrong type", "a number, boolean or string"),
        ({"fast": float("nan")}, "strategy.params.fast", "wrong type", "a finite number"),
    ],
)
def test_strategy_params_are_checked_against_declared_specs(
    params: dict[str, Any], path: str, problem: str, expected: str | None
) -> None:
    doc = minimal(strategy={"name": "ma_crossover", "params": params})
    [error] = errors_of(doc, strategies=SPECS)
    assert (error["path"], error["problem"], error["expected"]) == (path, problem, expected)


@pytest.mark.smoke
def test_typo_in_single_strategy_param_suggests_its_path() -> None:
    doc = minimal(strategy={"name": "ma_crossover", "params": {"fats": 5}})
    with pytest.raises(ConfigError) as info:
        validate_config(doc, strategies=SPECS)
    assert info.value.hint is not None
    assert "did you mean 'strategy.params.fast'?" in info.value.hint
    assert info.value.context["errors"][0]["allowed"] == ["fast", "slow"]


def test_unknown_strategy_suggests_closest_registered_name() -> None:
    doc = minimal(strategy={"name": "ma_crosover"})
    [error] = errors_of(doc, strategies=SPECS)
    assert error["suggestion"] == "ma_crossover"
    assert error["allowed"] == ["flags", "ma_crossover", "rsi_reversion"]
    with pytest.raises(ConfigError, match=r"did you mean strategy\.name = 'ma_crossover'\?"):
        validate_config(doc, strategies=SPECS)


def test_bool_and_str_params_and_without_specs_params_pass_as_written() -> None:
    doc = minimal(strategy={"name": "flags", "params": {"on": True}})
    assert validate_config(doc, strategies=SPECS).strategies[0].params == {"on": True, "mode": "a"}
    assert paths_of(minimal(strategy={"name": "flags", "params": {"on": 1}}), strategies=SPECS) == [
        "strategy.params.on"
    ]
    loose = validate_config(minimal(strategy={"name": "anything", "params": {"x": "y"}}))
    assert loose.strategies[0].params == {"x": "y"}


def test_strategy_rule_runs_on_filled_params_and_reports_under_params() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def rule(name: str, params: Any) -> list[str]:
        seen.append((name, dict(params)))
        return ["needs fast < slow"] if params["fast"] >= params["slow"] else []

    doc = minimal(strategy={"name": "ma_crossover", "params": {"fast": 60}})
    [error] = errors_of(doc, strategies=SPECS, strategy_rule=rule)
    assert (error["path"], error["problem"]) == ("strategy.params", "needs fast < slow")
    assert seen == [("ma_crossover", {"fast": 60, "slow": 50})]


def test_fake_param_satisfies_the_paramlike_protocol() -> None:
    assert isinstance(SPECS["ma_crossover"][0], ParamLike)


@pytest.mark.parametrize(
    ("name", "choices", "expected"),
    [
        ("fee_bsp", ["fee_bps", "slippage_bps"], "fee_bps"),
        ("FAST", ["fast"], "fast"),
        ("zzz", ["fast", "slow"], None),
        ("x", [], None),
    ],
)
def test_suggest(name: str, choices: list[str], expected: str | None) -> None:
    assert suggest(name, choices) == expected
