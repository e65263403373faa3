"""Shared helpers of the config tests: fake strategy specs and a minimal document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from peak_trade.core.config_schema import validate_config
from peak_trade.core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class FakeParam:
    """Stands in for the registry's ParamSpec (core must not import backtest)."""

    name: str
    kind: type
    default: object
    low: float | None = None
    high: float | None = None


SPECS: dict[str, tuple[FakeParam, ...]] = {
    "ma_crossover": (FakeParam("fast", int, 20, 1, 10_000), FakeParam("slow", int, 50, 2, 10_000)),
    "rsi_reversion": (
        FakeParam("window", int, 14, 1, 1_000_000),
        FakeParam("lower", float, 30.0, 0.0, 100.0),
        FakeParam("upper", float, 70.0, 0.0, 100.0),
    ),
    "flags": (FakeParam("on", bool, False), FakeParam("mode", str, "a")),
}


def minimal(**sections: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "data": {"provider": "synthetic", "symbols": ["BTC"], "timeframe": "1h"},
        "strategy": {"name": "ma_crossover"},
    }
    doc.update(sections)
    return doc


def errors_of(doc: Any, **kwargs: Any) -> list[dict[str, Any]]:
    with pytest.raises(ConfigError) as info:
        validate_config(doc, **kwargs)
    errors: list[dict[str, Any]] = info.value.context["errors"]
    return errors


def paths_of(doc: Any, **kwargs: Any) -> list[str]:
    return [e["path"] for e in errors_of(doc, **kwargs)]
