"""The parent side: run readers' cases in child processes and collect the records.

One child runs a whole batch of readers, one after another, so the suite pays
for few interpreter start-ups. Its scratch files live in a directory this side
owns and removes, since a child killed by a signal cannot clean up. When a
child dies, the case it was in is recorded as ``crash:<signal or code>`` and a
fresh child resumes after it, so one crash never hides the cases behind it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_batch", "run_cases"]

Record = dict[str, object]
_ROOT = Path(__file__).resolve().parents[2]
_MAX_CHILDREN = 16
_TIMEOUT_S = 300
# Scratch files go to a RAM file system where there is one: the readers write
# (sweep chunks, reruns) and fsync, which on a busy shared disk costs more than
# the whole case. The files are real files all the same.
_SHM = "/dev/shm"
_SCRATCH_MIN_FREE = 256 << 20  # a container's default /dev/shm (64 MiB) is too small to trust


def _scratch_root() -> str | None:
    if not os.access(_SHM, os.W_OK):
        return None
    stats = os.statvfs(_SHM)
    return _SHM if stats.f_bavail * stats.f_frsize >= _SCRATCH_MIN_FREE else None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [env.get("PYTHONPATH", ""), str(_ROOT), str(_ROOT / "src")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def _lines(results: Path) -> list[Record]:
    if not results.exists():
        return []
    return [json.loads(line) for line in results.read_text("utf-8").splitlines() if line]


def run_batch(readers: Sequence[tuple[str, int]]) -> dict[str, list[Record]]:
    """Every case record of each ``(reader, count)``, crashes included, in case order."""
    records: dict[str, dict[int, Record]] = {name: {} for name, _ in readers}
    todo = [(name, 0, count) for name, count in readers]
    with (
        tempfile.TemporaryDirectory(prefix="peak-trade-fuzz-parent-") as tmp,
        tempfile.TemporaryDirectory(prefix="peak-trade-fuzz-", dir=_scratch_root()) as scratch,
    ):
        for child in range(_MAX_CHILDREN):
            if not todo:
                break
            results = Path(tmp) / f"results-{child}.jsonl"
            stderr = Path(tmp) / f"stderr-{child}.txt"
            specs = [f"{name}:{start}:{stop}" for name, start, stop in todo]
            with stderr.open("wb") as err:
                done = subprocess.run(
                    [sys.executable, "-m", "tests.fuzz._child", str(results), scratch, *specs],
                    cwd=_ROOT,
                    env=_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    timeout=_TIMEOUT_S,
                    check=False,
                )
            started: tuple[str, int] | None = None
            for line in _lines(results):
                name = str(line.pop("reader"))
                if "start" in line:
                    started = (name, int(line["start"]))  # type: ignore[call-overload]
                else:
                    records[name][int(line["case"])] = line  # type: ignore[call-overload]
                    started = None
            if done.returncode == 0:
                break
            if started is None:  # died outside a case (preparing a reader): cannot go on
                tail = stderr.read_text("utf-8", errors="replace")[-2000:]
                raise AssertionError(f"fuzz child failed outside a case ({specs}):\n{tail}")
            how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
            name, case = started
            records[name][case] = {
                "case": case,
                "target": "?",
                "kind": "?",
                "outcome": f"crash:{how}",
            }
            at = next(i for i, (n, _, _) in enumerate(todo) if n == name)
            todo = [(name, case + 1, todo[at][2]), *todo[at + 1 :]]
            todo = [(n, start, stop) for n, start, stop in todo if start < stop]
    return {
        name: [records[name].get(i, {"case": i, "outcome": "not run"}) for i in range(count)]
        for name, count in readers
    }


def run_cases(name: str, count: int) -> list[Record]:
    """Every case record of reader ``name`` (``count`` cases), crashes included."""
    return run_batch([(name, count)])[name]
