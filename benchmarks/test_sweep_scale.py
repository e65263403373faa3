"""Proof at scale (issue 20): a sweep whose data does not fit a driver that loads it.

``python -m benchmarks.test_sweep_scale`` writes ``SCALE_SYMBOLS`` (default
2,000) synthetic symbols x ``SCALE_BARS`` (default 100,000) bars into an
``OhlcvCache`` (~4.8 MB of Arrow IPC per symbol: ~9.6 GB at full size) under
``SCALE_ROOT`` (default: a temp dir, deleted afterwards), then sweeps 50
``ma_crossover`` combinations over them with ``collect=False``:

- by reference (``sweep(cache, ..., symbols=...)``) on the local executor, for
  ``SCALE_SMALL`` (default 200) symbols and for all of them: the driver's peak RSS
  must not grow with the symbol count;
- the same on a local 2-CPU Ray instance (started before the timing), with each
  Ray worker's peak RSS (``VmHWM`` of the worker processes of this instance);
- the ``SCALE_SMALL`` symbols passed as in-memory frames against by reference,
  A B A B in one run (throughput target: by reference within 1.2x);
- 20 random (symbol, combination) rows read back lazily and compared with
  ``run_backtest`` alone, every stat exactly.

Each sweep runs in a fresh child process, so ``resource.getrusage`` in that
process is the driver's own peak RSS. Targets: driver <= 600 MB at any symbol
count, worker <= 1 GB. ``SCALE_SYMBOLS=20 SCALE_BARS=5000 SCALE_SMALL=10`` tries
it small. The pytest test below runs a tiny size for correctness only.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

GRID = {"fast": [5, 10, 15, 20, 30], "slow": [40, 60, 80, 100, 120, 150, 180, 210, 250, 300]}


def _symbol(i: int) -> str:
    return f"SYN{i:05d}"


def build_cache(root: Path, symbols: int, bars: int) -> float:
    """Write the synthetic symbols (validated, checksummed); returns the seconds taken."""
    from peak_trade.data.cache import OhlcvCache
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    cache = OhlcvCache(root)
    started = time.perf_counter()
    for i in range(symbols):
        if not cache.exists(_symbol(i)):
            cache.put(_symbol(i), synthetic_ohlcv(bars, seed=i, symbol=_symbol(i), volatility=0.01))
    return time.perf_counter() - started


def _ray_worker_peaks(temp_dir: str) -> list[float]:
    """Peak RSS (MB, ``VmHWM``) of the Ray worker processes of the instance in ``temp_dir``."""
    import psutil

    peaks = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "raylet" not in (proc.info["name"] or "") or temp_dir not in cmd:
            continue
        for worker in proc.children(recursive=True):
            try:
                if not " ".join(worker.cmdline()).startswith("ray::"):
                    continue  # a Ray system process, not a worker
                status = Path(f"/proc/{worker.pid}/status").read_text()
            except (OSError, psutil.Error):
                continue
            kb = next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmHWM:")
            peaks.append(kb / 1024)
    return peaks


def child(root: str, symbols: int, executor: str, kind: str, output: str) -> dict[str, Any]:
    """One sweep in this (fresh) process: seconds, rows and peak RSS figures."""
    from peak_trade.data.cache import OhlcvCache
    from peak_trade.research.sweep import sweep

    cache = OhlcvCache(root)
    names = [_symbol(i) for i in range(symbols)]
    ray = None
    temp_dir = ""
    if executor == "ray":
        import ray

        temp_dir = tempfile.mkdtemp(prefix="pt-ray-", dir="/tmp")
        env = {"env_vars": {"POLARS_MAX_THREADS": "1", "NUMBA_NUM_THREADS": "1"}}
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=temp_dir,
                 runtime_env=env)  # fmt: skip
    frames = {s: cache.get(s) for s in names} if kind == "frames" else None
    started = time.perf_counter()
    if frames is not None:
        summary = sweep(frames, "ma_crossover", GRID, executor=executor, output=output,
                        collect=False)  # fmt: skip
    else:
        summary = sweep(cache, "ma_crossover", GRID, symbols=names, executor=executor,
                        output=output, collect=False)  # fmt: skip
    seconds = time.perf_counter() - started
    workers: list[float] = []
    if ray is not None:
        workers = _ray_worker_peaks(temp_dir)
        ray.shutdown()
        shutil.rmtree(temp_dir, ignore_errors=True)
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "symbols": symbols, "executor": executor, "kind": kind, "seconds": seconds,
        "rows": summary.rows, "retried": summary.retried, "driver_peak_mb": driver,
        "worker_peak_mb": workers or [driver], "load": os.getloadavg()[0],
    }  # fmt: skip


def _run_child(root: Path, symbols: int, executor: str, kind: str, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    args = [sys.executable, "-m", "benchmarks.test_sweep_scale", "child",
            str(root), str(symbols), executor, kind, str(out)]  # fmt: skip
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def check_rows(root: Path, out: Path, symbols: int, *, rows: int = 20, seed: int = 7) -> int:
    """Compare ``rows`` random (symbol, combination) rows with ``run_backtest`` alone."""
    from peak_trade.backtest.engine import run_backtest
    from peak_trade.backtest.stats import STAT_NAMES
    from peak_trade.data.cache import OhlcvCache

    cache = OhlcvCache(root)
    pick = random.Random(seed)
    combos = [(f, s) for f in GRID["fast"] for s in GRID["slow"]]
    lazy = pl.scan_parquet(str(out / "part-*.parquet"))
    checked = 0
    for _ in range(rows):
        symbol, (fast, slow) = _symbol(pick.randrange(symbols)), pick.choice(combos)
        row = lazy.filter(
            (pl.col("symbol") == symbol) & (pl.col("fast") == fast) & (pl.col("slow") == slow)
        ).collect()
        alone = run_backtest(cache.get(symbol), "ma_crossover", {"fast": fast, "slow": slow})
        assert row.height == 1, (symbol, fast, slow, row.height)
        for name in STAT_NAMES:
            got, want = row[name].item(), alone.stats[name]
            assert got == want or (got != got and want != want), (symbol, fast, slow, name)
        checked += 1
    return checked


def main() -> None:
    symbols = int(os.environ.get("SCALE_SYMBOLS", "2000"))
    bars = int(os.environ.get("SCALE_BARS", "100000"))
    small = int(os.environ.get("SCALE_SMALL", "200"))
    base = Path(os.environ.get("SCALE_ROOT") or tempfile.mkdtemp(prefix="pt-scale-"))
    root, out = base / "cache", base / "out"
    try:
        seconds = build_cache(root, symbols, bars)
        size = sum(p.stat().st_size for p in root.glob("*.arrow")) / 1e9
        print(f"cache: {symbols} symbols x {bars} bars, {size:.2f} GB, {seconds:.0f} s", flush=True)
        results = []
        for kind in ("frames", "cache", "frames", "cache"):  # A B A B, small size
            results.append(_run_child(root, small, "local", kind, out))
            print(json.dumps(results[-1]), flush=True)
        results.append(_run_child(root, symbols, "local", "cache", out))
        print(json.dumps(results[-1]), flush=True)
        print(f"checked {check_rows(root, out, symbols)} rows against run_backtest", flush=True)
        for count in (small, symbols):
            results.append(_run_child(root, count, "ray", "cache", out))
            print(json.dumps(results[-1]), flush=True)
        print(f"checked {check_rows(root, out, symbols)} rows against run_backtest (ray)")
        frames = sorted(r["seconds"] for r in results[:4] if r["kind"] == "frames")
        refs = sorted(r["seconds"] for r in results[:4] if r["kind"] == "cache")
        print(f"by reference / frames, {small} symbols: {refs} / {frames}", flush=True)
    finally:
        if not os.environ.get("SCALE_ROOT"):
            shutil.rmtree(base, ignore_errors=True)


def test_scale_benchmark_rows_match_run_backtest(tmp_path: Path) -> None:
    """The benchmark's own path at a tiny size: every checked row equals run_backtest."""
    from peak_trade.data.cache import OhlcvCache
    from peak_trade.research.sweep import sweep

    build_cache(tmp_path / "cache", 3, 1_000)
    cache = OhlcvCache(tmp_path / "cache")
    names = [_symbol(i) for i in range(3)]
    summary = sweep(cache, "ma_crossover", GRID, symbols=names, output=tmp_path / "out",
                    collect=False, max_workers=1)  # fmt: skip
    assert summary.rows == 150
    assert check_rows(tmp_path / "cache", tmp_path / "out", 3, rows=5) == 5


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        root, count, executor, kind, output = sys.argv[2:7]
        print(json.dumps(child(root, int(count), executor, kind, output)))
    else:
        main()
