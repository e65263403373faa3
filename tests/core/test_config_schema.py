"""Config schema: normal form, round trips, hashing, and every problem in one ConfigError."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from peak_trade.core._config_docs import render_config_docs
from peak_trade.core.config_schema import load_config, quickstart_path, validate_config
from peak_trade.core.errors import ConfigError
from tests.core.config_fixtures import SPECS, minimal

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "config.md"


MINIMAL_NORMAL_FORM = {
    "run": {"name": "peak-trade", "seed": 0, "output_dir": "runs"},
    "data": {
        "provider": "synthetic",
        "symbols": ["BTC"],
        "timeframe": "1h",
        "bars": 5000,
        "duplicates": "error",
    },
    "cache": {"dir": ".peak_trade_cache", "format": "arrow", "checksum": "xxh3"},
    "backtest": {
        "initial_cash": 10_000.0,
        "fee_bps": 10.0,
        "slippage_bps": 5.0,
        "execution": "next_open",
        "position_fraction": 1.0,
        "allow_short": False,
        "close_at_end": False,
    },
    "strategies": [{"name": "ma_crossover", "params": {}}],
    "invariants": {
        "mode": "strict",
        "timing": "every_bar",
        "abs_tol": 1e-6,
        "rel_tol": 1e-9,
    },
    "logging": {"level": "INFO", "format": "text"},
    "provider": {
        "retry": {
            "max_attempts": 5,
            "base_delay": 0.5,
            "max_delay": 30.0,
            "multiplier": 2.0,
            "jitter": "full",
        },
        "circuit_breaker": {
            "failure_threshold": 5,
            "recovery_timeout": 30.0,
            "half_open_max_calls": 1,
        },
    },
}


@pytest.mark.smoke
def test_quickstart_loads_with_three_symbols_two_strategies_strict_json() -> None:
    cfg = load_config(quickstart_path(), strategies=SPECS)
    assert cfg.data.provider == "synthetic"
    assert cfg.data.symbols == ("BTC/USDT", "ETH/USDT", "SOL/USDT")
    assert (cfg.data.timeframe, cfg.data.bars) == ("1h", 4000)
    assert [s.name for s in cfg.strategies] == ["ma_crossover", "rsi_reversion"]
    assert cfg.strategies[1].params == {"window": 14, "lower": 30.0, "upper": 70.0}
    assert (cfg.invariants.mode, cfg.logging.format) == ("strict", "json")


@pytest.mark.smoke
def test_minimal_config_fills_every_default() -> None:
    assert validate_config(minimal()).to_dict() == MINIMAL_NORMAL_FORM


def test_schema_defaults_match_the_engine_and_provider_defaults() -> None:
    import dataclasses
    import inspect

    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.invariants import InvariantConfig
    from peak_trade.data.circuit_breaker import CircuitBreaker
    from peak_trade.data.retry import RetryPolicy

    cfg = validate_config(minimal())
    assert BacktestConfig(**cfg.backtest.model_dump()) == BacktestConfig()
    assert InvariantConfig(**cfg.invariants.model_dump()) == InvariantConfig()
    assert cfg.invariants.max_leverage is None  # the engine derives it from [backtest]
    retry_defaults = {f.name: f.default for f in dataclasses.fields(RetryPolicy)}
    assert {k: retry_defaults[k] for k in type(cfg.provider.retry).model_fields} == (
        cfg.provider.retry.model_dump()
    )
    breaker = inspect.signature(CircuitBreaker).parameters
    assert {k: breaker[k].default for k in type(cfg.provider.circuit_breaker).model_fields} == (
        cfg.provider.circuit_breaker.model_dump()
    )


_bt_values = st.one_of(
    st.floats(min_value=-2.0, max_value=1100.0, allow_nan=False),
    st.sampled_from([0.0, 1.0, 1000.0, -0.0, 0.5]),
)


@settings(deadline=None, max_examples=60)
@given(cash=_bt_values, fee=_bt_values, slip=_bt_values, fraction=_bt_values, ppy=_bt_values)
def test_backtest_section_accepts_exactly_what_backtestconfig_accepts(
    cash: float, fee: float, slip: float, fraction: float, ppy: float
) -> None:
    from peak_trade.backtest.config import BacktestConfig

    fields = {
        "initial_cash": cash,
        "fee_bps": fee,
        "slippage_bps": slip,
        "position_fraction": fraction,
        "periods_per_year": ppy,
    }
    try:
        BacktestConfig(**fields)
        engine_ok = True
    except ConfigError:
        engine_ok = False
    try:
        validate_config(minimal(backtest=fields))
        schema_ok = True
    except ConfigError:
        schema_ok = False
    assert schema_ok == engine_ok


def test_single_strategy_table_equals_one_strategies_entry() -> None:
    single = validate_config(minimal())
    doc = minimal()
    doc["strategies"] = [doc.pop("strategy")]
    assert validate_config(doc) == single
    assert validate_config(doc).hash() == single.hash()


def test_hash_is_sha256_of_the_canonical_json_of_the_normal_form() -> None:
    cfg = load_config(quickstart_path())
    text = json.dumps(cfg.to_dict(), sort_keys=True, separators=(",", ":"))
    assert cfg.hash() == hashlib.sha256(text.encode()).hexdigest()[:16]


def test_hash_ignores_spelt_out_defaults_and_key_order_but_not_values() -> None:
    base = validate_config(minimal())
    spelt = validate_config({**minimal(), "backtest": {"fee_bps": 10, "slippage_bps": 5.0}})
    reordered = validate_config(dict(reversed(list(minimal().items()))))
    changed = validate_config({**minimal(), "backtest": {"fee_bps": 11.0}})
    assert base.hash() == spelt.hash() == reordered.hash()
    assert changed.hash() != base.hash()


def test_declared_defaults_are_filled_and_floats_coerced() -> None:
    doc = minimal(strategy={"name": "rsi_reversion", "params": {"lower": 25}})
    cfg = validate_config(doc, strategies=SPECS)
    assert cfg.strategies[0].params == {"window": 14, "lower": 25.0, "upper": 70.0}
    assert isinstance(cfg.strategies[0].params["lower"], float)
    assert validate_config(cfg.to_dict()) == cfg


_names = st.text(alphabet="abcxyz_-/ ", min_size=1, max_size=6)
_param_values = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=5),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": "synthetic",
        "symbols": draw(st.lists(_names, min_size=1, max_size=3, unique=True)),
        "timeframe": draw(st.sampled_from(["1m", "15m", "1h", "4h", "1d", "2w"])),
    }
    if draw(st.booleans()):
        data["bars"] = draw(st.integers(1, 10**6))
    if draw(st.booleans()):
        data["start"] = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1)))
    count = draw(st.integers(1, 3))
    strategies = [
        {
            "name": draw(st.sampled_from(["ma_crossover", "macd"])),
            "label": f"s{i}",
            "params": draw(st.dictionaries(_names, _param_values, max_size=3)),
        }
        for i in range(count)
    ]
    doc: dict[str, Any] = {"data": data, "strategies": strategies}
    if draw(st.booleans()):
        doc["backtest"] = {
            "fee_bps": draw(st.floats(0, 999)),
            "allow_short": draw(st.booleans()),
            "periods_per_year": draw(st.floats(1, 1e5)),
        }
    if draw(st.booleans()):
        doc["logging"] = {"level": draw(st.sampled_from(["debug", "Info", "ERROR"]))}
    if draw(st.booleans()):
        doc["run"] = {"seed": draw(st.integers(0, 2**32 - 1)), "name": draw(_names)}
    if draw(st.booleans()):
        doc["provider"] = {"retry": {"deadline": draw(st.floats(0.1, 100))}}
    if draw(st.booleans()):
        doc["invariants"] = {"mode": "warn", "max_leverage": draw(st.floats(0.01, 100))}
    return doc


@settings(deadline=None, max_examples=60)
@given(documents())
def test_to_dict_and_to_toml_round_trip(doc: dict[str, Any]) -> None:
    cfg = validate_config(doc)
    assert validate_config(cfg.to_dict()) == cfg
    again = validate_config(tomllib.loads(cfg.to_toml()))
    assert again == cfg
    assert again.hash() == cfg.hash()


def test_datetimes_become_utc() -> None:
    eastern = dt.timezone(dt.timedelta(hours=-5))
    data = {
        "provider": "synthetic",
        "symbols": ["A"],
        "timeframe": "1d",
        "start": dt.date(2024, 1, 1),
        "end": dt.datetime(2024, 1, 1, 19, 0, tzinfo=eastern),
    }
    cfg = validate_config(minimal(data=data))
    assert cfg.data.start == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert cfg.data.end == dt.datetime(2024, 1, 2, 0, 0, tzinfo=dt.UTC)
    assert cfg.data.end is not None
    assert cfg.data.end.tzinfo is dt.UTC
    naive = validate_config(minimal(data={**data, "start": dt.datetime(2024, 1, 1, 6)}))
    assert naive.data.start == dt.datetime(2024, 1, 1, 6, tzinfo=dt.UTC)


def test_config_is_frozen() -> None:
    cfg = validate_config(minimal())
    with pytest.raises(ValidationError, match="frozen"):
        cfg.run = cfg.run  # type: ignore[misc]  # assignment is what is under test


def test_bad_toml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[run]\nseed = 1\nname = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml:3:8: invalid TOML: Invalid value") as info:
        load_config(path)
    err = info.value
    assert (err.context["line"], err.context["column"]) == (3, 8)
    assert err.context["reason"] == "Invalid value"
    assert isinstance(err.__cause__, tomllib.TOMLDecodeError)
    assert err.message.splitlines()[1:] == ["    name = ", "           ^"]


def test_bad_toml_at_end_of_document_points_past_the_last_character(tmp_path: Path) -> None:
    path = tmp_path / "cut.toml"
    path.write_text('[run]\nname = "x', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.context["line"], info.value.context["column"]) == (2, 10)
    assert info.value.context["reason"] == "Unterminated string"


def test_missing_file_is_a_config_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as info:
        load_config(tmp_path / "nope.toml")
    assert info.value.hint is not None
    assert "quickstart" in info.value.hint
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_unreadable_and_non_utf8_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"a = 1\n\xff")
    with pytest.raises(ConfigError, match="not UTF-8 text") as info:
        load_config(binary)
    assert info.value.context["offset"] == 6


def test_load_config_reports_schema_problems_under_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text(quickstart_path().read_text(encoding="utf-8").replace("fee_bps", "fee_bsp"))
    with pytest.raises(ConfigError, match=r"run\.toml: 1 problem in the config") as info:
        load_config(path)
    assert info.value.context["source"] == str(path)


def test_docs_page_is_generated_from_the_current_schema() -> None:
    assert DOCS_PAGE.read_text(encoding="utf-8") == render_config_docs(), (
        "docs/config.md is stale; run: python tools/gen_config_docs.py"
    )


def test_docs_page_lists_every_key_of_every_section() -> None:
    page = render_config_docs()
    for section in ("run", "data", "cache", "backtest", "invariants", "logging"):
        model = type(getattr(validate_config(minimal()), section))
        for key in model.model_fields:
            assert f"| `{key}` |" in page, f"{section}.{key} is missing from docs/config.md"
