"""Headline cache benchmarks (issue 3): 10,000,000-row OHLCV frame, both formats.

Run with ``pytest benchmarks/test_cache_bench.py --benchmark-only``. Set
``PEAK_TRADE_BENCH_ROWS`` for a smaller frame. Each group puts ``atomic_write``
(xxh3, sha256) beside a plain polars write plus fsync of the same format, and a
verified ``atomic_read`` beside a plain polars read. The gated ratios live in
``benchmarks/cases_cache.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from benchmarks.cases_cache import ohlcv_frame, plain_write

ROWS = int(os.environ.get("PEAK_TRADE_BENCH_ROWS", "10000000"))


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return ohlcv_frame(ROWS)


def _run(benchmark: object, fn: Callable[[], object]) -> None:
    benchmark.pedantic(fn, rounds=5, warmup_rounds=1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
@pytest.mark.parametrize("side", ["polars+fsync", "xxh3", "sha256"])
def test_write(
    benchmark: object, tmp_path: Path, frame: pl.DataFrame, suffix: str, side: str
) -> None:
    from peak_trade.data.cache_atomic import atomic_write

    benchmark.group = f"cache write {suffix} {ROWS:,} rows"  # type: ignore[attr-defined]
    path = tmp_path / f"bars{suffix}"
    if side == "polars+fsync":
        _run(benchmark, plain_write(frame, path))
    else:
        _run(benchmark, lambda: atomic_write(frame, path, checksum=side))  # type: ignore[arg-type]


@pytest.mark.parametrize("side", ["polars", "atomic", "atomic verified"])
def test_read_ipc(benchmark: object, tmp_path: Path, frame: pl.DataFrame, side: str) -> None:
    from peak_trade.data.cache_atomic import atomic_read, atomic_write

    benchmark.group = f"cache read .arrow {ROWS:,} rows"  # type: ignore[attr-defined]
    path = atomic_write(frame, tmp_path / "bars.arrow", checksum="xxh3")
    if side == "polars":
        _run(benchmark, lambda: pl.read_ipc(path))
    else:
        verify = side == "atomic verified"
        _run(benchmark, lambda: atomic_read(path, verify_checksum=verify))


@pytest.mark.parametrize("side", ["polars", "atomic verified"])
def test_read_parquet(benchmark: object, tmp_path: Path, frame: pl.DataFrame, side: str) -> None:
    from peak_trade.data.cache_atomic import atomic_read, atomic_write

    benchmark.group = f"cache read .parquet {ROWS:,} rows"  # type: ignore[attr-defined]
    path = atomic_write(frame, tmp_path / "bars.parquet", checksum="xxh3")
    if side == "polars":
        _run(benchmark, lambda: pl.read_parquet(path))
    else:
        _run(benchmark, lambda: atomic_read(path, verify_checksum=True))
