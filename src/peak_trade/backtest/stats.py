"""Backtest statistics: one numba kernel over an equity curve and its trades.

``run_backtest`` and ``run_grid`` both call ``_nb/stats.stats_nb``, so a
parameter combination gets bit-identical stats either way. The definitions and
the values of the degenerate cases are in docs/backtest.md.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest._nb.stats import N_STATS, stats_nb, uniform_step_nb
from peak_trade.backtest.result import BacktestResult
from peak_trade.backtest.risk_stats import benchmark_stats, risk_stats
from peak_trade.backtest.trade_stats import trade_stats
from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError
from peak_trade.data.reader import infer_calendar

__all__ = [
    "INT_STATS",
    "SECONDS_PER_YEAR",
    "STAT_NAMES",
    "bar_risk_stats",
    "closed_trade_stats",
    "compute_stats",
    "extended_stats",
    "infer_periods_per_year",
    "stats_dict",
    "years_spanned",
]

SECONDS_PER_YEAR: Final = 365.0 * 86_400.0

#: The stats, in the order of the kernel's output row and of run_grid's columns.
STAT_NAMES: Final = (
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration",
    "ulcer_index",
    "n_trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "avg_trade_return",
    "exposure_time",
    "final_equity",
)
#: Stats that are counts; they are ints in the dict and Int64 columns in run_grid.
INT_STATS: Final = frozenset({"max_drawdown_duration", "n_trades"})

assert len(STAT_NAMES) == N_STATS

_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3}


def _stamps(timestamps: pl.Series) -> tuple[npt.NDArray[np.int64], float]:
    """The timestamps as int64 ticks, and the seconds per tick."""
    dtype = timestamps.dtype
    unit = dtype.time_unit if isinstance(dtype, pl.Datetime) else "us"
    ticks = timestamps.cast(pl.Int64).to_numpy()
    return np.ascontiguousarray(ticks, dtype=np.int64), _UNIT_SECONDS[unit]


def infer_periods_per_year(timestamps: pl.Series, /) -> float:
    """Bars per year of the timestamps, by the rule of docs/backtest.md.

    Evenly spaced bars give 365-day years over the spacing (weekly: 52); otherwise
    :func:`peak_trade.data.reader.infer_calendar` decides: daily bars on weekdays
    252, every day 365; intraday that times the bars per day; weekly 52, monthly 12.
    Returns NaN with fewer than 2 timestamps.

    Example:
        >>> import datetime as dt
        >>> day = dt.datetime(2024, 1, 1)
        >>> ts = pl.datetime_range(day, day + dt.timedelta(days=2), "1d", eager=True)
        >>> infer_periods_per_year(ts)
        365.0
    """
    if timestamps.len() < 2:
        return math.nan
    ticks, scale = _stamps(timestamps)
    common = uniform_step_nb(ticks)  # one cheap pass settles regular bars (no weekend gaps)
    if common > 0:
        step = float(common) * scale
        return 52.0 if step == 7 * 86_400.0 else SECONDS_PER_YEAR / step
    calendar = infer_calendar(timestamps)
    return calendar.periods_per_year if calendar is not None else math.nan


def years_spanned(timestamps: pl.Series, /) -> float:
    """Years from the first to the last timestamp (365-day years); 0.0 below 2 bars.

    Example:
        >>> import datetime as dt
        >>> years_spanned(pl.Series([dt.datetime(2023, 1, 1), dt.datetime(2024, 1, 1)]))
        1.0
    """
    if timestamps.len() < 2:
        return 0.0
    ticks, scale = _stamps(timestamps)
    return float(ticks[-1] - ticks[0]) * scale / SECONDS_PER_YEAR


def stats_dict(row: npt.NDArray[np.float64], /) -> dict[str, float | int]:
    """Name the values of one kernel output row; counts become ints."""
    return {
        name: int(row[k]) if name in INT_STATS else float(row[k])
        for k, name in enumerate(STAT_NAMES)
    }


def compute_stats(
    equity: npt.NDArray[np.float64],
    position: npt.NDArray[np.float64],
    /,
    *,
    initial_cash: float,
    trade_pnl: npt.NDArray[np.float64],
    trade_return: npt.NDArray[np.float64],
    periods_per_year: float,
    years: float,
    trade_open: npt.NDArray[np.bool_] | None = None,
) -> dict[str, float | int]:
    """Every stat of an equity curve (one value per bar, after the bar) and its trades.

    Args:
        equity: Equity at each bar's close.
        position: Units held at each bar's close (only ``!= 0`` matters).
        initial_cash: Equity before the first bar.
        trade_pnl: Each trade's pnl net of fees (open trades marked to market).
        trade_return: Each trade's pnl over its entry notional.
        periods_per_year: Bars per year, for the annualised stats.
        years: Years the curve spans, for ``cagr``.
        trade_open: True for each trade still open at the last bar (``trades["is_open"]``);
            None: every trade is closed. ``n_trades`` counts every trade; ``win_rate``,
            ``profit_factor``, ``expectancy`` and ``avg_trade_return`` count the closed ones.

    Example:
        >>> eq = np.array([100.0, 110.0])
        >>> s = compute_stats(eq, np.zeros(2), initial_cash=100.0, trade_pnl=np.zeros(0),
        ...                   trade_return=np.zeros(0), periods_per_year=1.0, years=1.0)
        >>> round(s["total_return"], 10), s["n_trades"]
        (0.1, 0)
    """
    curve = (_floats("equity", equity), _floats("position", position))
    pnl, ret = _floats("trade_pnl", trade_pnl), _floats("trade_return", trade_return)
    is_open = np.zeros(pnl.shape) if trade_open is None else _flags("trade_open", trade_open)
    for (a, b), names in (
        (curve, "`equity` and `position`"),
        ((pnl, ret), "the trade arrays"),
        ((pnl, is_open), "the trade arrays (`trade_pnl` and `trade_open`)"),
    ):
        if a.shape != b.shape:
            msg = f"{names} must be of equal length; got {a.size} and {b.size}"
            raise ConfigError(msg, hint="pass one value per bar (per trade)")
    scalars = [
        _positive("initial_cash", initial_cash),
        _positive("periods_per_year", periods_per_year),
        _positive("years", years, zero_ok=True),
    ]
    out = np.empty(N_STATS, dtype=np.float64)
    cash, ppy, span = scalars
    exposed = int(np.count_nonzero(curve[1]))  # NaN counts, as != 0.0 does
    stats_nb(curve[0], exposed, cash, pnl, ret, is_open, ppy, span, out, np.empty(0))
    return stats_dict(out)


def extended_stats(result: BacktestResult, /) -> dict[str, float | int]:
    """The result's stats plus the closed-trade, risk and buy-and-hold stats.

    The extra names (docs/backtest.md) come from full, undecimated arrays:
    :func:`~peak_trade.backtest.trade_stats.trade_stats`,
    :func:`~peak_trade.backtest.risk_stats.risk_stats` and
    :func:`~peak_trade.backtest.risk_stats.benchmark_stats`.

    Example:
        >>> extended_stats(result)["benchmark_return"]  # doctest: +SKIP
    """
    return {**closed_trade_stats(result), **bar_risk_stats(result)}


def _checked(result: object, /) -> BacktestResult:
    if not isinstance(result, BacktestResult):
        msg = f"`result` must be a BacktestResult; got {short_repr(result)}"
        raise ConfigError(msg, hint="pass what run_backtest returns, e.g. pt.run_backtest(df, ...)")
    return result


def closed_trade_stats(result: BacktestResult, /) -> dict[str, float | int]:
    """The first part of :func:`extended_stats`: the result's stats and the trade stats.

    It builds ``result.trades``; :func:`bar_risk_stats` does not, so the two can run
    in separate threads (the report does).
    """
    result = _checked(result)
    trades = trade_stats(result.trades, result.bars.timestamps)
    return {**result.stats, **trades}


def bar_risk_stats(result: BacktestResult, /) -> dict[str, float | int]:
    """The second part of :func:`extended_stats`: risk and buy-and-hold stats of the bars."""
    result = _checked(result)
    bars = result.bars  # not result.equity: these stats need no per-bar frame
    ts = bars.timestamps
    ppy = result.stats.get("periods_per_year", result.config.periods_per_year)
    per_year = float(ppy) if ppy is not None else infer_periods_per_year(ts)
    return {
        **risk_stats(bars.equity, float(result.config.initial_cash)),
        **benchmark_stats(bars.price, periods_per_year=per_year, years=years_spanned(ts)),
    }


def _floats(name: str, value: object) -> npt.NDArray[np.float64]:
    """``value`` as a contiguous 1-D float64 array, or a ``ConfigError`` naming it."""
    array: npt.NDArray[np.float64] | None = None
    cause: Exception | None = None
    try:
        array = np.ascontiguousarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        cause = exc
    if array is None or array.ndim != 1:
        msg = f"`{name}` must be a 1-D array of numbers; got {short_repr(value)}"
        raise ConfigError(msg, hint=f"pass e.g. {name}=np.zeros(3)", cause=cause)
    return array


def _flags(name: str, value: object) -> npt.NDArray[np.float64]:
    """``value`` as 1-D flags (1.0 true, 0.0 false), or a ``ConfigError`` naming it."""
    array = _floats(name, value)
    bad = np.flatnonzero((array != 0.0) & (array != 1.0))
    if bad.size:
        first = int(bad[0])
        msg = f"`{name}` must hold booleans; got {float(array[first])!r} at index {first}"
        raise ConfigError(msg, hint=f'pass e.g. {name}=trades["is_open"].to_numpy()')
    return array


def _positive(name: str, value: object, *, zero_ok: bool = False) -> float:
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
        expected = "a finite number >= 0" if zero_ok else "a finite number > 0"
        msg = f"`{name}` must be {expected}; got {short_repr(value)}"
        raise ConfigError(msg, hint=f"pass e.g. {name}=1.0")
    return float(number)
