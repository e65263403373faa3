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


class _FakeClock:
    """A clock that only moves when a call says so: the test's times are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_warmup_is_timed_apart_from_the_rounds():
    # The first call of the candidate stands for a JIT compile: 30 s on the fake
    # clock; every later call of either side takes 1 s. The time shares must see
    # the 2 x 5 timed calls (10 s) and the warmup must see 30 + 1 s.
    clock = _FakeClock()
    calls = {"candidate": 0}

    def candidate() -> None:
        calls["candidate"] += 1
        clock.now += 30.0 if calls["candidate"] == 1 else 1.0

    def reference() -> None:
        clock.now += 1.0

    case = RatioCase("fake_compile_then_steady", candidate, reference, rounds=5, warmup=1)
    row = judge(case, BUDGET, area="sensitivity", clock=clock)
    assert (row.warmup_s, row.measured_s, row.seconds) == (31.0, 10.0, 41.0)
    assert row.ratio == 1.0
    table = format_table([row])
    assert table.splitlines()[0].split()[-2:] == ["warmup", "secs"]
    assert table.splitlines()[-1].split()[-2:] == ["31.0", "41.0"]
