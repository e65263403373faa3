"""peak_trade.load_config, validate-config and run agree on every config problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import peak_trade
from peak_trade import ConfigError
from peak_trade.cli.main import main
from peak_trade.core import config_schema
from tests.cli._cli_helpers import SMALL_CONFIG

TYPO_AND_MISSING_DATA = """\
[strategy]
name = "ma_crossover"
params = {fsat = 10}
"""
FAST_NOT_BELOW_SLOW = SMALL_CONFIG.replace("fast = 5, slow = 20", "fast = 10, slow = 5")


@pytest.fixture
def in_tmp(tmp_path: Path) -> Path:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def _cli_problems(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(args)
    err = capsys.readouterr().err
    return code, [line.strip() for line in err.splitlines() if line.startswith("  ")]


def _library_problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        peak_trade.load_config(path)
    return [line.strip() for line in info.value.message.splitlines()[1:]]


@pytest.mark.smoke
def test_load_config_reports_schema_problems_and_parameter_typos_together(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "bad.toml").write_text(TYPO_AND_MISSING_DATA)
    library = _library_problems(in_tmp / "bad.toml")
    assert library == [
        "data: missing required key",
        "strategy.params.fsat: unknown parameter of strategy 'ma_crossover', got 10 "
        "(did you mean 'strategy.params.fast'?)",
    ]
    assert _cli_problems(["validate-config", "bad.toml"], capsys) == (2, library)


def test_fast_not_below_slow_fails_validate_config_as_it_fails_run(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "bad.toml").write_text(FAST_NOT_BELOW_SLOW)
    expected = ["strategies[0].params: `ma_crossover` needs fast < slow; got fast=10, slow=5"]
    code, problems = _cli_problems(["validate-config", "bad.toml"], capsys)
    assert code == 2
    assert [p.split(" (", 1)[0] for p in problems] == expected
    assert problems == _library_problems(in_tmp / "bad.toml")
    assert main(["run", "bad.toml"]) == 2
    assert not (in_tmp / "out").exists()  # refused before anything was written


def test_a_good_config_passes_both_and_runs(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "ok.toml").write_text(SMALL_CONFIG)
    config = peak_trade.load_config(in_tmp / "ok.toml")
    assert config.strategies[1].params == {"window": 14, "lower": 30.0, "upper": 70.0}
    assert main(["validate-config", "ok.toml"]) == 0
    assert f"config hash {config.hash()}" in capsys.readouterr().out


def test_what_a_run_builds_is_checked_too(in_tmp: Path) -> None:
    """A refusal by an object the run builds (here the engine's BacktestConfig) is reported."""
    doc = {
        "data": {"provider": "synthetic", "symbols": ["A"], "timeframe": "1h"},
        "strategy": {"name": "ma_crossover"},
    }

    def refuse(config: config_schema.Config) -> list[tuple[tuple[str, ...], str]]:
        return [(("backtest",), f"refused {config.backtest.fee_bps}")]

    with pytest.raises(ConfigError) as info:
        config_schema.validate_config(doc, checks=[refuse])
    assert info.value.message.splitlines()[1:] == ["  backtest: refused 10.0"]
    assert peak_trade.validate_config(doc).strategies[0].params == {"fast": 20, "slow": 50}


def test_sweep_grid_problems_are_config_problems(in_tmp: Path) -> None:
    text = SMALL_CONFIG + (
        '\n[sweep]\nstrategy = "ma_crossover"\ninvalid = "raise"\nmetric = "sharpe_ratio"\n'
        "[sweep.grid]\nfast = [5, 60]\nslow = [50]\n"
    )
    (in_tmp / "sweep.toml").write_text(text)
    problems = _library_problems(in_tmp / "sweep.toml")
    assert [p.split(":", 1)[0] for p in problems] == ["sweep.grid", "sweep.metric"]
    assert "1 of 2 grid combinations of `ma_crossover` are invalid" in problems[0]
    assert "cannot rank by 'sharpe_ratio'" in problems[1]
