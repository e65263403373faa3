"""Numba kernels of the backtest invariants: the per-bar checks and their records.

``simulate_checked_nb`` (timing ``every_bar``) and ``end_checks_nb`` in
``_end_kernels.py`` (timing ``end``) call the same per-bar helpers in the same order
(timestamps, then the bar's fills, then the bar's state), so both timings report the
same first bars. The plain reference is ``reference_violations`` in
tests/backtest/invariant_reference.py and the definitions are in docs/invariants.md.

A violation is recorded in three arrays indexed by ``code - 1``: ``counts`` (int64),
``first_bar`` (int64, -1 when never seen) and ``first_vals`` (``(N_INVARIANTS, 3)``
float64, the offending values at the first occurrence).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest._fill_kernels import (
    F_FEE,
    F_PRICE,
    T_ENTRY_VALUE,
    T_EXIT_VALUE,
    T_PNL,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Invariant codes (1-based; 0 means no violation). Names live in invariants.py.
CASH_NON_NEGATIVE = 1
EQUITY_FINITE = 2
ACCOUNTING_IDENTITY = 3
EXPOSURE_WITHIN_LIMIT = 4
FILL_PRICE_VALID = 5
FEES_NON_NEGATIVE = 6
TIMESTAMPS_INCREASING = 7
TRADES_RECONCILE = 8
N_INVARIANTS = 8

# check_mode values.
CHECK_OFF = 0
CHECK_STOP = 1  # strict: stop at the first violation
CHECK_COUNT = 2  # warn: record the first occurrence of each and keep counting


@njit(cache=True, nogil=True)
def tol_nb(abs_tol: float, rel_tol: float, x: float) -> float:
    """Reference: abs_tol + rel_tol * max(1, |x|)."""
    return abs_tol + rel_tol * max(1.0, abs(x))


@njit(cache=True, nogil=True)
def record_nb(
    code: int,
    bar: int,
    v0: float,
    v1: float,
    v2: float,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> int:
    """Reference: counts[code-1] += 1, keeping the first bar and values; returns code."""
    j = code - 1
    if counts[j] == 0:
        first_bar[j] = bar
        first_vals[j, 0] = v0
        first_vals[j, 1] = v1
        first_vals[j, 2] = v2
    counts[j] += 1
    return code


@njit(cache=True, nogil=True)
def check_time_nb(
    bar: int, prev_ts: int, ts: int, counts: Ints, first_bar: Ints, first_vals: Floats
) -> int:
    """Reference: bar > 0 and ts <= prev_ts is a timestamps_increasing violation."""
    if bar > 0 and ts <= prev_ts:
        return record_nb(
            TIMESTAMPS_INCREASING,
            bar,
            float(prev_ts),
            float(ts),
            0.0,
            counts,
            first_bar,
            first_vals,
        )
    return 0


@njit(cache=True, nogil=True)
def price_ok_nb(price: float, floor: float, ceiling: float, abs_tol: float, rel_tol: float) -> bool:
    """Reference: price is finite, > 0 and in [floor, ceiling] widened by tol_nb.

    Branch-free (``&``): the fill screen calls it in a loop that must not stall.
    A NaN or inf price makes ``price - price`` NaN, which fails ``== 0``.
    """
    return (
        (price - price == 0.0)
        & (price > 0.0)
        & (price >= floor - tol_nb(abs_tol, rel_tol, floor))
        & (price <= ceiling + tol_nb(abs_tol, rel_tol, ceiling))
    )


@njit(cache=True, nogil=True)
def check_fills_nb(
    bar: int,
    fills: Floats,
    lo: int,
    hi: int,
    low: float,
    high: float,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    stop: bool,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> int:
    """Reference: each fill row in [lo, hi) has a finite price in the widened range, fee >= 0."""
    first = 0
    for r in range(lo, hi):
        price = fills[r, F_PRICE]
        floor = low * (1.0 - slip)
        ceiling = high * (1.0 + slip)
        if not price_ok_nb(price, floor, ceiling, abs_tol, rel_tol):
            code = record_nb(
                FILL_PRICE_VALID, bar, price, floor, ceiling, counts, first_bar, first_vals
            )
            first = first or code
            if stop:
                return first
        fee = fills[r, F_FEE]
        if not fee >= 0.0:
            code = record_nb(
                FEES_NON_NEGATIVE, bar, fee, float(r), 0.0, counts, first_bar, first_vals
            )
            first = first or code
            if stop:
                return first
    return first


@njit(cache=True, nogil=True)
def state_ok_nb(
    cash: float,
    pos: float,
    mark: float,
    equity: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
) -> bool:
    """Reference: check_state_nb finds nothing (scalars only: cheap on the hot path)."""
    tol = abs_tol + rel_tol * max(1.0, abs(equity))
    held = pos * mark
    # Branch-free (& not `and`) so the loops calling it stay tight. The identity
    # test also covers finiteness: a NaN or inf in equity, cash or position makes
    # the difference NaN or inf, which fails `<= tol`.
    ruined_short = short_account & (pos == 0.0) & (equity <= 0.0)
    return (
        ((cash >= -tol) | ruined_short)
        & (abs(equity - (cash + held)) <= tol)
        & (abs(held) <= max_leverage * max(equity, 0.0) + tol)
    )


@njit(cache=True, nogil=True, inline="always")
def quiet_state_ok_nb(held: float, equity: float, max_leverage: float, least_tol: float) -> bool:
    """Reference: a screen that implies state_ok_nb on a bar without fills.

    Valid when ``equity`` was computed as ``cash + held`` (so the identity holds
    exactly once it is finite), ``cash >= -least_tol`` and ``least_tol = abs_tol +
    rel_tol`` (the smallest ``tol(x)``): then ``|held| <= max_leverage * equity +
    least_tol`` with a finite equity passes all four state checks. It may reject a
    good bar (that bar then takes the full check), never pass a bad one.
    """
    return (abs(held) <= max_leverage * equity + least_tol) & (equity < np.inf)


@njit(cache=True, nogil=True)
def check_state_nb(
    bar: int,
    cash: float,
    pos: float,
    mark: float,
    equity: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    stop: bool,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> int:
    """Reference: the four per-bar state invariants of docs/invariants.md, in code order."""
    first = 0
    tol = tol_nb(abs_tol, rel_tol, equity)
    if cash < -tol and not (short_account and pos == 0.0 and equity <= 0.0):
        first = record_nb(CASH_NON_NEGATIVE, bar, cash, equity, pos, counts, first_bar, first_vals)
        if stop:
            return first
    if not (np.isfinite(equity) and np.isfinite(cash) and np.isfinite(pos)):
        code = record_nb(EQUITY_FINITE, bar, equity, cash, pos, counts, first_bar, first_vals)
        return first or code  # the other checks are meaningless on non-finite state
    held = pos * mark
    marked = cash + held
    if abs(equity - marked) > rel_tol * max(1.0, abs(equity)) + abs_tol:
        code = record_nb(
            ACCOUNTING_IDENTITY, bar, equity, marked, mark, counts, first_bar, first_vals
        )
        first = first or code
        if stop:
            return first
    limit = max_leverage * max(equity, 0.0)
    if abs(held) > limit + tol:
        code = record_nb(
            EXPOSURE_WITHIN_LIMIT, bar, abs(held), equity, limit, counts, first_bar, first_vals
        )
        first = first or code
    return first


@njit(cache=True, nogil=True)
def check_bar_nb(
    bar: int,
    timestamps: Ints,
    check_time: bool,
    fills: Floats,
    lo: int,
    hi: int,
    low: float,
    high: float,
    cash: float,
    pos: float,
    mark: float,
    equity: float,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    stop: bool,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> int:
    """Reference: one bar's checks in order: timestamp, fills [lo, hi), then state.

    ``check_time=False`` skips the timestamp comparison for a bar the caller already
    found ordered. The simulation passes no fill rows (``lo == hi``): it checks all
    fills after its loop with ``first_fill_fault_nb``.
    """
    first = 0
    if check_time and bar > 0 and timestamps[bar] <= timestamps[bar - 1]:
        first = check_time_nb(
            bar, timestamps[bar - 1], timestamps[bar], counts, first_bar, first_vals
        )
        if stop:
            return first
    if hi > lo:
        code = check_fills_nb(
            bar, fills, lo, hi, low, high, slip, abs_tol, rel_tol, stop,
            counts, first_bar, first_vals,
        )  # fmt: skip
        first = first or code
        if code and stop:
            return first
    code = check_state_nb(
        bar, cash, pos, mark, equity, abs_tol, rel_tol, max_leverage, short_account, stop,
        counts, first_bar, first_vals,
    )  # fmt: skip
    return first or code


@njit(cache=True, nogil=True)
def check_reconcile_nb(
    bar: int,
    initial_cash: float,
    final_equity: float,
    trades: Floats,
    nt: int,
    abs_tol: float,
    rel_tol: float,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> int:
    """Reference: initial cash + the trades' pnl (open one marked) equals final equity."""
    expected = initial_cash
    turnover = initial_cash
    for t in range(nt):
        expected += trades[t, T_PNL]
        turnover += abs(trades[t, T_ENTRY_VALUE]) + abs(trades[t, T_EXIT_VALUE])
    diff = final_equity - expected
    if not abs(diff) <= tol_nb(abs_tol, rel_tol, turnover):
        return record_nb(
            TRADES_RECONCILE, bar, expected, final_equity, diff, counts, first_bar, first_vals
        )
    return 0


@njit(cache=True, nogil=True)
def first_code_nb(counts: Ints, first_bar: Ints) -> tuple[int, int]:
    """Reference: the violated code with the smallest first bar (ties: lowest code)."""
    best = 0
    bar = -1
    for j in range(counts.shape[0]):
        if counts[j] > 0 and (best == 0 or first_bar[j] < bar):
            best = j + 1
            bar = first_bar[j]
    return best, bar


@njit(cache=True, nogil=True)
def first_unordered_nb(timestamps: Ints, start: int) -> int:
    """Reference: the first i >= max(start, 1) with ts[i] <= ts[i - 1], else len(ts)."""
    n = timestamps.shape[0]
    lo = max(start, 1)
    while lo < n:
        hi = min(n, lo + 4096)
        # Branch-free over views indexed from 0 (no negative-index wraparound): the
        # loop vectorises.
        cur = timestamps[lo:hi]
        before = timestamps[lo - 1 : hi - 1]
        bad = 0
        for j in range(cur.shape[0]):
            bad += cur[j] <= before[j]
        if bad:
            for i in range(lo, hi):
                if timestamps[i] <= timestamps[i - 1]:
                    return i
        lo = hi
    return int(n)
