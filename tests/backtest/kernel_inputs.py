"""Records for calling the engine's kernels directly in tests (``_nb/records.py``)."""

from __future__ import annotations

import math

import numpy as np

from peak_trade.backtest._inputs import new_book, new_violations
from peak_trade.backtest._nb.checks import CHECK_OFF
from peak_trade.backtest._nb.records import Book, Checks, Market, Settings, Violations


def market(close, *, high=None, low=None, open_=None, timestamps=None) -> Market:
    """Bars from a close series; high/low/open default to the close, stamps to 0, 1, ..."""
    close = np.ascontiguousarray(close, dtype=np.float64)
    n = close.shape[0]
    ts = np.arange(n, dtype=np.int64) if timestamps is None else timestamps

    def arr(x):
        return close if x is None else np.ascontiguousarray(x, dtype=np.float64)

    return Market(arr(open_), arr(high), arr(low), close, np.ascontiguousarray(ts, np.int64))


def settings(
    *,
    initial_cash=10_000.0,
    fee_rate=0.001,
    slip=0.0005,
    fraction=1.0,
    next_open=False,
    close_at_end=False,
    stop_loss=None,
    take_profit=None,
    trailing_stop=None,
) -> Settings:
    stops = {
        "stop_loss": stop_loss,
        "take_profit": take_profit,
        "trailing_stop": trailing_stop,
    }
    return Settings(
        initial_cash=initial_cash,
        fee_rate=fee_rate,
        slip=slip,
        fraction=fraction,
        next_open=next_open,
        close_at_end=close_at_end,
        has_stops=any(v is not None for v in stops.values()),
        **{k: math.nan if v is None else float(v) for k, v in stops.items()},
    )


def checks(mode=CHECK_OFF, *, abs_tol=1e-6, rel_tol=1e-9, max_leverage=math.inf, short=True):
    return Checks(
        mode=mode, abs_tol=abs_tol, rel_tol=rel_tol, max_leverage=max_leverage, short_account=short
    )


def buffers(n: int, capacity: int, *, fill: float | None = None) -> tuple[Book, Violations]:
    """A fresh Book (equity set to ``fill`` when given) and violation records."""
    book = new_book(n, capacity)
    book.step_cash[:] = 0.0  # unused slots compare equal across runs
    book.step_pos[:] = 0.0
    if fill is not None:
        book.equity[:] = fill
    return book, new_violations()
