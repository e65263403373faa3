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
    from benchmarks._read_floor import read_five_nb, read_one_nb
    from peak_trade.backtest import _fill_kernels as fk
    from peak_trade.backtest import _invariant_kernels as ik
    from peak_trade.backtest import _kernels as k
    from peak_trade.backtest._derive_kernels import cash_from_steps_nb
    from peak_trade.backtest._end_kernels import end_checks_nb

    a = _arrays(n)
    close, signal = a["close"], a["signal"]
    cap = fk.fill_capacity_nb(k.scan_signal_nb(signal, False)[3])
    position, equity, cash = np.empty(n), np.empty(n), np.empty(n)
    cash_bars, cash_values = np.full(cap + 2, -1, np.int64), np.empty(cap + 2)
    fills = np.empty((cap, fk.N_FILL_COLS))
    trades = np.empty((cap, fk.N_TRADE_COLS))
    counts = np.zeros(ik.N_INVARIANTS, np.int64)
    first_bar = np.full(ik.N_INVARIANTS, -1, np.int64)
    first_vals = np.zeros((ik.N_INVARIANTS, 3))
    done = {"nf": 0, "nt": 0}

    def simulate(check_mode: int) -> object:
        status, _, nf, nt = k.simulate_checked_nb(
            close, a["high"], a["low"], close, a["timestamps"], signal,
            CASH, FEE, SLIP, 1.0, False, False, check_mode,
            1e-6, 1e-9, 1.0, False, k.NO_FAULT, -1, 0.0,
            position, equity, cash_bars, cash_values, fills, trades, counts, first_bar,
            first_vals,
        )  # fmt: skip
        if status != 0:
            raise AssertionError(f"an invariant tripped on valid data: code {status}")
        done["nf"], done["nt"] = nf, nt
        return equity

    def end_checks() -> object:
        return end_checks_nb(
            a["timestamps"], close, a["high"], a["low"], position, cash, equity,
            fills, done["nf"], trades, done["nt"], CASH, SLIP, 1e-6, 1e-9, 1.0, False, True,
            counts, first_bar, first_vals,
        )  # fmt: skip

    def read_floor(which: str) -> object:
        if which == "timestamps":
            return read_one_nb(a["timestamps"])
        return read_five_nb(a["timestamps"], close, position, cash, equity)

    simulate(0)  # fills the arrays end_checks reads
    cash_from_steps_nb(cash_bars, cash_values, CASH, cash)  # as the engine does for "end"
    return simulate, end_checks, read_floor


def every_bar_case(n: int = GATE_BARS) -> RatioCase:
    """Strict every_bar simulation vs the same simulation with checks off."""
    from peak_trade.backtest import _invariant_kernels as ik

    simulate, _, _ = kernels(n)
    return RatioCase(
        "invariants_every_bar_vs_off",
        lambda: simulate(ik.CHECK_STOP),
        lambda: simulate(ik.CHECK_OFF),
        rounds=9,
    )


def end_kernel_case(n: int = GATE_BARS) -> RatioCase:
    """The end-of-run kernel vs the simulation (checks off) it checks."""
    from peak_trade.backtest import _invariant_kernels as ik

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
    from peak_trade.backtest import _invariant_kernels as ik

    simulate, _, read_floor = kernels(n)
    return RatioCase(
        f"invariants_read_{which}_vs_simulation",
        lambda: read_floor(which),
        lambda: simulate(ik.CHECK_OFF),
        rounds=9,
    )


def cases() -> list[RatioCase]:
    return [every_bar_case(), end_kernel_case()]
