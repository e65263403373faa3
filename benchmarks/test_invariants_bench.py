"""Headline invariant costs over 10,000,000 bars (issue 6, section 4).

Groups: ``invariants-every-bar`` (the simulation with strict checks on every bar vs
checks off) and ``invariants-end`` (the end-of-run kernel vs the simulation). The
same kernels on the same arrays as the gate cases in cases_invariants.py.

``python -m benchmarks.test_invariants_bench`` prints the A/B ratios quoted in
docs/invariants.md: the two kernel ratios above, their floors (passes that only
read the timestamps, or the end kernel's five arrays, vs the simulation), and the
same costs seen from a whole ``run_backtest`` (strict every_bar, and strict end,
vs mode off).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from benchmarks._sizes import headline_rows
from benchmarks.cases_invariants import kernels

BARS = headline_rows(10_000_000)


@cache
def _kernels() -> Any:
    return kernels(BARS)


@pytest.mark.benchmark(group="invariants-every-bar")
@pytest.mark.parametrize("mode", ["off", "strict"])
def test_simulation_with_checks(benchmark: Any, mode: str) -> None:
    from peak_trade.backtest._nb import checks as ik

    simulate, _, _ = _kernels()
    check = ik.CHECK_STOP if mode == "strict" else ik.CHECK_OFF
    benchmark.pedantic(simulate, args=(check,), rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="invariants-end")
def test_end_of_run_kernel(benchmark: Any) -> None:
    _, end_checks, _ = _kernels()
    benchmark.pedantic(end_checks, rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="invariants-end")
def test_simulation_it_checks(benchmark: Any) -> None:
    from peak_trade.backtest._nb import checks as ik

    simulate, _, _ = _kernels()
    benchmark.pedantic(simulate, args=(ik.CHECK_OFF,), rounds=7, warmup_rounds=1)


def run_level_cases(bars: int = BARS) -> list[Any]:
    """run_backtest strict (every_bar, then end) vs mode off, precomputed signal."""
    import gc

    from benchmarks.cases_engine import regime_signal
    from benchmarks.gatekit import RatioCase
    from benchmarks.test_engine_bench import _config, _frame
    from peak_trade.backtest.engine import run_backtest
    from peak_trade.backtest.invariants import InvariantConfig

    df = _frame(bars)
    signal = regime_signal(bars)
    cfg = _config()

    def run(checks: InvariantConfig) -> object:
        result = run_backtest(df, signal=signal, config=cfg, invariants=checks)
        del result
        return gc.collect()

    every_bar = InvariantConfig()
    end = InvariantConfig(timing="end")
    off = InvariantConfig(mode="off")
    gc.freeze()
    return [
        RatioCase("run_backtest_every_bar_vs_off", lambda: run(every_bar), lambda: run(off)),
        RatioCase("run_backtest_end_vs_off", lambda: run(end), lambda: run(off)),
    ]


def main() -> None:
    """Print the kernel-level and run-level invariant cost ratios over BARS bars."""
    from benchmarks.cases_invariants import end_kernel_case, every_bar_case, read_floor_case
    from benchmarks.gatekit import measure_ratio

    kernel_cases = [
        every_bar_case(BARS),
        read_floor_case(BARS, "timestamps"),
        end_kernel_case(BARS),
        read_floor_case(BARS, "end"),
    ]
    for case in [*kernel_cases, *run_level_cases()]:
        r = measure_ratio(case)
        print(
            f"{r.name}: {r.candidate_s * 1e3:.1f} ms / {r.reference_s * 1e3:.1f} ms = {r.ratio:.3f}"
        )


if __name__ == "__main__":
    main()
