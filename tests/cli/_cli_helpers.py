"""Shared helpers of the CLI tests: the console script in a subprocess, small configs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

SMALL_CONFIG = """\
[run]
name = "small"
seed = 7
output_dir = "out"

[data]
provider = "synthetic"
symbols = ["AAA", "BBB"]
timeframe = "1h"
bars = 300

[[strategies]]
name = "ma_crossover"
params = { fast = 5, slow = 20 }

[[strategies]]
name = "rsi_reversion"
"""

FILE_CONFIG = """\
[run]
output_dir = "out"

[data]
provider = "file"
path = "data"
symbols = ["AAA"]
timeframe = "1h"

[strategy]
name = "ma_crossover"
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m peak_trade.cli ARGS`` in ``cwd`` (the console script's code path)."""
    return subprocess.run(
        [sys.executable, "-m", "peak_trade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def reseal(run_dir: Path) -> None:
    """Rewrite ``_COMPLETE`` to match the files as they are now: a consistent forgery.

    A changed file then passes `verify`, so `reproduce` reruns and must find the
    difference by comparing the results themselves.
    """
    files = sorted(p for p in run_dir.iterdir() if p.is_file() and p.name != "_COMPLETE")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    (run_dir / "_COMPLETE").write_text(json.dumps({"files": digests}, indent=2, sort_keys=True))


def run_dirs(root: Path) -> list[Path]:
    """Every directory under ``root`` (complete runs and ``.partial`` ones), sorted."""
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def write_bars_csv(path: Path, *, break_high: bool) -> None:
    """A 50-bar CSV with UTC ISO times; ``break_high`` makes row 10's high below its low."""
    lines = ["timestamp,open,high,low,close,volume"]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for i in range(50):
        high, low = (99.0, 101.0) if break_high and i == 10 else (102.0, 98.0)
        stamp = (start + dt.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{stamp},100.0,{high},{low},100.5,10.0")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
