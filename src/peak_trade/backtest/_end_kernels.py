"""Numba kernels of the end-of-run invariant pass and the user per-bar checks.

``end_checks_nb`` replays the per-bar checks of ``_invariant_kernels.py`` over the
finished arrays (timing ``end``), so it reports the same violations at the same bars
as timing ``every_bar``; docs/invariants.md defines them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from numba import njit

from peak_trade.backtest._deferred_kernels import fills_ok_nb
from peak_trade.backtest._fill_kernels import F_BAR
from peak_trade.backtest._invariant_kernels import (
    check_bar_nb,
    check_reconcile_nb,
    first_code_nb,
    first_unordered_nb,
    state_ok_nb,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def screen_nb(
    timestamps: Ints,
    close: Floats,
    high: Floats,
    low: Floats,
    position: Floats,
    cash: Floats,
    equity: Floats,
    fills: Floats,
    nf: int,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
) -> bool:
    """Reference: end_checks_nb finds no per-bar violation (one branch-free pass)."""
    ok = fills_ok_nb(fills, nf, low, high, slip, abs_tol, rel_tol)
    if not ok or first_unordered_nb(timestamps, 1) < timestamps.shape[0]:
        return False
    for i in range(close.shape[0]):
        ok &= state_ok_nb(
            cash[i], position[i], close[i], equity[i], abs_tol, rel_tol, max_leverage, short_account
        )
    return ok


@njit(cache=True, nogil=True)
def end_checks_nb(
    timestamps: Ints,
    close: Floats,
    high: Floats,
    low: Floats,
    position: Floats,
    cash: Floats,
    equity: Floats,
    fills: Floats,
    nf: int,
    trades: Floats,
    nt: int,
    initial_cash: float,
    slip: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    stop: bool,
    counts: Ints,
    first_bar: Ints,
    first_vals: Floats,
) -> tuple[int, int]:
    """Reference: the every_bar checks replayed over the finished arrays; (code, bar)."""
    n = close.shape[0]
    if screen_nb(
        timestamps, close, high, low, position, cash, equity, fills, nf, slip,
        abs_tol, rel_tol, max_leverage, short_account,
    ):  # fmt: skip
        # Nothing per bar: only the reconciliation is left.
        if n > 0:
            code = check_reconcile_nb(
                n - 1, initial_cash, equity[n - 1], trades, nt, abs_tol, rel_tol,
                counts, first_bar, first_vals,
            )  # fmt: skip
            if code:
                return code, n - 1
        return first_code_nb(counts, first_bar)
    r = 0
    for i in range(n):
        lo = r
        while r < nf and fills[r, F_BAR] == i:
            r += 1
        code = check_bar_nb(
            i, timestamps, True, fills, lo, r, low[i], high[i], cash[i], position[i], close[i],
            equity[i], slip, abs_tol, rel_tol, max_leverage, short_account, stop,
            counts, first_bar, first_vals,
        )  # fmt: skip
        if code and stop:
            return code, i
    if n > 0:
        code = check_reconcile_nb(
            n - 1,
            initial_cash,
            equity[n - 1],
            trades,
            nt,
            abs_tol,
            rel_tol,
            counts,
            first_bar,
            first_vals,
        )
        if code and stop:
            return code, n - 1
    return first_code_nb(counts, first_bar)


@njit(nogil=True)
def user_pass_nb(
    check: Callable[[int, float, float, float, float], int],
    cash: Floats,
    position: Floats,
    close: Floats,
    equity: Floats,
    stop: bool,
) -> tuple[int, int, int]:
    """Reference: call check(i, cash, position, price, equity) per bar; (code, first bar, count).

    Not cached: a jitted function argument compiles one specialisation per function.
    """
    first = 0
    bar = -1
    count = 0
    for i in range(close.shape[0]):
        code = check(i, cash[i], position[i], close[i], equity[i])
        if code != 0:
            count += 1
            if first == 0:
                first = code
                bar = i
                if stop:
                    break
    return first, bar, count
