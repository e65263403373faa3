"""PBO by CSCV (issue 19, section 3): the numba kernel against plain loops.

    python -m benchmarks.cases_stats            # 2,000 bars x 1,000 configs, 16 splits
    pytest benchmarks -m gate -k stats          # the gate's smaller case

The gate case (``cases()``) times ``pbo`` against the numpy loop over block sums
on 1,000 x 300 with 12 splits (924 splits), so it stays within a few seconds.

The issue's target: ``pbo`` on 2,000 x 1,000 with 16 splits (12,870 splits) in at
most 1 s. Three sides, timed A B A B in one process (medians):

- ``pbo``: what the user types, ``pt.pbo(matrix, n_splits=16)`` (validation,
  block sums, the split list and the kernel);
- ``numpy over block sums``: the same algorithm as a plain Python loop over the
  splits, each split vectorised with numpy over the configurations;
- ``brute force``: the paper's recipe, concatenating each half's rows and taking
  mean / std with numpy; timed on the first ``BRUTE_SPLITS`` splits and scaled
  to 12,870 (it would take minutes in full), which the printout says.
"""

from __future__ import annotations

import itertools
import math
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from benchmarks.gatekit import RatioCase

ROWS = int(os.environ.get("PBO_BENCH_ROWS", "2000"))
COLS = int(os.environ.get("PBO_BENCH_COLS", "1000"))
SPLITS = 16
BRUTE_SPLITS = 200
ROUNDS = 3


def numpy_block_loop(m: np.ndarray, s: int) -> float:
    """PBO as a Python loop over the splits, numpy over the configurations."""
    length = m.shape[0] // s
    blocks = m[: length * s].reshape(s, length, m.shape[1])
    sums, squares = blocks.sum(axis=1), (blocks * blocks).sum(axis=1)
    total, total_sq = sums.sum(axis=0), squares.sum(axis=0)
    count = length * (s // 2)
    below = 0
    halves = list(itertools.combinations(range(s), s // 2))
    for half in halves:
        idx = list(half)
        a, q = sums[idx].sum(axis=0), squares[idx].sum(axis=0)
        sr_in = _sharpe(a, q, count)
        sr_out = _sharpe(total - a, total_sq - q, count)
        best = int(np.argmax(sr_in))
        rank = np.sum(sr_out < sr_out[best]) + (np.sum(sr_out == sr_out[best]) + 1) / 2
        w = rank / (m.shape[1] + 1)
        below += math.log(w / (1 - w)) <= 0
    return below / len(halves)


def _sharpe(total: np.ndarray, square: np.ndarray, count: int) -> np.ndarray:
    mean = total / count
    return mean / np.sqrt((square - count * mean * mean) / (count - 1))


def brute_force(m: np.ndarray, s: int, limit: int) -> float:
    """The paper's recipe on the first ``limit`` splits: concatenate, mean / std."""
    length = m.shape[0] // s
    blocks = [m[b * length : (b + 1) * length] for b in range(s)]
    below = 0
    for half in itertools.islice(itertools.combinations(range(s), s // 2), limit):
        ins = np.concatenate([blocks[b] for b in half])
        oos = np.concatenate([blocks[b] for b in range(s) if b not in half])
        sr_in = ins.mean(axis=0) / ins.std(axis=0, ddof=1)
        sr_out = oos.mean(axis=0) / oos.std(axis=0, ddof=1)
        best = int(np.argmax(sr_in))
        below += int(np.sum(sr_out < sr_out[best]) < m.shape[1] / 2)
    return below / limit


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cases() -> list[RatioCase]:
    from peak_trade.research.stats import pbo

    m = np.random.default_rng(1).normal(0.0, 0.01, (1_000, 300))
    return [
        RatioCase(
            "stats_pbo_vs_numpy_block_loop",
            candidate=lambda: pbo(m, n_splits=12),
            reference=lambda: numpy_block_loop(m, 12),
            rounds=7,
            warmup=1,
        )
    ]


def main() -> None:
    from peak_trade.research.stats import pbo

    m = np.random.default_rng(0).normal(0.0, 0.01, (ROWS, COLS))
    pbo(m[:64, :4], n_splits=4)  # compile or load the kernels
    n_split = math.comb(SPLITS, SPLITS // 2)
    ours, loop, brute = [], [], []
    for _ in range(ROUNDS):
        ours.append(_time(lambda: pbo(m, n_splits=SPLITS)))
        loop.append(_time(lambda: numpy_block_loop(m, SPLITS)))
        brute.append(_time(lambda: brute_force(m, SPLITS, BRUTE_SPLITS)) * n_split / BRUTE_SPLITS)
    assert pbo(m, n_splits=SPLITS).pbo == numpy_block_loop(m, SPLITS)
    a, b, c = (statistics.median(x) for x in (ours, loop, brute))
    print(f"load average {os.getloadavg()}; {ROWS} x {COLS}, {SPLITS} splits ({n_split})")
    print(f"pbo (user call):          {a:8.3f} s  (runs {[round(x, 3) for x in ours]})")
    print(f"numpy over block sums:    {b:8.3f} s  -> pbo is {b / a:.1f}x faster")
    print(f"brute force (scaled from {BRUTE_SPLITS} splits): {c:8.1f} s  -> {c / a:.0f}x faster")


if __name__ == "__main__":
    main()
