"""The read paths of issue 15, each against ``pl.read_ipc`` of the same file.

``python -m benchmarks._cache_reads [ROWS]`` (default the gate's 2M rows):
a verified read with xxh3 and with sha256 (hash first, then decode), and an
unverified read (pyarrow's full validation before polars). Only the xxh3 figure
is gated (``cache_read_verified_xxh3_ipc_vs_polars`` in ``cases_cache``); this module is
named without the ``cases_`` prefix so that the gate does not collect it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.cases_cache import GATE_ROWS, ohlcv_frame
from benchmarks.gatekit import RatioCase, measure_ratio


def read_cases(rows: int, directory: Path) -> list[RatioCase]:
    """The three reads, on one frame written three times into ``directory``."""
    from peak_trade.data.cache_atomic import atomic_read, atomic_write

    df = ohlcv_frame(rows)
    xxh3 = atomic_write(df, directory / "xxh3.arrow", checksum="xxh3")
    sha = atomic_write(df, directory / "sha256.arrow", checksum="sha256")
    bare = atomic_write(df, directory / "none.arrow")
    return [
        RatioCase(
            "verified xxh3 vs pl.read_ipc",
            candidate=lambda: atomic_read(xxh3, verify_checksum=True),
            reference=lambda: pl.read_ipc(xxh3),
            rounds=9,
        ),
        RatioCase(
            "verified sha256 vs pl.read_ipc",
            candidate=lambda: atomic_read(sha, verify_checksum=True),
            reference=lambda: pl.read_ipc(sha),
            rounds=9,
        ),
        RatioCase(
            "unverified, fully validated, vs pl.read_ipc",
            candidate=lambda: atomic_read(bare),
            reference=lambda: pl.read_ipc(bare),
            rounds=9,
        ),
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else GATE_ROWS
    tmp = Path(tempfile.mkdtemp(prefix="peak_trade-bench-reads-"))
    try:
        for case in read_cases(n, tmp):
            r = measure_ratio(case)
            print(
                f"{n:,} rows  {case.name:44s} ours {r.candidate_s * 1e3:8.2f} ms  "
                f"reference {r.reference_s * 1e3:8.2f} ms  ratio {r.ratio:.3f}  "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
