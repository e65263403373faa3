"""Config problems: paths, expected/got, suggestions, and all of them in one ConfigError."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import pytest

from peak_trade.core._config_issues import toml_error
from peak_trade.core.config_schema import validate_config
from peak_trade.core.errors import ConfigError
from tests.core.config_fixtures import SPECS, errors_of, minimal, paths_of


@pytest.mark.smoke
def test_unknown_key_names_full_path_suggests_and_lists_allowed_keys() -> None:
    with pytest.raises(ConfigError) as info:
        validate_config(minimal(backtest={"fee_bsp": 5}), source="my.toml")
    err = info.value
    assert err.message == (
        "my.toml: 1 problem in the config\n"
        "  backtest.fee_bsp: unknown key, got 5 (did you mean 'backtest.fee_bps'?)"
    )
    assert err.hint is not None
    assert err.hint.startswith("did you mean 'backtest.fee_bps'?")
    assert err.context["errors"] == [
        {
            "path": "backtest.fee_bsp",
            "problem": "unknown key",
            "expected": None,
            "got": 5,
            "suggestion": "backtest.fee_bps",
            "allowed": [
                "allow_short",
                "close_at_end",
                "execution",
                "fee_bps",
                "initial_cash",
                "periods_per_year",
                "position_fraction",
                "slippage_bps",
                "stop_loss",
                "take_profit",
                "trailing_stop",
            ],
        }
    ]


def test_every_problem_is_reported_at_once_in_one_error() -> None:
    doc = {
        "data": {"provider": "synthetc", "symbols": ["A", "A"], "timeframe": "1 hour"},
        "backtest": {"fee_bsp": 1, "initial_cash": -1},
        "bakctest": {},
        "provider": {"retry": {"max_atempts": 3}, "circuit_breaker": {"failure_threshold": 0}},
        "strategies": [
            {"name": "ma_crossover", "params": {"fats": 5}},
            {"name": "rsi_reversal", "params": {}},
            {"name": "rsi_reversion", "params": {"window": 0.5, "upper": 101}},
        ],
    }
    errors = errors_of(doc, strategies=SPECS)
    assert [(e["path"], e["suggestion"]) for e in errors] == [
        ("data.provider", "synthetic"),
        ("data.symbols", None),
        ("data.timeframe", None),
        ("backtest.initial_cash", None),
        ("backtest.fee_bsp", "backtest.fee_bps"),
        ("provider.retry.max_atempts", "provider.retry.max_attempts"),
        ("provider.circuit_breaker.failure_threshold", None),
        ("bakctest", "backtest"),
        ("strategies[0].params.fats", "strategies[0].params.fast"),
        ("strategies[1].name", "rsi_reversion"),
        ("strategies[2].params.window", None),
        ("strategies[2].params.upper", None),
    ]


@pytest.mark.parametrize(
    ("sections", "path", "problem", "expected", "got"),
    [
        ({"run": {"seed": -1}}, "run.seed", "out of range", ">= 0", -1),
        ({"run": {"seed": 2**32}}, "run.seed", "out of range", "< 4294967296", 2**32),
        ({"run": {"seed": True}}, "run.seed", "wrong type", "an integer", True),
        ({"run": {"name": ""}}, "run.name", "too short", "a non-empty string", ""),
        ({"backtest": {"fee_bps": "10"}}, "backtest.fee_bps", "wrong type", "a number", "10"),
        ({"backtest": {"fee_bps": 1000}}, "backtest.fee_bps", "out of range", "< 1000.0", 1000),
        (
            {"backtest": {"position_fraction": 0}},
            "backtest.position_fraction",
            "out of range",
            "> 0.0",
            0,
        ),
        (
            {"backtest": {"allow_short": 1}},
            "backtest.allow_short",
            "wrong type",
            "true or false",
            1,
        ),
        (
            {"backtest": {"periods_per_year": float("inf")}},
            "backtest.periods_per_year",
            "wrong type",
            "a finite number",
            float("inf"),
        ),
        (
            {"backtest": {"execution": "open"}},
            "backtest.execution",
            "not an allowed value",
            "one of 'next_open', 'close'",
            "open",
        ),
        (
            {"invariants": {"mode": "strictt"}},
            "invariants.mode",
            "not an allowed value",
            "one of 'strict', 'warn', 'off'",
            "strictt",
        ),
        ({"invariants": {"abs_tol": -1e-9}}, "invariants.abs_tol", "out of range", ">= 0.0", -1e-9),
        (
            {"invariants": {"max_leverage": 0.0}},
            "invariants.max_leverage",
            "out of range",
            "> 0.0",
            0.0,
        ),
        (
            {"cache": {"checksum": "md5"}},
            "cache.checksum",
            "not an allowed value",
            "one of 'xxh3', 'sha256', 'hmac-sha256', 'none'",
            "md5",
        ),
        (
            {"provider": {"retry": {"multiplier": 0.5}}},
            "provider.retry.multiplier",
            "out of range",
            ">= 1.0",
            0.5,
        ),
        ({"provider": {"retry": "fast"}}, "provider.retry", "wrong type", "a table", "fast"),
        (
            {"logging": {"level": 10}},
            "logging.level",
            "not an allowed value",
            "one of 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'",
            10,
        ),
    ],
)
def test_wrong_type_or_range_gives_path_expected_got(
    sections: dict[str, Any], path: str, problem: str, expected: str, got: Any
) -> None:
    [error] = errors_of(minimal(**sections))
    assert (error["path"], error["problem"], error["expected"], error["got"]) == (
        path,
        problem,
        expected,
        got,
    )


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        ({"provider": "file"}, "data.path", "required by provider 'file'"),
        ({"provider": "ccxt"}, "data.exchange", "required by provider 'ccxt'"),
        ({"path": "d"}, "data.path", "only used by provider 'file', not 'synthetic'"),
        (
            {"provider": "file", "path": "d", "bars": 9},
            "data.bars",
            "only used by provider 'synthetic', not 'file'",
        ),
        (
            {"start": dt.datetime(2024, 2, 1), "end": dt.datetime(2024, 1, 1)},
            "data.end",
            "is not after data.start",
        ),
        ({"symbols": ["A", "B", "A"]}, "data.symbols", "repeats a value"),
        ({"symbols": []}, "data.symbols", "too short"),
        ({"timeframe": "0h"}, "data.timeframe", "not a timeframe"),
        ({"start": "2024-01-01"}, "data.start", "wrong type"),
    ],
)
def test_data_rules(data: dict[str, Any], path: str, problem: str) -> None:
    base = {"provider": "synthetic", "symbols": ["BTC"], "timeframe": "1h"}
    [error] = errors_of(minimal(data={**base, **data}))
    assert (error["path"], error["problem"]) == (path, problem)


def test_bars_default_only_for_the_synthetic_provider() -> None:
    data = {"provider": "file", "symbols": ["A"], "timeframe": "1h", "path": "d"}
    cfg = validate_config(minimal(data=data))
    assert cfg.data.bars is None
    assert "bars" not in cfg.to_dict()["data"]


def test_hmac_checksum_needs_a_key_variable_and_only_it_takes_one() -> None:
    assert paths_of(minimal(cache={"checksum": "hmac-sha256"})) == ["cache.key_env"]
    assert paths_of(minimal(cache={"key_env": "K"})) == ["cache.key_env"]
    cfg = validate_config(minimal(cache={"checksum": "hmac-sha256", "key_env": "K"}))
    assert cfg.cache.key_env == "K"


def test_logging_level_is_case_insensitive() -> None:
    assert validate_config(minimal(logging={"level": "debug"})).logging.level == "DEBUG"


@pytest.mark.parametrize(
    ("doc", "path", "problem"),
    [
        (
            {"data": minimal()["data"]},
            "strategies",
            "no strategy: add a [strategy] table or [[strategies]] entries",
        ),
        (
            {**minimal(), "strategies": [{"name": "macd"}]},
            "strategy",
            "given together with [[strategies]]; use one of the two forms",
        ),
        ({**minimal(), "strategy": [{"name": "macd"}]}, "strategy", "wrong type"),
        ({"data": minimal()["data"], "strategies": []}, "strategies", "too short"),
        (
            {"data": minimal()["data"], "strategies": [{"name": "macd"}, {"name": "macd"}]},
            "strategies[1].label",
            "'macd' already names strategies[0]",
        ),
        ({**minimal(), "strategy": {"name": "macd", "nmae": 1}}, "strategy.nmae", "unknown key"),
    ],
)
def test_strategy_form_problems(doc: dict[str, Any], path: str, problem: str) -> None:
    [error] = errors_of(doc)
    assert (error["path"], error["problem"]) == (path, problem)


def test_labels_let_a_strategy_appear_twice() -> None:
    entries = [{"name": "macd", "label": "fast"}, {"name": "macd", "label": "slow"}]
    cfg = validate_config({"data": minimal()["data"], "strategies": entries})
    assert [s.key for s in cfg.strategies] == ["fast", "slow"]


def test_non_mapping_document_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="a config must be a table"):
        validate_config(["data"])  # type: ignore[arg-type]  # the wrong type is the test


def test_toml_error_uses_position_attributes_when_present() -> None:
    """Python 3.14 sets lineno/colno/msg on TOMLDecodeError(msg, doc, pos); they are used."""
    doc = "a = 1\nb = ?\n"
    exc = tomllib.TOMLDecodeError("Odd thing", doc, 8)  # 3.11 keeps the args, 3.14 parses pos
    exc.lineno, exc.colno, exc.msg = 2, 3, "Odd thing"  # type: ignore[attr-defined]
    err = toml_error(exc, doc, source="x.toml")
    assert (err.context["line"], err.context["column"], err.context["reason"]) == (
        2,
        3,
        "Odd thing",
    )
    assert err.message.startswith("x.toml:2:3: invalid TOML: Odd thing")
