"""Gate cases for the backtest invariants (issue 6, section 4).

Both ratios compare kernels side by side on the same arrays and reused buffers:
strict every_bar checks vs the same simulation with checks off (target <= 1.10),
and the end-of-run kernel vs the simulation itself (target <= 0.15). The gate uses
2,000,000 bars (the headline in test_invariants_bench.py uses 10,000,000) so both
cases together take a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.gatekit import RatioCase

GATE_BARS = 2_000_000
FEE = 0.001
SLIP = 0.0005
CASH = 10_000.0


def _arrays(n: int) -> dict[str, Any]:
    """A deterministic market (random walk, 0.1% bar range) and a regime signal."""
    rng = np.random.default_rng(6)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, n)))
    signal = (np.cumsum(rng.random(n) < 0.002) % 2).astype(np.float64)
    return {
        "close": close,
        "high": close * 1.001,
        "low": close * 0.999,
        "timestamps": np.arange(n, dtype=np.int64) * 60_000_000,
        "signal": signal,
    }


def kernels(
    n: int,
) -> tuple[Callable[[int], object], Callable[[], object], Callable[[str], object]]:
    """``simulate(check_mode)``, ``end_checks()`` and ``read_floor(which)`` over one market.

    The buffers are reused. ``read_floor("end")`` only reads the five arrays the end
    kernel reads, ``read_floor("timestamps")`` only the timestamps, the one array
    the per-bar checks add (``benchmarks/_read_floor.py``).
    """
    from benchmarks._engine_records import checks, close_market, plain_settings, run_records
    from benchmarks._read_floor import read_five_nb, read_one_nb
    from peak_trade.backtest._nb.checks import CHECK_STOP
    from peak_trade.backtest._nb.derive import from_steps_nb
    from peak_trade.backtest._nb.end import end_checks_nb
    from peak_trade.backtest._nb.fills import fill_capacity_nb
    from peak_trade.backtest._nb.scan import scan_signal_nb
    from peak_trade.backtest._nb.simulate import simulate_nb

    a = _arrays(n)
    close, signal = a["close"], a["signal"]
    bars = close_market(close, high=a["high"], low=a["low"], timestamps=a["timestamps"])
    settings = plain_settings(CASH, FEE, SLIP)
    book, viol = run_records(n, fill_capacity_nb(scan_signal_nb(signal, False)[3], False))
    equity, cash, position = book.equity, np.empty(n), np.empty(n)
    done = {"nf": 0, "nt": 0}

    def simulate(check_mode: int) -> object:
        status, _, nf, nt, _ = simulate_nb(bars, settings, checks(check_mode), signal, book, viol)
        if status != 0:
            raise AssertionError(f"an invariant tripped on valid data: code {status}")
        done["nf"], done["nt"] = nf, nt
        return equity

    def end_checks() -> object:
        strict = checks(CHECK_STOP)
        nf, nt = done["nf"], done["nt"]
        return end_checks_nb(bars, book, cash, position, nf, nt, settings, strict, viol)

    def read_floor(which: str) -> object:
        if which == "timestamps":
            return read_one_nb(a["timestamps"])
        return read_five_nb(a["timestamps"], close, position, cash, equity)

    simulate(0)  # fills the arrays end_checks reads
    # Per-bar cash and position from the steps, as the engine does for timing "end".
    from_steps_nb(book.step_bars, book.step_cash, CASH, cash)
    from_steps_nb(book.step_bars, book.step_pos, 0.0, position)
    return simulate, end_checks, read_floor


def every_bar_case(n: int = GATE_BARS) -> RatioCase:
    """Strict every_bar simulation vs the same simulation with checks off."""
    from peak_trade.backtest._nb import checks as ik

    simulate, _, _ = kernels(n)
    return RatioCase(
        "invariants_every_bar_vs_off",
        lambda: simulate(ik.CHECK_STOP),
        lambda: simulate(ik.CHECK_OFF),
        rounds=9,
    )


def end_kernel_case(n: int = GATE_BARS) -> RatioCase:
    """The end-of-run kernel vs the simulation (checks off) it checks."""
    from peak_trade.backtest._nb import checks as ik

    simulate, end_checks, _ = kernels(n)
    return RatioCase(
        "invariants_end_kernel_vs_simulation",
        end_checks,
        lambda: simulate(ik.CHECK_OFF),
        rounds=9,
    )


def read_floor_case(n: int = GATE_BARS, which: str = "end") -> RatioCase:
    """Only reading arrays vs the simulation: the floor of a ratio above.

    ``which="end"`` reads the end kernel's five arrays (the floor of the end ratio);
    ``"timestamps"`` reads the timestamps (every_bar's floor is 1 plus this).
    """
    from peak_trade.backtest._nb import checks as ik

    simulate, _, read_floor = kernels(n)
    return RatioCase(
        f"invariants_read_{which}_vs_simulation",
        lambda: read_floor(which),
        lambda: simulate(ik.CHECK_OFF),
        rounds=9,
    )


def cases() -> list[RatioCase]:
    return [every_bar_case(), end_kernel_case()]
