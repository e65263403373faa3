"""Fuzz readers of run output: `peak-trade reproduce` and a resumed sweep."""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from tests.fuzz._case import Outcome, classify, hurt
from tests.fuzz._damage import KINDS

# peak-trade reproduce on a run or sweep directory ---------------------------------------

_RUN_CONFIG = """\
[run]
name = "fuzz"
seed = {seed}
output_dir = "runs"

[data]
provider = "synthetic"
symbols = ["AAA"]
timeframe = "1h"
bars = 200

[cache]
dir = "cache"

[[strategies]]
name = "ma_crossover"
params = {{ fast = 5, slow = 20 }}
"""
_SWEEP_SECTION = """
[sweep]
strategy = "ma_crossover"
grid = { fast = [3, 5], slow = [20, 30] }
"""


def _quiet_main(argv: list[str]) -> int:
    from peak_trade.cli.main import main

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return main(argv)


def prepare_runs(command: str) -> Callable[[Path], Any]:
    """Two finished directories of ``command`` (``run`` or ``sweep``), seeds 7 and 8."""

    def prepare(root: Path) -> Any:
        previous = Path.cwd()
        os.chdir(root)
        try:
            dirs = []
            for seed in (7, 8):
                cfg = root / f"{command}{seed}.toml"
                extra = _SWEEP_SECTION if command == "sweep" else ""
                cfg.write_text(_RUN_CONFIG.format(seed=seed) + extra, encoding="utf-8")
                out = root / f"out{seed}"
                code = _quiet_main([command, str(cfg), "--output-dir", str(out)])
                assert code == 0, f"the pristine {command} failed with exit {code}"
                dirs.append(next(p for p in out.iterdir() if p.is_dir()))
        finally:
            os.chdir(previous)
        return root, dirs[0], dirs[1]

    return prepare


def run_reproduce(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    root, run_dir, other = state
    target_dir = work / run_dir.name
    shutil.copytree(run_dir, target_dir)
    name = rng.choice(sorted(p.name for p in target_dir.iterdir() if p.is_file()))
    kind = rng.choice(KINDS)
    hurt(target_dir / name, kind, rng, other / name)
    previous = Path.cwd()
    os.chdir(root)
    try:
        into = work / "into"
        outcome = classify(
            lambda: f"exit:{_quiet_main(['reproduce', str(target_dir), '--into', str(into)])}"
        )
    finally:
        os.chdir(previous)
    return name, kind, outcome


def judge_reproduce(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "exit:6":
        return None
    if outcome == "exit:0" and target == "_COMPLETE" and kind == "flip":
        return None  # e.g. JSON whitespace flipped: the marker still lists the same digests
    return "reproduce must exit 6 (a file fails its checksum) on a damaged run directory"


# sweep resume ------------------------------------------------------------------------

_GRID = {"fast": [3, 5, 8], "slow": [20, 30]}


def _sweep(frames: dict[str, pl.DataFrame], out: Path) -> pl.DataFrame:
    from peak_trade.research.sweep import sweep

    return sweep(frames, "ma_crossover", _GRID, output=out, chunk_size=2, max_workers=1)


def prepare_sweep(root: Path) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    frames = {"AAA": synthetic_ohlcv(300, seed=1), "BBB": synthetic_ohlcv(300, seed=2)}
    result = _sweep(frames, root / "out")
    return root / "out", frames, result


def run_sweep_resume(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    out, frames, expected = state
    shutil.copytree(out, work)
    chunks = sorted(p.name for p in work.glob("part-*.parquet"))
    target = rng.choice(("data", "sidecar"))
    n = rng.randrange(len(chunks))
    name, other = chunks[n], chunks[(n + 1) % len(chunks)]
    if target == "sidecar":
        name, other = f"{name}.xxh3", f"{other}.xxh3"
    kind = rng.choice(KINDS)
    hurt(work / name, kind, rng, out / other)
    return target, kind, classify(lambda: _sweep(frames, work), expected)


def judge_sweep(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "frame:same":
        return None
    return "a resumed sweep must recompute the damaged chunk and give the same result"


def run_self_test(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    """Odd cases kill the process the way a decoder reading out of bounds does."""
    if i % 2:
        os.kill(os.getpid(), signal.SIGSEGV)
    return "none", "flip", classify(lambda: state, state)
