"""Numba kernel of the user's per-bar checks (``InvariantConfig.bar_checks``)."""

from __future__ import annotations

from collections.abc import Callable

from numba import njit

from peak_trade.backtest._nb.records import Floats


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
