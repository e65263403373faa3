"""PBO on 2,000 bars x 1,000 configurations with 16 splits, next to a numpy loop.

    pytest benchmarks/test_stats_bench.py --benchmark-group-by=group

The issue's figures (A B A B in one process, with the brute-force side) come
from ``python -m benchmarks.cases_stats``.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.cases_stats import COLS, ROWS, SPLITS, numpy_block_loop
from peak_trade.research.stats import pbo

GROUP = "pbo-2000x1000-16"


@pytest.fixture(scope="module")
def matrix() -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 0.01, (ROWS, COLS))


@pytest.mark.benchmark(group=GROUP)
def test_pbo_user_call(benchmark, matrix):
    result = benchmark(pbo, matrix, n_splits=SPLITS)
    assert result.logits.shape == (12_870,)


@pytest.mark.benchmark(group=GROUP)
def test_numpy_loop_over_block_sums(benchmark, matrix):
    assert benchmark(numpy_block_loop, matrix, SPLITS) == pbo(matrix, n_splits=SPLITS).pbo
