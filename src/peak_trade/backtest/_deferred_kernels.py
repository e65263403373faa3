"""Numba kernels of the fill checks the simulation runs after its loop.

``simulate_checked_nb`` (timing ``every_bar``) checks each bar's timestamp and state
in its loop but all fills at once afterwards: a fill check reads its bar's low and
high, a cache miss that would stall the loop, while one pass over the fill rows
overlaps them. Strict mode still reports the first violation in each bar's order
(timestamp, fills, state): ``first_of_stop_nb``. The per-row check itself is
``check_fills_nb`` in ``_invariant_kernels.py``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest._fill_kernels import F_BAR, F_FEE, F_PRICE
from peak_trade.backtest._invariant_kernels import (
    TIMESTAMPS_INCREASING,
    check_fills_nb,
    price_ok_nb,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def fills_ok_nb(
    fills: Floats,
    nf: int,
    low: Floats,
    high: Floats,
    slip: float,
    abs_tol: float,
    rel_tol: float,
) -> bool:
    """Reference: check_fills_nb finds nothing in rows [0, nf) (one branch-free pass)."""
    ok = True
    for r in range(nf):
        b = int(fills[r, F_BAR])
        price = fills[r, F_PRICE]
        floor = low[b] * (1.0 - slip)
        ceiling = high[b] * (1.0 + slip)
        ok &= price_ok_nb(price, floor, ceiling, abs_tol, rel_tol) & (fills[r, F_FEE] >= 0.0)
    return ok


@njit(cache=True, nogil=True)
def first_fill_fault_nb(
    fills: Floats,
    nf: int,
    low: Floats,
    high: Floats,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    stop: bool,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int]:
    """Reference: check_fills_nb on each fill row in order; (first code, its bar).

    The rows are in bar order, so with ``stop`` the first code found is the earliest.
    A branch-free screen of all rows goes first: its low/high reads (a cache miss
    per row) overlap, where the exact loop's branches would wait on each.
    """
    first = 0
    bar = -1
    if fills_ok_nb(fills, nf, low, high, slip, abs_tol, rel_tol):
        return first, bar
    for r in range(nf):
        b = int(fills[r, F_BAR])
        code = check_fills_nb(
            b, fills, r, r + 1, low[b], high[b], slip, abs_tol, rel_tol, stop,
            counts, first_bar, first_vals,
        )  # fmt: skip
        if code and first == 0:
            first = code
            bar = b
            if stop:
                break
    return first, bar


@njit(cache=True, nogil=True)
def forget_nb(code: int, counts: Ints, first_bar: Ints, first_vals: Floats) -> None:
    """Reference: undo the single record of ``code`` (strict mode keeps one violation)."""
    counts[code - 1] = 0
    first_bar[code - 1] = -1
    first_vals[code - 1, :] = 0.0


@njit(cache=True, nogil=True)
def first_of_stop_nb(
    code: int,
    bar: int,
    fills: Floats,
    nf: int,
    low: Floats,
    high: Floats,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int]:
    """Reference: strict mode's first violation, given a timestamp/state one at ``bar``.

    The fills of bars up to ``bar`` (rows [0, nf)) are checked now; a fill fault wins
    when it is earlier, or at the same bar when ``code`` is a state invariant (a bar's
    order is timestamp, fills, state). The loser's record is undone.
    """
    fill_code, fill_bar = first_fill_fault_nb(
        fills, nf, low, high, slip, abs_tol, rel_tol, True, counts, first_bar, first_vals
    )
    if fill_code == 0:
        return code, bar
    if fill_bar < bar or code != TIMESTAMPS_INCREASING:
        forget_nb(code, counts, first_bar, first_vals)
        return fill_code, fill_bar
    forget_nb(fill_code, counts, first_bar, first_vals)
    return code, bar
