"""``read_ohlcv`` against what a user would write by hand for the same file (issue 16).

Ratio run (the figures in docs/benchmarks.md), side by side in one process,
alternating A B A B and taking medians::

    python -m benchmarks.test_reader_bench 10000000 5 [csv] [ipc]

- ``csv``: ``read_ohlcv(path)`` (sniffing, typed read, time parsing, the strict
  contract) against ``pl.read_csv`` with the right schema plus
  ``str.to_datetime`` with the right format (no contract). Target <= 1.3x.
- ``ipc``: ``read_ohlcv(path)`` against ``pl.read_ipc`` plus
  ``validate_ohlcv(strict=True, require_tz=True)``. Target <= 1.1x.

Under pytest (``pytest benchmarks/test_reader_bench.py``) the same pairs run on
1M rows as pytest-benchmark groups.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.reader import read_ohlcv

_FORMAT = "%Y-%m-%d %H:%M:%S"
_SCHEMA = {
    "timestamp": pl.String,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "volume": pl.Float64,
}


def bars(n: int, seed: int = 7) -> pl.DataFrame:
    """``n`` valid minute bars from 2000-01-01, prices a rounded random walk."""
    rng = np.random.default_rng(seed)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 1e-4, n))), 4)
    open_ = np.r_[close[0], close[:-1]]
    high = np.round(np.maximum(open_, close) * (1 + rng.uniform(0, 1e-3, n)), 4)
    low = np.round(np.minimum(open_, close) * (1 - rng.uniform(0, 1e-3, n)), 4)
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    ts = pl.datetime_range(
        start, start + dt.timedelta(minutes=n - 1), "1m", eager=True, time_unit="us"
    )
    volume = rng.integers(1, 10_000, n).astype(np.float64)
    return pl.DataFrame(
        {"timestamp": ts, "open": open_, "high": high, "low": low, "close": close, "volume": volume}
    )


def write_files(n: int, root: Path) -> tuple[Path, Path]:
    """The bars as a CSV (naive ``YYYY-MM-DD HH:MM:SS`` times) and an IPC file."""
    frame = bars(n)
    csv, ipc = root / f"bars_{n}.csv", root / f"bars_{n}.arrow"
    if not csv.exists():
        frame.with_columns(pl.col("timestamp").dt.strftime(_FORMAT)).write_csv(csv)
    if not ipc.exists():
        frame.write_ipc(ipc)
    return csv, ipc


def by_hand_csv(path: Path) -> pl.DataFrame:
    """What a user writes who knows the file: the schema and the time format."""
    df = pl.read_csv(path, schema=_SCHEMA)
    return df.with_columns(
        pl.col("timestamp").str.to_datetime(_FORMAT, time_unit="us", time_zone="UTC")
    )


def by_hand_ipc(path: Path) -> pl.DataFrame:
    df = pl.read_ipc(path)
    validate_ohlcv(df, strict=True, require_tz=True)
    return df


def side_by_side(
    a: Callable[[], Any], b: Callable[[], Any], rounds: int
) -> tuple[float, float, float]:
    """Medians of ``a`` and ``b`` run alternately, and their ratio a / b."""
    times: dict[str, list[float]] = {"a": [], "b": []}
    for _ in range(rounds):
        for key, fn in (("a", a), ("b", b)):
            started = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - started)
    ma, mb = statistics.median(times["a"]), statistics.median(times["b"])
    return ma, mb, ma / mb


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_files(1_000_000, tmp_path_factory.mktemp("reader"))


@pytest.mark.benchmark(group="reader_csv_1m")
def test_read_ohlcv_csv(benchmark: Any, files: tuple[Path, Path]) -> None:
    out = benchmark(read_ohlcv, files[0])
    assert out.equals(by_hand_csv(files[0]))


@pytest.mark.benchmark(group="reader_csv_1m")
def test_by_hand_csv(benchmark: Any, files: tuple[Path, Path]) -> None:
    benchmark(by_hand_csv, files[0])


@pytest.mark.benchmark(group="reader_ipc_1m")
def test_read_ohlcv_ipc(benchmark: Any, files: tuple[Path, Path]) -> None:
    out = benchmark(read_ohlcv, files[1])
    assert out.equals(by_hand_ipc(files[1]))


@pytest.mark.benchmark(group="reader_ipc_1m")
def test_by_hand_ipc(benchmark: Any, files: tuple[Path, Path]) -> None:
    benchmark(by_hand_ipc, files[1])


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 10_000_000
    rounds = int(argv[1]) if len(argv) > 1 else 5
    only = set(argv[2:]) or {"csv", "ipc"}
    root = Path(tempfile.gettempdir()) / "peak_trade_reader_bench"
    root.mkdir(exist_ok=True)
    csv, ipc = write_files(n, root)
    assert read_ohlcv(csv).equals(by_hand_csv(csv))
    assert read_ohlcv(ipc).equals(by_hand_ipc(ipc))
    for label, a, b in (
        ("csv", lambda: read_ohlcv(csv), lambda: by_hand_csv(csv)),
        ("ipc", lambda: read_ohlcv(ipc), lambda: by_hand_ipc(ipc)),
    ):
        if label not in only:
            continue
        ma, mb, ratio = side_by_side(a, b, rounds)
        print(f"{label} {n:,} rows: read_ohlcv {ma:.3f} s, by hand {mb:.3f} s, ratio {ratio:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
