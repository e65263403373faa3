"""Cold start (issue 17): import plus the first backtest in a fresh process.

Every figure is a new interpreter (``python -c SCRIPT``) with numba's on-disk cache
warm, timed twice: the whole process from the parent (what a user waits for at
the shell) and, printed by the script itself, the import and the first call
inside it. Absolute times swing with the shared machine's load, so each is also
given as a ratio to its floor, timed A B A B beside it:

- ``floor``: import numpy, polars and numba and call one cached kernel
  (``benchmarks/_cold_floor.py``). Loading a first cached kernel builds numba's
  CPU target, which any numba library pays; nothing peak_trade does can go below.
- ``import``: ``import peak_trade`` alone.
- ``strategy``: ``import peak_trade`` and a first ``run_backtest(df,
  "ma_crossover", {...})`` on 1,000 synthetic bars, what the issue's user types.
- ``signal``: the same with an exposure array, the script of
  ``benchmarks.test_engine_bench.cold_start_seconds``.
- ``strategy_freeze``: ``strategy`` ending in ``gc.freeze()``, as the console script
  does: the interpreter's shutdown then skips the collector's scan of numba's objects.
- ``cli_help``: ``peak-trade --help``, the CLI's fixed cost (``--cli`` also times
  the quickstart ``peak-trade run`` in a fresh working directory).

The gate holds ``strategy`` against ``floor`` (``cold_start_vs_floor`` in
``budgets.toml``). ``python -m benchmarks.cases_cold_start`` prints the table for
docs/benchmarks.md; ``--before SRC`` interleaves a second source tree (for example
an older commit's ``src``, exported with ``git archive``) so that before and after
share one load window.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.gatekit import RatioCase

__all__ = ["CLI", "HIDE_SCIPY", "SCRIPTS", "ColdRun", "cases", "cold_run", "main"]

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"

_CLOCK = "import time\nt0 = time.perf_counter()\n"
_DONE = "print(time.perf_counter() - t0)\n"

SCRIPTS = {
    "floor": _CLOCK
    + "import numpy as np\nimport polars\nimport numba\n"
    + "from benchmarks._cold_floor import total_nb\ntotal_nb(np.ones(3))\n"
    + _DONE,
    "import": _CLOCK + "import peak_trade\n" + _DONE,
    "strategy": _CLOCK
    + "import peak_trade\n"
    + "df = peak_trade.synthetic_ohlcv(1000)\n"
    + 'peak_trade.run_backtest(df, "ma_crossover", {"fast": 10, "slow": 50})\n'
    + _DONE,
    "signal": _CLOCK
    + "import numpy as np\nimport peak_trade\n"
    + "from peak_trade.backtest.engine import run_backtest\n"
    + "from peak_trade.data.providers.synthetic import synthetic_ohlcv\n"
    + "df = synthetic_ohlcv(1000)\n"
    + "run_backtest(df, signal=(np.arange(1000) // 50 % 2).astype(float))\n"
    + _DONE,
}
#: ``strategy``, then ``gc.freeze()`` before the interpreter exits (what ``peak-trade``
#: does): its shutdown then skips the collector's scan of numba's many objects.
SCRIPTS["strategy_freeze"] = SCRIPTS["strategy"] + "import gc\ngc.freeze()\n"
#: CLI figures: ``python -m peak_trade.cli ARGS`` (the console script's entry point).
CLI = {"cli_help": ("--help",), "cli_run": ("run",)}


@dataclass(frozen=True, slots=True)
class ColdRun:
    """One fresh process: its whole wall time, its CPU time (user + system, all threads;
    less sensitive to the shared machine's load than wall time) and the time its
    script measured inside."""

    process_s: float
    cpu_s: float
    inside_s: float | None


#: Prepended by ``--hide-scipy``: scipy then fails to import, as in a plain install
#: (numba imports ``scipy.linalg`` while building its CPU target when scipy is there).
HIDE_SCIPY = "import sys\nsys.modules['scipy'] = None\n"


def cold_run(
    script: str, /, *, src: Path = SRC, args: Sequence[str] = (), cwd: Path = REPO
) -> ColdRun:
    """Run ``python -c script`` (or ``-m peak_trade.cli args``) with ``src`` first on the path.

    Example:
        >>> cold_run(SCRIPTS["import"]).process_s > 0  # doctest: +SKIP
        True
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(REPO)])
    command = [sys.executable, "-m", "peak_trade.cli", *args] if args else [sys.executable]
    if not args:
        command += ["-c", script]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    process_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        msg = f"cold-start process failed ({done.returncode}):\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
    lines = done.stdout.strip().splitlines()
    inside = float(lines[-1]) if lines and _DONE in script else None
    return ColdRun(process_s, cpu_s, inside)


