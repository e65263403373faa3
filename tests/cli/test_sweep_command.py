"""``peak-trade sweep CONFIG``: the [sweep] grid, its run directory and the top-N table."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.cli import _sweep_pipeline
from peak_trade.cli._run_files import MARKER
from peak_trade.cli.main import main
from peak_trade.research.ranking import top_n
from tests.cli._cli_helpers import SMALL_CONFIG, run_dirs

_SWEEP = """
[sweep]
strategy = "ma_crossover"
grid = { fast = [5, 10], slow = [20, 40] }
metric = "total_return"
top = 3
"""


def test_sweep_writes_a_complete_run_and_prints_the_top_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sw.toml").write_text(SMALL_CONFIG + _SWEEP)
    assert main(["sweep", "sw.toml"]) == 0
    [run_dir] = run_dirs(tmp_path / "out")
    assert sorted(p.name for p in run_dir.iterdir()) == [
        MARKER, "config.toml", "log.jsonl", "report.html", "repro.json", "sweep.parquet",
    ]  # fmt: skip
    frame = pl.read_parquet(run_dir / "sweep.parquet")
    assert frame.height == 2 * 4
    out = capsys.readouterr().out.splitlines()
    best = top_n(frame, metric="total_return", n=3)
    assert [line.split()[:4] for line in out[3:6]] == [
        [str(r), s, str(f), str(w)]
        for r, s, f, w in best.select("rank", "symbol", "fast", "slow").rows()
    ]
    events = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    progress = [e for e in events if e["event"] == "sweep.progress"]
    last = progress[-1]  # logged every 10 s, and when the last chunk is done
    assert (last["done"], last["combos_done"], last["symbols_done"]) == (last["total"], 8, 2)


def test_sweep_without_a_sweep_section_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    assert main(["sweep", "small.toml"]) == 2
    assert "no [sweep] section" in capsys.readouterr().err


def _spy_sweep(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Record the frames and options `peak-trade sweep` hands to the library's sweep."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    real = _sweep_pipeline.sweep

    def spy(frames: Any, strategy: Any, grid: Any, /, **kwargs: Any) -> pl.DataFrame:
        calls.append((frames, kwargs))
        return real(frames, strategy, grid, **kwargs)

    monkeypatch.setattr(_sweep_pipeline, "sweep", spy)
    return calls


def test_sweep_passes_the_default_invariants_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    calls = _spy_sweep(monkeypatch)
    (tmp_path / "sw.toml").write_text(SMALL_CONFIG + _SWEEP)
    assert main(["sweep", "sw.toml"]) == 0
    assert [kwargs["invariants"] for _, kwargs in calls] == [InvariantConfig()]


def test_sweep_in_warn_mode_records_each_rows_first_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked against one run_backtest per symbol and combination on the same data."""
    monkeypatch.chdir(tmp_path)
    calls = _spy_sweep(monkeypatch)
    section = '\n[invariants]\nmode = "warn"\ntiming = "end"\nmax_leverage = 0.5\n'
    (tmp_path / "sw.toml").write_text(SMALL_CONFIG + _SWEEP + section)
    assert main(["sweep", "sw.toml"]) == 0
    [(frames, kwargs)] = calls
    checks = InvariantConfig(mode="warn", timing="end", max_leverage=0.5)
    assert kwargs["invariants"] == checks
    [run_dir] = run_dirs(tmp_path / "out")
    frame = pl.read_parquet(run_dir / "sweep.parquet")
    want = []
    for symbol, data in frames.items():
        for fast, slow in itertools.product([5, 10], [20, 40]):
            result = run_backtest(data, "ma_crossover", {"fast": fast, "slow": slow},
                                  invariants=checks)  # fmt: skip
            first = result.violations[0] if result.violations else None
            want.append((symbol, fast, slow, result.stats["total_return"],
                         first and first.name, first and first.bar))  # fmt: skip
    got = frame.select(
        "symbol", "fast", "slow", "total_return", "invariant_violation", "invariant_bar"
    ).rows()
    assert got == want
    bad = sum(row[4] is not None for row in got)
    assert bad > 0  # the test can fail
    out = capsys.readouterr().out
    assert f"invariants (warn): {bad} of 8 rows violated; see `invariant_violation`" in out


def test_sweep_in_strict_mode_exits_4_naming_the_combination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    section = "\n[invariants]\nmax_leverage = 0.5\n"
    (tmp_path / "sw.toml").write_text(SMALL_CONFIG + _SWEEP + section)
    assert main(["sweep", "sw.toml"]) == 4
    err = capsys.readouterr().err
    assert "broke invariant `exposure_within_limit`" in err
    assert "{'fast': 5, 'slow': 20}" in err


def test_sweep_with_a_walk_forward_section_writes_its_folds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """300 bars, train 100, test 50: folds start at bars 100, 150, 200, 250 for both symbols."""
    monkeypatch.chdir(tmp_path)
    section = '\n[walk_forward]\ntrain = 100\ntest = 50\nmetric = "total_return"\n'
    (tmp_path / "wf.toml").write_text(SMALL_CONFIG + _SWEEP + section)
    assert main(["sweep", "wf.toml"]) == 0
    [run_dir] = run_dirs(tmp_path / "out")
    assert "walk_forward.parquet" in {p.name for p in run_dir.iterdir()}
    folds = pl.read_parquet(run_dir / "walk_forward.parquet")
    assert folds["symbol"].to_list() == ["AAA"] * 4 + ["BBB"] * 4
    assert folds["fold"].to_list() == [0, 1, 2, 3] * 2
    t0 = folds["train_start"][0]
    assert [(t - t0).total_seconds() / 3600 for t in folds["test_start"][:4]] == [
        100, 150, 200, 250,
    ]  # fmt: skip
    assert set(zip(folds["fast"], folds["slow"], strict=True)) <= {
        (5, 20),
        (5, 40),
        (10, 20),
        (10, 40),
    }
    assert folds["oos_rank"].is_between(1, 4).all()
    assert (folds["n_combos"] == 4).all()
