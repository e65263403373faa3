"""``peak-trade verify`` and ``reproduce`` check every file of run and sweep directories."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from peak_trade.cli.main import main
from tests.cli._cli_helpers import SMALL_CONFIG, reseal, run_dirs

_SWEEP = """
[sweep]
strategy = "ma_crossover"
grid = { fast = [5, 10], slow = [20, 40] }
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    (tmp_path / "sweep.toml").write_text(SMALL_CONFIG + _SWEEP)
    return tmp_path


def _only(root: Path) -> Path:
    [run_dir] = run_dirs(root)
    return run_dir


@pytest.fixture
def run_dir(in_tmp: Path) -> Path:
    assert main(["run", "small.toml", "--output-dir", "runs"]) == 0
    return _only(in_tmp / "runs")


@pytest.fixture
def sweep_dir(in_tmp: Path) -> Path:
    assert main(["sweep", "sweep.toml", "--output-dir", "sweeps"]) == 0
    return _only(in_tmp / "sweeps")


@pytest.mark.smoke
def test_a_hand_made_directory_checks_against_its_marker(tmp_path: Path) -> None:
    """The fast path: digests recomputed independently, one file changed afterwards."""
    from peak_trade.cli._run_check import check_run_dir

    (tmp_path / "a.json").write_text('{"x": 1}\n')
    (tmp_path / "b.arrow").write_bytes(b"\x00" * 100)
    digests = {
        n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.json", "b.arrow")
    }
    (tmp_path / "_COMPLETE").write_text(json.dumps({"files": digests}))
    assert check_run_dir(tmp_path) == (["a.json", "b.arrow"], [])
    (tmp_path / "b.arrow").write_bytes(b"\x00" * 99 + b"\x01")
    ok, bad = check_run_dir(tmp_path)
    assert ok == ["a.json"]
    assert [name for name, _ in bad] == ["b.arrow"]
    assert bad[0][1].startswith("SHA-256 ")


def test_every_file_of_a_run_is_in_the_marker_with_its_sha256(run_dir: Path) -> None:
    """The marker lists every other file of the directory, each with its SHA-256."""
    marker = json.loads((run_dir / "_COMPLETE").read_text())["files"]
    files = {p.name for p in run_dir.iterdir()} - {"_COMPLETE"}
    assert (
        set(marker)
        == files
        == {
            "equity.arrow",
            "trades.parquet",
            "stats.json",
            "repro.json",
            "config.toml",
            "log.jsonl",
            "report.html",  # the dev extra installs the report's charting library
        }
    )
    for name, digest in marker.items():
        assert hashlib.sha256((run_dir / name).read_bytes()).hexdigest() == digest


def test_verify_passes_an_intact_run(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = sum(1 for p in run_dir.iterdir() if p.name != "_COMPLETE")
    assert main(["verify", str(run_dir)]) == 0
    assert (
        capsys.readouterr().out == f"ok: {n} files in {run_dir} match their SHA-256 in _COMPLETE\n"
    )


@pytest.mark.parametrize("name", ["equity.arrow", "trades.parquet", "log.jsonl", "repro.json"])
def test_verify_exits_6_naming_the_changed_file(
    run_dir: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = run_dir / name
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    assert main(["verify", str(run_dir)]) == 6
    out, err = capsys.readouterr()
    assert out.startswith(f"differs: {name}: SHA-256 ")
    assert f"first `{name}`" in err
    assert main(["reproduce", str(run_dir)]) == 6  # refuses before any rerun
    assert f"`{run_dir / name}` fails the run's checksum" in capsys.readouterr().err


def test_verify_names_missing_and_unlisted_files(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_dir / "stats.json").unlink()
    (run_dir / "notes.txt").write_text("added later\n")
    assert main(["verify", str(run_dir)]) == 6
    assert capsys.readouterr().out.splitlines() == [
        "differs: stats.json: missing",
        "differs: notes.txt: not listed in _COMPLETE",
    ]


def test_a_damaged_marker_is_corruption_and_no_marker_is_not_a_run(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = run_dir / "_COMPLETE"
    marker.write_text(marker.read_text()[:-10])
    assert main(["verify", str(run_dir)]) == 6
    assert "_COMPLETE` is damaged" in capsys.readouterr().err
    marker.unlink()
    assert main(["verify", str(run_dir)]) == 2
    assert "not a complete run directory" in capsys.readouterr().err


def test_sweep_directory_verifies_and_reproduces_its_sweep(
    sweep_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep directory is checked file by file, then rerun as a sweep, not as a run."""
    marker = json.loads((sweep_dir / "_COMPLETE").read_text())["files"]
    assert set(marker) == {"sweep.parquet", "config.toml", "repro.json", "log.jsonl", "report.html"}
    assert main(["verify", str(sweep_dir)]) == 0
    capsys.readouterr()
    assert main(["reproduce", str(sweep_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"reproduced: sweep.parquet, config.toml are byte-identical to {sweep_dir}"
    )


def test_sweep_reproduce_finds_a_changed_result(
    sweep_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import polars as pl

    result = sweep_dir / "sweep.parquet"
    frame = pl.read_parquet(result)
    frame.with_columns(pl.col("total_return") + 1.0).write_parquet(result)
    assert main(["verify", str(sweep_dir)]) == 6
    assert capsys.readouterr().out.startswith("differs: sweep.parquet: SHA-256 ")
    reseal(sweep_dir)  # a consistent forgery: only the rerun can tell
    assert main(["reproduce", str(sweep_dir)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "differs: sweep.parquet"
