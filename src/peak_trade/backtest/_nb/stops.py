"""Numba kernels of the stops: where a stop loss, take profit or trailing stop fills.

The plain reference is ``reference_backtest`` (with ``high``/``low``/stops) in
``tests/backtest/test_engine_reference.py``; docs/backtest.md ("Stops") states the
rules. The stop state is ``State.ref`` (the raw price of the fill that opened or
last enlarged the position; NaN when flat) and ``State.best`` (the best price since:
the highest high of a long, the lowest low of a short, starting at ``ref``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from peak_trade.backtest._nb.records import Settings


@njit(cache=True, nogil=True)
def stop_fill_price_nb(
    side: float, ref: float, best: float, open_: float, high: float, low: float, s: Settings
) -> float:
    """Reference: the stop step of reference_backtest; the raw exit price, or NaN.

    The loss side (stop loss and trailing stop, the tighter of the two) is checked
    first and wins when both sides trigger in the bar. A gap through a level fills
    at the open.
    """
    sl = s.stop_loss
    tp = s.take_profit
    trail = s.trailing_stop
    if side > 0.0:
        level = -np.inf
        if not np.isnan(sl):
            level = ref * (1.0 - sl)
        if not np.isnan(trail):
            level = max(level, best * (1.0 - trail))
        if open_ <= level:
            return open_
        if low <= level:
            return level
        if not np.isnan(tp):
            target = ref * (1.0 + tp)
            if open_ >= target:
                return open_
            if high >= target:
                return target
        return np.nan
    level = np.inf
    if not np.isnan(sl):
        level = ref * (1.0 + sl)
    if not np.isnan(trail):
        level = min(level, best * (1.0 + trail))
    if open_ >= level:
        return open_
    if high >= level:
        return level
    if not np.isnan(tp):
        target = ref * (1.0 - tp)
        if open_ <= target:
            return open_
        if low <= target:
            return target
    return np.nan


@njit(cache=True, nogil=True)
def rearm_nb(
    before: float, after: float, price: float, ref: float, best: float
) -> tuple[float, float]:
    """Reference: reference_backtest's stop reset; (ref, best) after an order at ``price``.

    Flat clears the stops; opening, flipping or enlarging the position sets both to
    the order's raw price; a partial reduction keeps them.
    """
    if after == 0.0:
        return np.nan, np.nan
    if before == 0.0 or (after > 0.0) != (before > 0.0) or abs(after) > abs(before):
        return price, price
    return ref, best
