"""``peak-trade list-strategies``: in-process and through the installed console script."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest

from peak_trade.backtest.plugins import strategy_origin
from peak_trade.backtest.registry import list_strategies, register_strategy, reset_registry
from peak_trade.backtest.strategies import ParamSpec, Strategy
from peak_trade.cli.main import main


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


def _expected_lines() -> list[str]:
    """What every strategy must show: its name and description, then each parameter."""
    lines = []
    for info in list_strategies():
        lines.append(f"{info.name}: {info.description} [{strategy_origin(info.name)}]")
        lines.extend(
            f"  {p.name} {p.kind.__name__} default {p.default!r} range {p.range_text} "
            f"{p.description}"
            for p in info.params
        )
    return lines


def _squeeze(text: str) -> list[str]:
    """The lines with runs of spaces collapsed; a parameter line keeps its 2-space indent."""
    return [
        ("  " if line.startswith("  ") else "") + " ".join(line.split())
        for line in text.splitlines()
    ]


@pytest.mark.smoke
def test_list_strategies_prints_every_strategy_and_parameter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["list-strategies"]) == 0
    lines = _squeeze(capsys.readouterr().out)
    assert lines == _squeeze("\n".join(_expected_lines()))
    at = lines.index("rsi_reversion: long from Wilder RSI < lower until RSI > upper [built-in]")
    assert lines[at + 1 : at + 4] == [
        "  window int default 14 range [1, 1000000] RSI window, bars",
        "  lower float default 30.0 range [0, 100] enter below this RSI",
        "  upper float default 70.0 range [0, 100] leave above this RSI",
    ]
    assert sum(not line.startswith(" ") for line in lines) == 7


def test_a_registered_user_strategy_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    @register_strategy("my_strat")
    class MyStrat(Strategy):
        description: ClassVar[str] = "my own rule"
        param_specs: ClassVar[tuple[ParamSpec, ...]] = (
            ParamSpec("k", float, 0.5, low=0.0, high=1.0, description="a knob"),
        )

        def signal_expr(self) -> pl.Expr:
            return pl.lit(0.0)

    assert main(["list-strategies"]) == 0
    lines = _squeeze(capsys.readouterr().out)
    at = lines.index("my_strat: my own rule [registered in Python]")
    assert lines[at + 1] == "  k float default 0.5 range [0, 1] a knob"


def test_console_script_lists_the_strategies() -> None:
    script = Path(sys.executable).with_name("peak-trade")
    assert script.exists(), f"install the package (pip install -e .) so {script} exists"
    done = subprocess.run(
        [str(script), "list-strategies"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert _squeeze(done.stdout) == _squeeze("\n".join(_expected_lines()))


def test_run_list_strategies_flag_prints_the_same_listing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--list-strategies"]) == 0
    assert _squeeze(capsys.readouterr().out) == _squeeze("\n".join(_expected_lines()))
