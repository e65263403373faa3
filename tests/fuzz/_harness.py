"""The parent side: run a reader's cases in child processes and collect the records.

A child runs the whole batch. When it dies, the case it was in is recorded as
``crash:<signal or code>`` and a fresh child resumes after it, so one crash
never hides the cases behind it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["run_cases"]

_ROOT = Path(__file__).resolve().parents[2]
_MAX_CHILDREN = 12
_TIMEOUT_S = 120


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [env.get("PYTHONPATH", ""), str(_ROOT), str(_ROOT / "src")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def _read(results: Path) -> list[dict[str, object]]:
    if not results.exists():
        return []
    return [json.loads(line) for line in results.read_text("utf-8").splitlines() if line]


def run_cases(name: str, count: int) -> list[dict[str, object]]:
    """Every case record of reader ``name`` (``count`` cases), crashes included."""
    records: dict[int, dict[str, object]] = {}
    start = 0
    with tempfile.TemporaryDirectory(prefix="peak-trade-fuzz-parent-") as tmp:
        for child in range(_MAX_CHILDREN):
            if start >= count:
                break
            results = Path(tmp) / f"results-{child}.jsonl"
            stderr = Path(tmp) / f"stderr-{child}.txt"
            with stderr.open("wb") as err:
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "tests.fuzz._child",
                        name,
                        str(start),
                        str(count),
                        str(results),
                    ],
                    cwd=_ROOT,
                    env=_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    timeout=_TIMEOUT_S,
                    check=False,
                )
            started = None
            for line in _read(results):
                if "start" in line:
                    started = int(line["start"])  # type: ignore[call-overload]
                else:
                    records[int(line["case"])] = line  # type: ignore[call-overload]
                    started = None
            if done.returncode == 0:
                break
            if started is None:  # died while preparing: nothing more can run
                tail = stderr.read_text("utf-8", errors="replace")[-2000:]
                raise AssertionError(f"fuzz child for {name} failed before a case:\n{tail}")
            how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
            records[started] = {
                "case": started,
                "target": "?",
                "kind": "?",
                "outcome": f"crash:{how}",
            }
            start = started + 1
    return [records.get(i, {"case": i, "outcome": "not run"}) for i in range(count)]
