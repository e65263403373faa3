"""Issue 2's contract ratios, measured A B A B in one run.

Run ``python -m benchmarks._contract_ratios [ROWS]`` (default 10,000,000). Prints,
for ``check_ohlcv(strict=True, require_tz=True)``:

- the speed-up over dataframely (target >= 1.5) and pandera's polars backend
  (target >= 5) on a valid frame;
- the slowdown against a single-pass numba kernel (target <= 3);
- the per-call time on 1,440 rows (target <= 0.5 ms);
- the full report on 1% bad rows against the valid frame (target <= 3).

Each ratio is the ratio of medians of alternating timed calls
(:func:`benchmarks.gatekit.measure_ratio`).
"""

from __future__ import annotations

import logging
import platform
import sys
from importlib.metadata import version

import polars as pl

from benchmarks._contract_frames import bad_frame, valid_frame
from benchmarks._contract_kernel import numba_contract_ok
from benchmarks._contract_peers import dataframely_schema, pandera_schema
from benchmarks.gatekit import RatioCase, measure_ratio
from peak_trade.data.contracts import check_ohlcv


def _ours(df: pl.DataFrame) -> bool:
    # The full report: on the bad frame this includes every rule's counts and rows.
    return check_ohlcv(df, strict=True, require_tz=True).ok


def main(rows: int) -> None:
    logging.getLogger("peak_trade.data.contracts").disabled = True
    valid, bad, small = valid_frame(rows), bad_frame(rows), valid_frame(1_440)
    dy, pa = dataframely_schema(), pandera_schema()
    packages = ("polars", "numba", "dataframely", "pandera")
    print(
        f"rows={rows:,} python={platform.python_version()} "
        + " ".join(f"{p}={version(p)}" for p in packages)
    )
    cases = [
        # (figure, case, how to print it, target)
        (
            "dataframely / peak_trade",
            RatioCase("dy", lambda: dy.is_valid(valid), lambda: _ours(valid), rounds=5),
            ">= 1.5",
        ),
        (
            "pandera / peak_trade",
            RatioCase("pa", lambda: pa.validate(valid), lambda: _ours(valid), rounds=3),
            ">= 5",
        ),
        (
            "peak_trade / numba kernel",
            RatioCase("nb", lambda: _ours(valid), lambda: numba_contract_ok(valid), rounds=9),
            "<= 3",
        ),
        (
            "bad 1% report / valid",
            RatioCase("bad", lambda: _ours(bad), lambda: _ours(valid), rounds=9),
            "<= 3",
        ),
    ]
    for figure, case, target in cases:
        r = measure_ratio(case)
        print(
            f"{figure:28s} {r.ratio:7.2f}  (target {target}; medians "
            f"{r.candidate_s * 1e3:.1f} ms vs {r.reference_s * 1e3:.1f} ms)"
        )
    small_case = RatioCase("small", lambda: _ours(small), lambda: None, rounds=9, inner=200)
    r = measure_ratio(small_case)
    print(f"{'1,440 rows per call':28s} {r.candidate_s * 1e3:7.3f} ms  (target <= 0.5 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
