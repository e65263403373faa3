"""Gate cases for the crash-safe cache (issue 3, section 3).

The issue's targets are on a 10,000,000-row OHLCV frame; the gate uses
``GATE_ROWS`` (2,000,000 rows, about 96 MB as Arrow IPC) so that all cache cases
together stay near 20 s on the 2-core CI machine. The ratios are per-byte costs
and hold at both sizes. ``python -m benchmarks.cases_cache`` measures the same
three ratios at the headline size (``PEAK_TRADE_BENCH_ROWS``, default 10M, about
2 minutes); ``benchmarks/test_cache_bench.py`` times each side on its own.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from benchmarks.gatekit import RatioCase

GATE_ROWS = 2_000_000


def ohlcv_frame(rows: int) -> pl.DataFrame:
    """A deterministic, contract-valid OHLCV frame of ``rows`` bars."""
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return synthetic_ohlcv(rows, seed=3, symbol="BTC/EUR", timeframe="1m")


def fsync_file(path: Path) -> None:
    """fsync one file (the durability step of the plain reference write)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def plain_write(df: pl.DataFrame, path: Path) -> Callable[[], object]:
    """The reference: a plain polars write of the same format, then fsync."""
    if path.suffix == ".parquet":

        def run() -> object:
            df.write_parquet(path, compression="zstd")
            fsync_file(path)
            return None

        return run

    def run_ipc() -> object:
        df.write_ipc(path, compression="uncompressed")
        fsync_file(path)
        return None

    return run_ipc


def write_case(
    name: str, df: pl.DataFrame, directory: Path, suffix: str, algo: str, rounds: int = 5
) -> RatioCase:
    """``atomic_write`` with ``algo`` vs a plain polars write + fsync, same format."""
    from peak_trade.data.cache_atomic import atomic_write

    ours = directory / f"{name}.atomic{suffix}"
    plain = directory / f"{name}.plain{suffix}"
    return RatioCase(
        name,
        candidate=lambda: atomic_write(df, ours, checksum=algo),  # type: ignore[arg-type]
        reference=plain_write(df, plain),
        rounds=rounds,
    )


def read_case(name: str, df: pl.DataFrame, directory: Path, rounds: int = 9) -> RatioCase:
    """A verified xxh3 ``atomic_read`` of Arrow IPC vs a plain ``pl.read_ipc``."""
    from peak_trade.data.cache_atomic import atomic_read, atomic_write

    path = atomic_write(df, directory / f"{name}.arrow", checksum="xxh3")
    return RatioCase(
        name,
        candidate=lambda: atomic_read(path, verify_checksum=True),
        reference=lambda: pl.read_ipc(path),
        rounds=rounds,
    )


def cases(rows: int = GATE_ROWS) -> list[RatioCase]:
    """Every cache gate case, on ``rows`` rows in a fresh temp directory."""
    df = ohlcv_frame(rows)
    directory = Path(tempfile.mkdtemp(prefix="peak_trade-gate-cache-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)  # ~4 files of the frame
    return [
        write_case("cache_write_xxh3_ipc_vs_polars_fsync", df, directory, ".arrow", "xxh3"),
        write_case("cache_write_sha256_ipc_vs_polars_fsync", df, directory, ".arrow", "sha256"),
        read_case("cache_read_verified_xxh3_ipc_vs_polars", df, directory),
    ]


if __name__ == "__main__":
    from benchmarks.gatekit import measure_ratio

    headline = int(os.environ.get("PEAK_TRADE_BENCH_ROWS", "10000000"))
    for case in cases(headline):
        result = measure_ratio(case)
        print(
            f"{headline:,} rows  {case.name:40s} ours {result.candidate_s:6.3f} s  "
            f"reference {result.reference_s:6.3f} s  ratio {result.ratio:.3f}  "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
