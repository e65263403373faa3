"""Wall time of ``peak-trade run`` (the quickstart) in a fresh process (issue 7, section 5).

Run: ``pytest benchmarks/test_cli_bench.py --benchmark-group-by=group``.

- ``quickstart_warm``: the packaged quickstart (3 symbols x 2 strategies x 4,000
  bars) in a new interpreter, numba's cache warm, a new working directory each
  round (so the data cache misses and every step runs). Target: <= 5 s.
  ``cli_help`` beside it is the fixed cost of starting the interpreter and
  importing the CLI.
- ``quickstart_cold``: the same with an empty ``NUMBA_CACHE_DIR`` each round, the
  first run on a fresh machine (every kernel compiles).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROUNDS = 5


def _cli(*args: str, cwd: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "peak_trade.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _fresh_dir(tmp: Path) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return (), {"cwd": tempfile.mkdtemp(dir=tmp)}


@pytest.mark.benchmark(group="quickstart_warm")
def test_quickstart_warm(benchmark: Any, tmp_path: Path) -> None:
    _cli("run", cwd=str(tmp_path))  # warm numba's cache once
    benchmark.pedantic(
        lambda cwd: _cli("run", cwd=cwd),
        setup=lambda: _fresh_dir(tmp_path),
        rounds=ROUNDS,
        warmup_rounds=0,
    )


@pytest.mark.benchmark(group="quickstart_warm")
def test_cli_help(benchmark: Any, tmp_path: Path) -> None:
    benchmark.pedantic(lambda: _cli("--help", cwd=str(tmp_path)), rounds=ROUNDS)


@pytest.mark.benchmark(group="quickstart_cold")
def test_quickstart_cold_numba_cache(benchmark: Any, tmp_path: Path) -> None:
    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        env = {**os.environ, "NUMBA_CACHE_DIR": tempfile.mkdtemp(dir=tmp_path)}
        return (), {"cwd": tempfile.mkdtemp(dir=tmp_path), "env": env}

    benchmark.pedantic(lambda cwd, env: _cli("run", cwd=cwd, env=env), setup=setup, rounds=2)
