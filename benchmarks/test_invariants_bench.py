"""Headline invariant costs over 10,000,000 bars (issue 6, section 4).

Groups: ``invariants-every-bar`` (the simulation with strict checks on every bar vs
checks off) and ``invariants-end`` (the end-of-run kernel vs the simulation). The
same kernels on the same arrays as the gate cases in cases_invariants.py.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from benchmarks.cases_invariants import kernels

BARS = 10_000_000


@cache
def _kernels() -> Any:
    return kernels(BARS)


@pytest.mark.benchmark(group="invariants-every-bar")
@pytest.mark.parametrize("mode", ["off", "strict"])
def test_simulation_with_checks(benchmark: Any, mode: str) -> None:
    from peak_trade.backtest import _invariant_kernels as ik

    simulate, _ = _kernels()
    check = ik.CHECK_STOP if mode == "strict" else ik.CHECK_OFF
    benchmark.pedantic(simulate, args=(check,), rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="invariants-end")
def test_end_of_run_kernel(benchmark: Any) -> None:
    _, end_checks = _kernels()
    benchmark.pedantic(end_checks, rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="invariants-end")
def test_simulation_it_checks(benchmark: Any) -> None:
    from peak_trade.backtest import _invariant_kernels as ik

    simulate, _ = _kernels()
    benchmark.pedantic(simulate, args=(ik.CHECK_OFF,), rounds=7, warmup_rounds=1)
