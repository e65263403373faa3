"""Kill a sweep process with SIGKILL midway, rerun it, and get the uninterrupted frame."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from peak_trade.data.cache_atomic import atomic_read
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.sweep import SweepProgress, sweep

SYMBOLS = ["BTC/USDT", "ETH", "SOL"]
GRID = {"fast": [3, 5, 8, 13], "slow": [21, 34, 55]}
BARS = 3_000
CHUNK = 2  # 6 chunks per symbol, 18 in all
TOTAL = 18

# The child runs the same sweep. Its progress callback prints one line per written
# chunk; with STOP set it blocks after that many chunks, so the parent kills a
# process that is certainly midway (its worker threads are still computing).
_CHILD = """
import sys
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.sweep import sweep

symbols, out = sys.argv[1].split(","), sys.argv[4]
bars, chunk, stop = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
frames = {s: synthetic_ohlcv(bars, seed=3, symbol=s, volatility=0.02) for s in symbols}

def progress(event):
    print("chunk", event.done, flush=True)
    if event.done == stop:
        print("blocked", flush=True)
        sys.stdin.readline()

sweep(frames, "ma_crossover", {"fast": [3, 5, 8, 13], "slow": [21, 34, 55]},
      output=out, chunk_size=chunk, max_workers=2, progress=progress)
print("finished", flush=True)
"""


def _frames() -> dict[str, pl.DataFrame]:
    return {s: synthetic_ohlcv(BARS, seed=3, symbol=s, volatility=0.02) for s in SYMBOLS}


def _start(out: Path, stop: int) -> subprocess.Popen[str]:
    args = [",".join(SYMBOLS), str(BARS), str(CHUNK), str(out), str(stop)]
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def _kill_after(child: subprocess.Popen[str], marker: str) -> list[str]:
    """Read the child's lines up to ``marker``, then SIGKILL it and reap it."""
    assert child.stdout is not None
    lines = []
    for line in child.stdout:
        lines.append(line.strip())
        if line.strip() == marker:
            break
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL
    child.stdout.close()
    assert child.stdin is not None
    child.stdin.close()
    return lines


def _resume(out: Path) -> tuple[pl.DataFrame, list[SweepProgress]]:
    events: list[SweepProgress] = []
    frame = sweep(
        _frames(), "ma_crossover", GRID, output=out, chunk_size=CHUNK, max_workers=2,
        progress=events.append,
    )  # fmt: skip
    return frame, events


@pytest.mark.slow
def test_sigkill_midway_then_rerun_equals_an_uninterrupted_run(tmp_path: Path):
    child = _start(tmp_path, stop=5)
    lines = _kill_after(child, "blocked")
    assert lines == ["chunk 1", "chunk 2", "chunk 3", "chunk 4", "chunk 5", "blocked"]
    kept = sorted(tmp_path.glob("part-*.parquet"))
    assert len(kept) == 5  # exactly the chunks written before the kill
    for path in kept:
        assert atomic_read(path, verify_checksum=True).height == CHUNK
    resumed, events = _resume(tmp_path)
    assert [e.resumed for e in events] == [5] * (TOTAL - 5)  # only the rest was computed
    assert events[-1].done == TOTAL
    uninterrupted = sweep(_frames(), "ma_crossover", GRID, chunk_size=CHUNK, max_workers=1)
    assert_frame_equal(resumed, uninterrupted, check_exact=True)
    assert len(list(tmp_path.glob("part-*.parquet"))) == TOTAL


@pytest.mark.slow
def test_sigkill_while_workers_run_then_rerun_equals_an_uninterrupted_run(tmp_path: Path):
    child = _start(tmp_path, stop=-1)  # never blocks: killed while computing and writing
    _kill_after(child, "chunk 2")
    assert len(list(tmp_path.glob("part-*.parquet"))) >= 2
    resumed, _ = _resume(tmp_path)
    uninterrupted = sweep(_frames(), "ma_crossover", GRID, chunk_size=CHUNK, max_workers=1)
    assert_frame_equal(resumed, uninterrupted, check_exact=True)
