"""Numba kernel of the end-of-run invariant pass (timing ``end``).

``end_checks_nb`` replays the simulation's per-bar checks over the finished
arrays, with the same parts in the same order (timestamp, fills, state), so it
reports the same violations at the same bars as timing ``every_bar``.
"""

from __future__ import annotations

from peak_trade.backtest._nb.checks import (
    CHECK_STOP,
    check_reconcile_nb,
    check_state_nb,
    check_time_nb,
    first_code_nb,
    first_unordered_nb,
    state_ok_nb,
)
from peak_trade.backtest._nb.fill_checks import check_fills_nb, fills_ok_nb
from peak_trade.backtest._nb.jit import njit_borrowed
from peak_trade.backtest._nb.records import Book, Checks, Floats, Market, Settings, Violations


@njit_borrowed
def screen_nb(
    m: Market, book: Book, cash: Floats, position: Floats, nf: int, s: Settings, c: Checks
) -> bool:
    """Reference: end_checks_nb finds no per-bar violation (branch-free passes)."""
    ok = fills_ok_nb(book.fills, nf, m.low, m.high, s.slip, c)
    if not ok or first_unordered_nb(m.timestamps, 1) < m.timestamps.shape[0]:
        return False
    for i in range(m.close.shape[0]):
        ok &= state_ok_nb(cash[i], position[i], m.close[i], book.equity[i], c)
    return ok


@njit_borrowed
def end_checks_nb(
    m: Market, book: Book, cash: Floats, position: Floats, nf: int, nt: int, s: Settings,
    c: Checks, viol: Violations,
) -> tuple[int, int]:  # fmt: skip
    """Reference: the every_bar checks replayed over the finished arrays; (code, bar).

    ``cash`` and ``position`` are per bar, expanded from the book's steps.
    """
    n = m.close.shape[0]
    stop = c.mode == CHECK_STOP
    if not screen_nb(m, book, cash, position, nf, s, c):
        r = 0
        for i in range(n):
            lo = r
            while r < nf and book.fills[r].bar == i:
                r += 1
            code = check_time_nb(i, m.timestamps, viol)
            if code and stop:
                return code, i
            if r > lo:
                code = check_fills_nb(i, book.fills, lo, r, m.low[i], m.high[i], s.slip, c, viol)
                if code and stop:
                    return code, i
            mark = m.close[i]
            code = check_state_nb(i, cash[i], position[i], mark, book.equity[i], c, viol)
            if code and stop:
                return code, i
    if n > 0:
        final = book.equity[n - 1]
        code = check_reconcile_nb(n - 1, s.initial_cash, final, book.trades, nt, c, viol)
        if code and stop:
            return code, n - 1
    return first_code_nb(viol)
