"""Peak extra memory of one ``run_backtest`` over its input frame (issue 17, Memory).

Each measurement runs in a fresh child process, so that nothing another run left in
the allocator hides or adds to it:

1. read the OHLCV frame from an Arrow IPC file as one chunk (``rechunk()``) and
   touch every value (a pass of ``max()``), so that the whole input is resident
   before the run; warm the kernels on a small frame. (A frame in several chunks
   costs a contiguous copy of the four prices and the timestamps on top, 40 B/bar:
   the kernels read contiguous arrays);
2. for ``signal=``, build the signal array (part of the input, like the frame);
3. reset the peak (``/proc/self/clear_refs``, value 5) and take the resident size;
4. run the backtest and read the peak resident size (``VmHWM``).

The figure is (peak - resident before) / bars: what the run adds over its input,
result included, while the result is alive. The child runs with polars' jemalloc
returning freed pages at once (``_RJEM_MALLOC_CONF``), so that the resident size
follows the live data and not the allocator's decay timer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import gc, json, sys
import numpy as np
import polars as pl
from peak_trade.backtest.engine import run_backtest

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

path, mode = sys.argv[1], sys.argv[2]
small = pl.read_ipc(path, n_rows=5_000)
run_backtest(small, "ma_crossover", {"fast": 10, "slow": 50})  # load the kernels
run_backtest(small, signal=np.ones(small.height))
del small
df = pl.read_ipc(path).rechunk()  # one chunk: the kernels read its columns in place
df.select(pl.all().max())  # every page of the input is resident
signal = None
if mode == "signal":
    signal = (np.arange(df.height) // 5_000 % 2).astype(np.float64)
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS:")
if mode == "signal":
    result = run_backtest(df, signal=signal)
else:
    result = run_backtest(df, "ma_crossover", {"fast": 1000, "slow": 5000})
peak = status("VmHWM:")
print(json.dumps({"bars": df.height, "before": before, "peak": peak, "after": status("VmRSS:")}))
"""


#: polars' jemalloc returns freed pages at once: otherwise pages freed before the run
#: (the read) are purged during it, and the resident size falls under its start.
_NO_DECAY = "dirty_decay_ms:0,muzzy_decay_ms:0"


def frame_file(bars: int, directory: Path) -> Path:
    """The synthetic 1-minute frame of ``bars`` rows, written once as Arrow IPC."""
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    path = directory / f"ohlcv_{bars}.arrow"
    if not path.exists():
        synthetic_ohlcv(bars, seed=7, timeframe="1m").write_ipc(path)
    return path


def peak_extra(path: Path, mode: str) -> dict[str, float]:
    """One child's figures: bytes per bar of peak RSS over the RSS before the run."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode],
        env={**os.environ, "_RJEM_MALLOC_CONF": _NO_DECAY},
        check=True,
        capture_output=True,
        text=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    bars = got["bars"]
    return {
        "bars": bars,
        "extra_per_bar": (got["peak"] - got["before"]) / bars,
        "kept_per_bar": (got["after"] - got["before"]) / bars,
    }


def memory_main(bars: int, repeats: int = 3) -> None:
    """Print the peak extra bytes per bar of ``run_backtest``, ``repeats`` children each."""
    with tempfile.TemporaryDirectory() as tmp:
        path = frame_file(bars, Path(tmp))
        for mode in ("strategy", "signal"):
            runs = [peak_extra(path, mode) for _ in range(repeats)]
            extra = sorted(r["extra_per_bar"] for r in runs)
            kept = sorted(r["kept_per_bar"] for r in runs)
            what = (
                'run_backtest(df, "ma_crossover", {"fast": 1000, "slow": 5000})'
                if mode == "strategy"
                else "run_backtest(df, signal=array)"
            )
            print(
                f"{bars} bars, {what}: peak extra {extra[len(extra) // 2]:.1f} B/bar "
                f"(runs {', '.join(f'{x:.1f}' for x in extra)}; target <= 24), "
                f"still held after the run {kept[len(kept) // 2]:.1f} B/bar"
            )
