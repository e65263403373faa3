"""Numba kernels of the invariants: the table of state checks and the records.

docs/invariants.md defines each invariant; the plain reference is
``reference_violations`` in ``tests/backtest/invariant_reference.py``.

**The state table.** ``state_table_nb`` lists the per-bar state invariants in code
order, one entry each. An entry is an inlined function of the bar's state that
returns ``(ok, final, v0, v1, v2)``: whether the bar passes, whether a failure makes
the later entries meaningless, and the values a violation records. Every path reads
the table: ``state_ok_nb`` (the simulation's per-bar screen, the quiet blocks and
the end-of-run screen) and ``check_state_nb`` (the exact check that records). To add
a state invariant, write its entry function, add it to the table, and give its name
in ``backtest/invariants.py``; the codes of the other invariants follow the table.

A violation is recorded in ``Violations`` (``records.py``) at ``code - 1``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from peak_trade.backtest._nb.jit import njit_borrowed
from peak_trade.backtest._nb.records import Checks, Ints, Records, Violations

# check_mode values.
CHECK_OFF = 0
CHECK_STOP = 1  # strict: stop at the first violation
CHECK_COUNT = 2  # warn: record the first occurrence of each and keep counting

Entry = tuple[bool, bool, float, float, float]


@njit(cache=True, nogil=True, inline="always")
def tol_nb(abs_tol: float, rel_tol: float, x: float) -> float:
    """Reference: abs_tol + rel_tol * max(1, |x|)."""
    return abs_tol + rel_tol * max(1.0, abs(x))


@njit(cache=True, nogil=True, inline="always")
def cash_non_negative_nb(cash: float, pos: float, mark: float, equity: float, c: Checks) -> Entry:
    """Reference: cash >= -tol(equity), except a ruined short account flat at <= 0."""
    ruined_short = c.short_account & (pos == 0.0) & (equity <= 0.0)
    ok = (not (cash < -tol_nb(c.abs_tol, c.rel_tol, equity))) | ruined_short
    return ok, False, cash, equity, pos


@njit(cache=True, nogil=True, inline="always")
def equity_finite_nb(cash: float, pos: float, mark: float, equity: float, c: Checks) -> Entry:
    """Reference: equity, cash and position are finite (else the rest is meaningless)."""
    ok = np.isfinite(equity) & np.isfinite(cash) & np.isfinite(pos)
    return ok, True, equity, cash, pos


@njit(cache=True, nogil=True, inline="always")
def accounting_identity_nb(cash: float, pos: float, mark: float, equity: float, c: Checks) -> Entry:
    """Reference: |equity - (cash + position x close)| <= tol(equity)."""
    marked = cash + pos * mark
    ok = not (abs(equity - marked) > c.rel_tol * max(1.0, abs(equity)) + c.abs_tol)
    return ok, False, equity, marked, mark


@njit(cache=True, nogil=True, inline="always")
def exposure_within_limit_nb(
    cash: float, pos: float, mark: float, equity: float, c: Checks
) -> Entry:
    """Reference: |position x close| <= max_leverage x max(equity, 0) + tol(equity)."""
    held = abs(pos * mark)
    limit = c.max_leverage * max(equity, 0.0)
    ok = not (held > limit + tol_nb(c.abs_tol, c.rel_tol, equity))
    return ok, False, held, equity, limit


@njit(cache=True, nogil=True, inline="always")
def state_table_nb(
    cash: float, pos: float, mark: float, equity: float, c: Checks
) -> tuple[Entry, Entry, Entry, Entry]:
    """The state invariants in code order (codes 1 to N_STATE)."""
    return (
        cash_non_negative_nb(cash, pos, mark, equity, c),
        equity_finite_nb(cash, pos, mark, equity, c),
        accounting_identity_nb(cash, pos, mark, equity, c),
        exposure_within_limit_nb(cash, pos, mark, equity, c),
    )


# Codes (1-based; 0 means no violation); names are in backtest/invariants.py.
CASH_NON_NEGATIVE = 1
EQUITY_FINITE = 2
ACCOUNTING_IDENTITY = 3
EXPOSURE_WITHIN_LIMIT = 4
N_STATE = 4  # the table's length
FILL_PRICE_VALID = N_STATE + 1
FEES_NON_NEGATIVE = N_STATE + 2
TIMESTAMPS_INCREASING = N_STATE + 3
TRADES_RECONCILE = N_STATE + 4
N_INVARIANTS = N_STATE + 4


@njit(cache=True, nogil=True, inline="always")
def state_ok_nb(cash: float, pos: float, mark: float, equity: float, c: Checks) -> bool:
    """Reference: check_state_nb finds nothing; branch-free, for loops that vectorise."""
    ok = True
    for entry in state_table_nb(cash, pos, mark, equity, c):
        ok &= entry[0]
    return ok


@njit_borrowed
def record_nb(code: int, bar: int, v0: float, v1: float, v2: float, viol: Violations) -> int:
    """Reference: counts[code-1] += 1, keeping the first bar and values; returns code."""
    j = code - 1
    if viol.counts[j] == 0:
        viol.first_bar[j] = bar
        viol.first_vals[j, 0] = v0
        viol.first_vals[j, 1] = v1
        viol.first_vals[j, 2] = v2
    viol.counts[j] += 1
    return code


@njit_borrowed
def check_state_nb(
    bar: int, cash: float, pos: float, mark: float, equity: float, c: Checks, viol: Violations
) -> int:
    """Reference: the table's entries in code order, recorded; the first code or 0."""
    first = 0
    code = 0
    for entry in state_table_nb(cash, pos, mark, equity, c):
        code += 1
        ok, final, v0, v1, v2 = entry
        if ok:
            continue
        record_nb(code, bar, v0, v1, v2, viol)
        first = first or code
        if final or c.mode == CHECK_STOP:
            return first
    return first