def cases() -> list[RatioCase]:
    """The gate's pair: import + first ma_crossover backtest vs the numba floor."""
    return [
        RatioCase(
            "cold_start_vs_floor",
            lambda: cold_run(SCRIPTS["strategy"]),
            lambda: cold_run(SCRIPTS["floor"]),
            rounds=5,
            warmup=1,
        )
    ]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def _spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f})"


def main(argv: Sequence[str] | None = None) -> None:
    """Print the cold-start table: medians, ranges and ratios to the floor, A B A B."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cases_cold_start")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, help="a second src tree to interleave")
    parser.add_argument("--cli", action="store_true", help="also time `peak-trade run`")
    parser.add_argument("--hide-scipy", action="store_true", help="scripts run as if no scipy")
    opts = parser.parse_args(argv)
    trees = {"after": SRC} if opts.before is None else {"before": opts.before, "after": SRC}
    names = ["floor", "import", "strategy", "strategy_freeze", "signal", "cli_help"]
    labels = ["floor"] + [f"{n}/{t}" for t in trees for n in names[1:]]
    if opts.cli:
        labels += [f"cli_run/{t}" for t in trees]
    runs: dict[str, list[ColdRun]] = {label: [] for label in labels}
    scratch = Path(tempfile.mkdtemp(prefix="cold_start_"))

    def once(label: str) -> ColdRun:
        name, _, tree = label.partition("/")
        src = trees.get(tree, SRC)
        if name in CLI:  # in a fresh directory each time: the quickstart's data cache misses
            cwd = Path(tempfile.mkdtemp(dir=scratch))
            return cold_run("", src=src, args=CLI[name], cwd=cwd)
        prefix = HIDE_SCIPY if opts.hide_scipy else ""
        return cold_run(prefix + SCRIPTS[name], src=src)

    try:
        for label in labels:  # warm numba's cache and the bytecode of every tree
            once(label)
        start_load = _load()
        for i in range(opts.rounds):
            order = labels if i % 2 == 0 else labels[::-1]
            for label in order:
                runs[label].append(once(label))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    hidden = ", scipy hidden" if opts.hide_scipy else ""
    print(f"{opts.rounds} rounds, load (1/5 min) {start_load} -> {_load()}{hidden}")
    floor = runs["floor"]
    for label in labels:
        whole = [r.process_s for r in runs[label]]
        ratios = [r.process_s / f.process_s for r, f in zip(runs[label], floor, strict=True)]
        inside = [r.inside_s for r in runs[label] if r.inside_s is not None]
        cpu = [r.cpu_s for r in runs[label]]
        cpu_ratio = statistics.median(cpu) / statistics.median([f.cpu_s for f in floor])
        text = (
            f"{label:16} whole {_spread(whole)}, x{statistics.median(ratios):.2f} floor; "
            f"cpu {statistics.median(cpu):.3f} s, x{cpu_ratio:.2f} floor"
        )
        if inside:
            text += f"; inside {_spread(inside)}"
        print(text)


if __name__ == "__main__":
    main()
