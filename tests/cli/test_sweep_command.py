"""``peak-trade sweep CONFIG``: the [sweep] grid, its run directory and the top-N table."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

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
        MARKER, "config.toml", "log.jsonl", "repro.json", "sweep.parquet",
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
    progress = [e for e in events if e["event"] == "run.sweep_progress"]
    assert [e["done"] for e in progress] == list(range(1, len(progress) + 1))
    assert progress[-1]["done"] == progress[-1]["total"]


def test_sweep_without_a_sweep_section_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    assert main(["sweep", "small.toml"]) == 2
    assert "no [sweep] section" in capsys.readouterr().err
