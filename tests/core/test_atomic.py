"""The one atomic write of the package: temp file, fsync, rename, directory fsync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peak_trade.core._atomic import atomic_file, write_bytes_atomic, write_text_atomic

_SRC = Path(__file__).resolve().parents[2] / "src" / "peak_trade"


@pytest.mark.smoke
def test_bytes_and_text_replace_the_file_and_leave_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    assert write_bytes_atomic(target, b"\x00new\xff") == target
    assert target.read_bytes() == b"\x00new\xff"
    write_text_atomic(target, "é\n")
    assert target.read_bytes() == "é\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]


def test_a_failing_block_leaves_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.json"
    target.write_text("old")
    seen = []

    def interrupted() -> None:
        with atomic_file(target) as out:
            out.write(b"new but never finish")
            seen.append(out.tmp.exists())
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        interrupted()
    assert seen == [True]
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_a_failed_rename_removes_the_temp(tmp_path: Path) -> None:
    """The target is a non-empty directory: os.replace fails, the temp file goes."""
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "inside").write_text("x")

    def write() -> None:
        with atomic_file(target) as out:
            out.write(b"data")

    with pytest.raises(IsADirectoryError):
        write()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied"]


def test_a_missing_directory_raises_before_writing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_file(tmp_path / "no" / "x"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_the_write_sequence_lives_in_one_module() -> None:
    """Only core/_atomic.py replaces files or fsyncs directories; others call it.

    The one other `os.replace` is the rename of a whole run directory
    (`<run_id>.partial` -> `<run_id>`), which is made durable with core's fsync_dir.
    """
    replaces, dir_syncs = [], []
    for path in sorted(_SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(_SRC).as_posix()
        replaces += [rel] * len(re.findall(r"os\.replace\(", text))
        dir_syncs += [rel] * len(re.findall(r"def \w*fsync\w*dir\w*\(", text))
    assert replaces == ["cli/_run_files.py", "core/_atomic.py"]
    assert dir_syncs == ["core/_atomic.py"]
