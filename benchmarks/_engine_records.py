"""The engine's kernels driven with plain arrays, as the benchmarks need them.

Production code builds its records with ``backtest/_inputs.build_inputs`` from a
validated frame; a kernel benchmark starts from a close array and a signal, so this
builds the same records directly: high = low = open = close, bar numbers as stamps.
"""

from __future__ import annotations

import math

import numpy as np

from peak_trade.backtest._inputs import new_book, new_violations
from peak_trade.backtest._nb.checks import CHECK_OFF
from peak_trade.backtest._nb.records import Book, Checks, Market, Settings, Violations

__all__ = ["close_market", "plain_settings", "run_records"]


def close_market(close: np.ndarray, *, high=None, low=None, timestamps=None) -> Market:
    """Bars from a close array (and optionally high, low and int64 stamps)."""
    ts = np.arange(close.shape[0], dtype=np.int64) if timestamps is None else timestamps
    return Market(close, close if high is None else high, close if low is None else low, close, ts)


def plain_settings(cash: float, fee: float, slip: float) -> Settings:
    """Fills at the close, all equity per unit of target, no stops."""
    nan = math.nan
    return Settings(
        initial_cash=cash, fee_rate=fee, slip=slip, fraction=1.0, next_open=False,
        close_at_end=False, has_stops=False, stop_loss=nan, take_profit=nan, trailing_stop=nan,
    )  # fmt: skip


def checks(mode: int = CHECK_OFF, *, max_leverage: float = 1.0) -> Checks:
    """The default tolerances, long-only account."""
    return Checks(
        mode=mode, abs_tol=1e-6, rel_tol=1e-9, max_leverage=max_leverage, short_account=False
    )


def run_records(n: int, capacity: int) -> tuple[Book, Violations]:
    """Fresh outputs for one run."""
    return new_book(n, capacity), new_violations()