@njit_borrowed
def check_time_nb(bar: int, timestamps: Ints, viol: Violations) -> int:
    """Reference: bar > 0 and ts[bar] <= ts[bar - 1] is a timestamps_increasing violation."""
    if bar > 0 and timestamps[bar] <= timestamps[bar - 1]:
        prev, now = float(timestamps[bar - 1]), float(timestamps[bar])
        return record_nb(TIMESTAMPS_INCREASING, bar, prev, now, 0.0, viol)
    return 0


@njit_borrowed
def check_reconcile_nb(
    bar: int, initial_cash: float, final_equity: float, trades: Records, nt: int,
    c: Checks, viol: Violations,
) -> int:  # fmt: skip
    """Reference: initial cash + the trades' pnl (open one marked) equals final equity."""
    expected = initial_cash
    turnover = initial_cash
    for t in range(nt):
        expected += trades[t].pnl
        turnover += abs(trades[t].entry_value) + abs(trades[t].exit_value)
    diff = final_equity - expected
    if not abs(diff) <= tol_nb(c.abs_tol, c.rel_tol, turnover):
        return record_nb(TRADES_RECONCILE, bar, expected, final_equity, diff, viol)
    return 0


@njit_borrowed
def first_code_nb(viol: Violations) -> tuple[int, int]:
    """Reference: the violated code with the smallest first bar (ties: lowest code)."""
    best = 0
    bar = -1
    for j in range(viol.counts.shape[0]):
        if viol.counts[j] > 0 and (best == 0 or viol.first_bar[j] < bar):
            best = j + 1
            bar = viol.first_bar[j]
    return best, bar


@njit_borrowed
def forget_nb(code: int, viol: Violations) -> None:
    """Reference: undo the single record of ``code`` (strict mode keeps one violation)."""
    viol.counts[code - 1] = 0
    viol.first_bar[code - 1] = -1
    viol.first_vals[code - 1, :] = 0.0


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
