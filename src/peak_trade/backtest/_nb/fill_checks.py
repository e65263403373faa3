"""Numba kernels of the fill invariants: a fill's price and fee, screened and recorded.

The simulation checks each bar's timestamp and state in its loop but its fills all
at once afterwards: a fill check reads its bar's low and high, a cache miss that
would stall the loop, while one pass over the fill rows overlaps them. Strict mode
still reports the first violation in each bar's order (timestamp, fills, state):
``first_of_stop_nb``. docs/invariants.md defines the checks.
"""

from __future__ import annotations

from numba import njit

from peak_trade.backtest._nb.checks import (
    CHECK_STOP,
    FEES_NON_NEGATIVE,
    FILL_PRICE_VALID,
    TIMESTAMPS_INCREASING,
    forget_nb,
    record_nb,
    tol_nb,
)
from peak_trade.backtest._nb.jit import njit_borrowed
from peak_trade.backtest._nb.records import Checks, Floats, Records, Violations


@njit(cache=True, nogil=True, inline="always")
def fill_entry_nb(
    price: float, fee: float, low: float, high: float, slip: float, c: Checks
) -> tuple[bool, bool, float, float]:
    """Reference: (price finite, > 0 and in [low(1-slip), high(1+slip)] widened by tol; fee >= 0).

    Also returns the bounds. Branch-free (``&``): the screen calls it in a loop that
    must not stall. A NaN or inf price makes ``price - price`` NaN, which fails ``== 0``.
    """
    floor = low * (1.0 - slip)
    ceiling = high * (1.0 + slip)
    price_ok = (
        (price - price == 0.0)
        & (price > 0.0)
        & (price >= floor - tol_nb(c.abs_tol, c.rel_tol, floor))
        & (price <= ceiling + tol_nb(c.abs_tol, c.rel_tol, ceiling))
    )
    return price_ok, fee >= 0.0, floor, ceiling


@njit_borrowed
def fills_ok_nb(fills: Records, nf: int, low: Floats, high: Floats, slip: float, c: Checks) -> bool:
    """Reference: check_fills_nb finds nothing in rows [0, nf) (one branch-free pass)."""
    ok = True
    for r in range(nf):
        f = fills[r]
        price_ok, fee_ok, _, _ = fill_entry_nb(f.price, f.fee, low[f.bar], high[f.bar], slip, c)
        ok &= price_ok & fee_ok
    return ok


@njit_borrowed
def check_fills_nb(
    bar: int, fills: Records, lo: int, hi: int, low: float, high: float, slip: float,
    c: Checks, viol: Violations,
) -> int:  # fmt: skip
    """Reference: each fill row in [lo, hi) has a finite price in the widened range, fee >= 0."""
    stop = c.mode == CHECK_STOP
    first = 0
    for r in range(lo, hi):
        f = fills[r]
        price_ok, fee_ok, floor, ceiling = fill_entry_nb(f.price, f.fee, low, high, slip, c)
        if not price_ok:
            first = first or record_nb(FILL_PRICE_VALID, bar, f.price, floor, ceiling, viol)
            if stop:
                return first
        if not fee_ok:
            first = first or record_nb(FEES_NON_NEGATIVE, bar, f.fee, float(r), 0.0, viol)
            if stop:
                return first
    return first


@njit_borrowed
def first_fill_violation_nb(
    fills: Records, nf: int, low: Floats, high: Floats, slip: float, c: Checks, viol: Violations
) -> tuple[int, int]:
    """Reference: check_fills_nb on each fill row in order; (first code, its bar).

    The rows are in bar order, so in strict mode the first code found is the
    earliest. The branch-free screen of all rows goes first.
    """
    first = 0
    bar = -1
    if fills_ok_nb(fills, nf, low, high, slip, c):
        return first, bar
    for r in range(nf):
        b = fills[r].bar
        code = check_fills_nb(b, fills, r, r + 1, low[b], high[b], slip, c, viol)
        if code and first == 0:
            first = code
            bar = b
            if c.mode == CHECK_STOP:
                break
    return first, bar


@njit_borrowed
def first_of_stop_nb(
    code: int, bar: int, fills: Records, nf: int, low: Floats, high: Floats, slip: float,
    c: Checks, viol: Violations,
) -> tuple[int, int]:  # fmt: skip
    """Reference: strict mode's first violation, given a timestamp/state one at ``bar``.

    The fills of bars up to ``bar`` (rows [0, nf)) are checked now; a fill fault wins
    when it is earlier, or at the same bar when ``code`` is a state invariant (a bar's
    order is timestamp, fills, state). The loser's record is undone.
    """
    fill_code, fill_bar = first_fill_violation_nb(fills, nf, low, high, slip, c, viol)
    if fill_code == 0:
        return code, bar
    if fill_bar < bar or code != TIMESTAMPS_INCREASING:
        forget_nb(code, viol)
        return fill_code, fill_bar
    forget_nb(fill_code, viol)
    return code, bar
