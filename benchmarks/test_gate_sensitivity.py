"""The gate can fail: a fake hot path made 1.5x slower trips a 1.2 budget.

Both sides run the same numpy kernel over the same array; the slow candidate just
runs it 3 times where the reference runs it 2 (1.5x the work), the way a
regression that adds half again to a hot path would look. The verdict comes from
the gate's own :func:`~benchmarks.gatekit.judge`, the function ``test_gate`` uses.

The gate's cases time wall-clock seconds (polars and I/O work is not all on one
thread). This fake path is single-threaded CPU work, so here ``judge`` times process
CPU seconds: that measures exactly the work done, even on a 2-core machine so busy
that wall-clock samples of the same work differ by 2x, so the test cannot flake.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from benchmarks.gatekit import RatioCase, format_table, judge, verdict

pytestmark = pytest.mark.gate

BUDGET = 1.2
_DATA = np.random.default_rng(9).standard_normal(250_000)


def _work(times: int) -> float:
    total = 0.0
    for _ in range(times):
        total += float(np.sort(_DATA)[-1])  # ~5-15 ms of real work per call here
    return total


def _case(candidate_times: int) -> RatioCase:
    return RatioCase(
        f"fake_hot_path_{candidate_times}x_vs_2x",
        lambda: _work(candidate_times),
        lambda: _work(2),
        rounds=9,
    )


def test_verdict_is_pass_at_or_under_the_budget_and_fail_over_it():
    assert (verdict(1.2, 1.2), verdict(1.19, 1.2), verdict(1.21, 1.2)) == ("PASS", "PASS", "FAIL")


def test_a_hot_path_made_1_5x_slower_fails_the_gate():
    row = judge(_case(3), BUDGET, area="sensitivity", clock=time.process_time)
    print(format_table([row]))
    assert row.verdict == "FAIL"
    assert row.ratio > BUDGET


def test_the_same_work_passes_the_gate():
    row = judge(_case(2), BUDGET, area="sensitivity", clock=time.process_time)
    print(format_table([row]))
    assert row.verdict == "PASS"
