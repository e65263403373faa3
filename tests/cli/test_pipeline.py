"""The run pipeline in-process: failures midway, exit codes, the progress callback."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.cli import _pipeline
from peak_trade.cli._exit_codes import exit_code_for
from peak_trade.cli._run_files import MARKER
from peak_trade.cli.main import main
from peak_trade.core.errors import (
    BacktestInvariantError,
    CacheCorruptionError,
    CacheError,
    CircuitOpenError,
    ConfigError,
    DataContractError,
    PeakTradeError,
    ProviderError,
)
from tests.cli._cli_helpers import FILE_CONFIG, SMALL_CONFIG, reseal, run_dirs


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    return tmp_path


def test_invariant_failure_midway_exits_4_and_leaves_only_a_partial_dir(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = _pipeline.run_backtest
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise BacktestInvariantError("cash went negative at bar 7", hint="check fees")
        return real(*args, **kwargs)

    monkeypatch.setattr(_pipeline, "run_backtest", flaky)
    assert main(["run", "small.toml"]) == 4
    err = capsys.readouterr().err
    assert err == "error: cash went negative at bar 7\nhint: check fees\n"
    [partial] = run_dirs(in_tmp / "out")
    assert partial.name.endswith(".partial")
    assert sorted(os.listdir(partial)) == ["log.jsonl"]
    assert not (partial / MARKER).exists()


def test_debug_flag_reraises_with_the_traceback(in_tmp: Path) -> None:
    (in_tmp / "bad.toml").write_text("[run\n")
    with pytest.raises(ConfigError, match="line 1"):
        main(["--debug", "validate-config", "bad.toml"])


def test_missing_data_file_is_a_provider_failure(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "file.toml").write_text(FILE_CONFIG)
    (in_tmp / "data").mkdir()
    code = main(["run", "file.toml"])
    assert (code, capsys.readouterr().err.startswith("error: ")) == (5, True)


@pytest.mark.smoke
def test_run_then_reproduce_in_process(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "small.toml"]) == 0
    [run_dir] = run_dirs(in_tmp / "out")
    assert main(["reproduce", str(run_dir)]) == 0
    assert "byte-identical" in capsys.readouterr().out
    saved = (run_dir / "config.toml").read_text()
    (run_dir / "config.toml").write_text(saved + "\n# a comment: same settings, other bytes\n")
    assert main(["reproduce", str(run_dir)]) == 6  # fails its checksum before any rerun
    assert "config.toml` fails the run's checksum" in capsys.readouterr().err
    reseal(run_dir)
    assert main(["reproduce", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "differs: config.toml"
    (run_dir / "config.toml").write_text(saved)
    with (run_dir / "equity.arrow").open("ab") as fh:
        fh.write(b"x")
    reseal(run_dir)
    assert main(["reproduce", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "differs: equity.arrow"


def test_progress_is_called_once_per_symbol_and_strategy(in_tmp: Path) -> None:
    labels: list[str] = []
    config = _pipeline.load_run_config(in_tmp / "small.toml")
    outcome = _pipeline.run_pipeline(config, output_dir=in_tmp / "o", progress=labels.append)
    assert labels == [
        "AAA ma_crossover",
        "AAA rsi_reversion",
        "BBB ma_crossover",
        "BBB rsi_reversion",
    ]
    assert outcome.run_dir == in_tmp / "o" / outcome.run_id
    assert [(r["symbol"], r["strategy"]) for r in outcome.rows] == [
        tuple(label.split()) for label in labels
    ]


@pytest.mark.parametrize(
    ("err", "code"),
    [
        (ConfigError("x"), 2),
        (DataContractError("x"), 3),
        (BacktestInvariantError("x"), 4),
        (ProviderError("x"), 5),
        (CircuitOpenError("x"), 5),
        (CacheCorruptionError("x"), 6),
        (CacheError("x"), 1),
        (PeakTradeError("x"), 1),
    ],
)
def test_exit_code_per_error_family(err: PeakTradeError, code: int) -> None:
    assert exit_code_for(err) == code


def test_invariants_section_reaches_the_engine(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    real = _pipeline.run_backtest

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["invariants"])
        return real(*args, **kwargs)

    monkeypatch.setattr(_pipeline, "run_backtest", spy)
    extra = '\n[invariants]\nmode = "warn"\ntiming = "end"\nabs_tol = 0.01\nmax_leverage = 2.0\n'
    (in_tmp / "inv.toml").write_text(SMALL_CONFIG + extra)
    _pipeline.run_pipeline(_pipeline.load_run_config(in_tmp / "inv.toml"))
    expected = InvariantConfig(mode="warn", timing="end", abs_tol=0.01, max_leverage=2.0)
    assert seen == [expected] * 4


@pytest.mark.parametrize(("allow_short", "limit"), [(False, 1.0), (True, math.inf)])
def test_unset_max_leverage_lets_the_engine_derive_it(
    in_tmp: Path, allow_short: bool, limit: float
) -> None:
    """No 1.0 default and no mapping: an unset limit reaches the engine as None."""
    short = "true" if allow_short else "false"
    (in_tmp / "c.toml").write_text(SMALL_CONFIG + f"\n[backtest]\nallow_short = {short}\n")
    checks = _pipeline.invariant_config(_pipeline.load_run_config(in_tmp / "c.toml"))
    assert checks == InvariantConfig()
    assert checks.leverage_limit(allow_short=allow_short) == limit


def test_an_explicit_max_leverage_is_passed_as_written_with_shorts(in_tmp: Path) -> None:
    extra = "\n[backtest]\nallow_short = true\n\n[invariants]\nmax_leverage = 1.0\n"
    (in_tmp / "c.toml").write_text(SMALL_CONFIG + extra)
    checks = _pipeline.invariant_config(_pipeline.load_run_config(in_tmp / "c.toml"))
    assert checks == InvariantConfig(max_leverage=1.0)
    assert checks.leverage_limit(allow_short=True) == 1.0
