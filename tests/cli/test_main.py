"""``peak-trade`` end to end through ``python -m peak_trade.cli`` in a subprocess.

Each case checks the exit code and which files were (or were not) written.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from peak_trade.cli._run_files import COMPARED, MARKER
from peak_trade.cli.main import main
from tests.cli._cli_helpers import (
    FILE_CONFIG,
    SMALL_CONFIG,
    cli,
    reseal,
    run_dirs,
    write_bars_csv,
)

_RUN_FILES = {
    "equity.arrow",
    "trades.parquet",
    "stats.json",
    "repro.json",
    "config.toml",
    "log.jsonl",
    "report.html",
    MARKER,
}


def _complete(root: Path) -> list[Path]:
    return [d for d in run_dirs(root) if (d / MARKER).exists()]


def test_small_run_writes_a_complete_run_directory(tmp_path: Path) -> None:
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    done = cli("run", "small.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [run_dir] = run_dirs(tmp_path / "out")
    assert {p.name for p in run_dir.iterdir()} == _RUN_FILES
    assert f"results: {Path('out') / run_dir.name}" in done.stdout
    assert done.stdout.splitlines()[-1] == f"report: {Path('out') / run_dir.name / 'report.html'}"
    equity = pl.read_ipc(run_dir / "equity.arrow")
    pairs = equity.select("symbol", "strategy").unique().sort("symbol", "strategy").rows()
    expected = [(s, k) for s in ("AAA", "BBB") for k in ("ma_crossover", "rsi_reversion")]
    assert pairs == expected
    assert equity.height == 4 * 300
    marker = json.loads((run_dir / MARKER).read_text())
    assert sorted(marker["files"]) == sorted(_RUN_FILES - {MARKER})
    log = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]
    events = {rec["event"] for rec in log}
    assert {"run.start", "run.fetch", "run.validate", "run.backtest", "run.done"} <= events
    assert {rec["run_id"] for rec in log} == {run_dir.name}
    assert done.stderr == ""  # the console shows WARNING and up only
    assert run_dir.name not in (run_dir / "stats.json").read_text()


@pytest.mark.slow
def test_quickstart_runs_reproduces_and_detects_tampering(tmp_path: Path) -> None:
    done = cli("run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [run_dir] = _complete(tmp_path / "runs")
    assert {p.name for p in run_dir.iterdir()} == _RUN_FILES
    assert "SOL/USDT" in done.stdout
    assert "rsi_reversion" in done.stdout
    again = cli("reproduce", str(run_dir), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "byte-identical" in again.stdout
    stats = run_dir / "stats.json"
    stats.write_text(stats.read_text().replace('"quickstart"', '"tampered"'))
    tampered = cli("reproduce", str(run_dir), cwd=tmp_path)
    assert tampered.returncode == 6  # the file fails its checksum in _COMPLETE
    assert "stats.json` fails the run's checksum" in tampered.stderr
    reseal(run_dir)  # a consistent forgery: only the rerun can tell
    forged = cli("reproduce", str(run_dir), cwd=tmp_path)
    assert forged.returncode == 1
    assert forged.stdout.splitlines() == ["differs: stats.json"]
    assert len(run_dirs(tmp_path / "runs")) == 1  # reproductions go to a temp directory


def test_config_with_typos_exits_2_with_suggestions_and_writes_nothing(tmp_path: Path) -> None:
    text = SMALL_CONFIG.replace("[run]", "[run]\nsed = 3").replace("fast = 5", "fsat = 5")
    (tmp_path / "bad.toml").write_text(text)
    for args in (("run", "bad.toml"), ("validate-config", "bad.toml")):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 2
        assert "did you mean 'run.seed'?" in done.stderr
        assert "did you mean" in done.stderr.split("fsat", 1)[1]
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_missing_config_file_exits_2_without_traceback(tmp_path: Path) -> None:
    done = cli("run", "nope.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: config file `nope.toml` does not exist")
    assert "Traceback" not in done.stderr


def test_corrupt_cache_exits_6_and_leaves_no_complete_run(tmp_path: Path) -> None:
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    assert cli("run", "small.toml", cwd=tmp_path).returncode == 0
    cache = tmp_path / ".peak_trade_cache"
    assert cli("cache", "verify", str(cache), cwd=tmp_path).returncode == 0
    [entry] = [p for p in cache.glob("*.arrow") if "AAA" in p.name]
    raw = bytearray(entry.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    entry.write_bytes(bytes(raw))
    verify = cli("cache", "verify", str(cache), cwd=tmp_path)
    assert verify.returncode == 6
    assert "corrupt" in verify.stdout
    assert "NOT clean" in verify.stdout
    rerun = cli("run", "small.toml", cwd=tmp_path)
    assert rerun.returncode == 6
    assert "fails its xxh3 checksum" in rerun.stderr
    dirs = run_dirs(tmp_path / "out")
    assert len(dirs) == 2
    assert len(_complete(tmp_path / "out")) == 1  # only the first run
    [partial] = [d for d in dirs if d.name.endswith(".partial")]
    assert not (partial / MARKER).exists()
    assert "cache.corrupt" in (partial / "log.jsonl").read_text()


def test_contract_breaking_file_exits_3_in_validate_data_and_run(tmp_path: Path) -> None:
    write_bars_csv(tmp_path / "data" / "AAA_1h.csv", break_high=True)
    table = cli("validate-data", "data/AAA_1h.csv", cwd=tmp_path)
    assert table.returncode == 3
    assert "high" in table.stdout
    as_json = cli("validate-data", "data/AAA_1h.csv", "--json", "--require-tz", cwd=tmp_path)
    assert as_json.returncode == 3
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert report["rows"] == 50
    assert any(10 in v["rows"] for v in report["violations"])
    (tmp_path / "file.toml").write_text(FILE_CONFIG)
    run = cli("run", "file.toml", cwd=tmp_path)
    assert run.returncode == 3
    assert "Traceback" not in run.stderr
    assert _complete(tmp_path / "out") == []


@pytest.mark.slow
def test_clean_file_passes_validate_data_and_runs(tmp_path: Path) -> None:
    write_bars_csv(tmp_path / "data" / "AAA_1h.csv", break_high=False)
    assert cli("validate-data", "data/AAA_1h.csv", "--require-tz", cwd=tmp_path).returncode == 0
    (tmp_path / "file.toml").write_text(FILE_CONFIG)
    done = cli("run", "file.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(_complete(tmp_path / "out")) == 1


@pytest.mark.slow
def test_two_runs_of_one_config_give_identical_results(tmp_path: Path) -> None:
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    assert cli("run", "small.toml", cwd=tmp_path).returncode == 0
    assert cli("run", "small.toml", cwd=tmp_path).returncode == 0
    first, second = _complete(tmp_path / "out")
    for name in COMPARED:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "repro.json").read_bytes() != (second / "repro.json").read_bytes()


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["validate-config"],
        ["validate-data"],
        ["cache", "verify"],
        ["reproduce"],
        ["list-strategies"],
    ],
)
def test_every_command_has_help_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert "example" in capsys.readouterr().out
