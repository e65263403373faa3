"""Per-trade statistics over the closed round trips of a backtest.

Like the kernel's ``win_rate``, ``profit_factor`` and ``expectancy``, these count
closed trades only, the way vectorbt's ``trades.closed`` does, and report the open
trade apart as ``open_trade_pnl``. Definitions are in docs/backtest.md.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest._risk_nb import searchsorted_sorted_nb

__all__ = ["TRADE_STAT_NAMES", "trade_stats"]

#: The names :func:`trade_stats` returns, in order.
TRADE_STAT_NAMES: Final = (
    "n_closed_trades",
    "open_trade_pnl",
    "best_trade",
    "worst_trade",
    "avg_win",
    "avg_loss",
    "max_consecutive_losses",
    "trade_duration_mean",
    "trade_duration_median",
    "trade_duration_max",
    "trade_duration_mean_s",
    "trade_duration_median_s",
    "trade_duration_max_s",
)

_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}


def _mean(a: npt.NDArray[np.float64]) -> float:
    return float(a.mean()) if a.size else math.nan


def _longest_run(flags: npt.NDArray[np.bool_]) -> int:
    """The longest run of True in ``flags``."""
    if not flags.any():
        return 0
    padded = np.concatenate(([0], flags.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())


def _bar_of(stamps: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.searchsorted(stamps, keys)``, each search from where even spacing puts the key."""
    out = np.empty(keys.size, dtype=np.int64)
    searchsorted_sorted_nb(np.ascontiguousarray(stamps), np.ascontiguousarray(keys), out)
    return out


def _durations(
    trades: pl.DataFrame, timestamps: pl.Series
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Each trade's length in bars (exit bar - entry bar) and in seconds."""
    dtype = timestamps.dtype
    unit = dtype.time_unit if isinstance(dtype, pl.Datetime) else "us"
    stamps = timestamps.cast(pl.Int64).to_numpy()
    entry = trades.get_column("entry_ts").cast(pl.Int64).to_numpy()
    exit_ = trades.get_column("exit_ts").cast(pl.Int64).to_numpy()
    bars = _bar_of(stamps, exit_) - _bar_of(stamps, entry)
    return bars.astype(np.int64), (exit_ - entry).astype(np.float64) * _SECONDS[unit]


def trade_stats(trades: pl.DataFrame, timestamps: pl.Series, /) -> dict[str, float | int]:
    """The closed-trade statistics of a ``BacktestResult.trades`` frame.

    Args:
        trades: The result's trades (``entry_ts, exit_ts, pnl, return, is_open``).
        timestamps: The result's bar timestamps (``equity["timestamp"]``), to
            count durations in bars.

    Example:
        >>> s = trade_stats(result.trades, result.equity["timestamp"])  # doctest: +SKIP
        >>> s["n_closed_trades"], s["open_trade_pnl"]  # doctest: +SKIP
    """
    is_open = trades.get_column("is_open").to_numpy()
    pnl_all = trades.get_column("pnl").to_numpy().astype(np.float64)
    closed = ~is_open
    pnl = pnl_all[closed]
    ret = trades.get_column("return").to_numpy().astype(np.float64)[closed]
    bars, seconds = _durations(trades.filter(pl.Series(closed)), timestamps)
    n = int(pnl.size)
    wins, losses = pnl > 0.0, pnl < 0.0
    return {
        "n_closed_trades": n,
        "open_trade_pnl": float(pnl_all[is_open].sum()),
        "best_trade": float(ret.max()) if n else math.nan,
        "worst_trade": float(ret.min()) if n else math.nan,
        "avg_win": _mean(ret[wins]),
        "avg_loss": _mean(ret[losses]),
        "max_consecutive_losses": _longest_run(losses),
        "trade_duration_mean": _mean(bars.astype(np.float64)),
        "trade_duration_median": float(np.median(bars)) if n else math.nan,
        "trade_duration_max": int(bars.max()) if n else 0,
        "trade_duration_mean_s": _mean(seconds),
        "trade_duration_median_s": float(np.median(seconds)) if n else math.nan,
        "trade_duration_max_s": float(seconds.max()) if n else math.nan,
    }
