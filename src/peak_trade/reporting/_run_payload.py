"""The chart data of one symbol x strategy run: decimated series, markers and tables."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest._risk_nb import searchsorted_sorted_nb
from peak_trade.core.errors import PeakTradeError
from peak_trade.reporting._encode import compact_values, encode_series
from peak_trade.reporting._rolling_nb import rolling_sharpe_minmax_nb
from peak_trade.reporting._series_nb import run_series_minmax_nb
from peak_trade.reporting.decimate import MAX_POINTS

__all__ = [
    "MAX_MARKERS",
    "MAX_TRADE_ROWS",
    "RunBars",
    "run_payload",
    "share_prices",
    "sharpe_window",
    "start_rolling_sharpe",
]

#: Rows of the trades table in the page.
MAX_TRADE_ROWS: Final = 1_000
#: Entry (and exit) markers drawn on the price chart, at most.
MAX_MARKERS: Final = 2_000

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class RunBars(NamedTuple):
    """The per-bar data a run's page is drawn from (the drawdown follows from the equity)."""

    timestamps: pl.Series
    price: Floats
    equity: Floats

    @classmethod
    def of_frame(cls, frame: pl.DataFrame, /) -> RunBars:
        """The columns ``timestamp``, ``price`` and ``equity`` of an equity frame."""
        price, equity = (_floats(frame.get_column(name)) for name in ("price", "equity"))
        return cls(frame.get_column("timestamp"), price, equity)


def _floats(column: pl.Series) -> Floats:
    return np.ascontiguousarray(column.to_numpy(), dtype=np.float64)


def _per_ms(timestamps: pl.Series) -> int:
    dtype = timestamps.dtype
    unit = dtype.time_unit if isinstance(dtype, pl.Datetime) else "us"
    return {"ns": 1_000_000, "us": 1_000, "ms": 1}[unit]


def _millis(timestamps: pl.Series) -> npt.NDArray[np.int64]:
    return timestamps.cast(pl.Int64).to_numpy() // _per_ms(timestamps)


def _millis_at(timestamps: pl.Series) -> Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]]:
    """Epoch ms of the bars at given indices (only those are converted, not every bar)."""
    ticks, per_ms = timestamps.cast(pl.Int64).to_numpy(), _per_ms(timestamps)
    return lambda at: ticks[at] // per_ms


def _run_series(bars: RunBars, initial: float) -> list[tuple[Ints, Floats]]:
    """The equity, its drawdown and the price, decimated in one pass: (bars, values) of each.

    Raises:
        PeakTradeError: The equity or the price holds NaN or inf.
    """
    n_buckets = (MAX_POINTS - 2) // 2
    size = min(bars.equity.size, 2 * n_buckets + 2)
    idx, val = np.empty((3, size), dtype=np.int64), np.empty((3, size))
    counts = np.empty(3, dtype=np.int64)
    bad = run_series_minmax_nb(bars.equity, bars.price, initial, n_buckets, idx, val, counts)
    if bad >= 0:
        got = f"equity {bars.equity[bad]!r}, price {bars.price[bad]!r}"
        msg = f"cannot draw a run with NaN or inf; first at bar {bad} ({got})"
        raise PeakTradeError(msg, hint="check the run's prices and fills")
    return [(idx[row, :k], val[row, :k]) for row, k in enumerate(counts.tolist())]


def _rolling_sharpe(
    equity: Floats, initial: float, window: int, periods_per_year: float
) -> tuple[npt.NDArray[np.int64], Floats]:
    """The Sharpe of the trailing ``window`` of returns, decimated: bars and values.

    Of the bars with a finite Sharpe, at most ``MAX_POINTS``: each bucket's first
    minimum and maximum, and the first and last bar (``_rolling_nb``). Two bars or
    fewer have no Sharpe.
    """
    if equity.size <= 2:
        equity = equity[:0]
    n_buckets = (MAX_POINTS - 2) // 2
    idx = np.empty(2 * n_buckets + 2, dtype=np.int64)
    values = np.empty(2 * n_buckets + 2, dtype=np.float64)
    root = math.sqrt(periods_per_year)
    k = rolling_sharpe_minmax_nb(equity, initial, window, root, n_buckets, idx, values)
    return idx[:k], values[:k]


def sharpe_window(periods_per_year: float, bars: int, /) -> int:
    """Bars in the rolling Sharpe's window: a month's bars, at least 20, at most a quarter
    of ``bars`` (at least 2)."""
    return int(min(max(periods_per_year / 12.0, 20.0), max(bars // 4, 2)))


def start_rolling_sharpe(
    equity: Floats, initial: float, periods_per_year: float, pool: Executor, /
) -> Future[tuple[Ints, Floats]]:
    """Start the decimated rolling Sharpe in ``pool`` (its kernel releases the GIL).

    It needs only the equity, so a caller starts it first and builds the rest
    (the trades frame, the stats) while it runs; ``run_payload(rolling=...)`` takes it.
    """
    window = sharpe_window(periods_per_year, equity.size)
    return pool.submit(_rolling_sharpe, equity, initial, window, periods_per_year)


def _monthly(ts: pl.Series, equity: Floats, initial: float) -> dict[str, Any]:
    """Month-end equity over the previous month-end (the first month over the initial cash).

    Returns the years, a row of 12 months per year (None outside the bars) and
    each year's compound return, rounded for display (``_encode.compact_values``).
    """
    if ts.len() == 0:
        return {"years": [], "values": [], "yearly": []}
    first, last_ts = ts[0], ts[-1]
    # The bars are sorted: each month's last bar sits just before the next month's start.
    starts = pl.datetime_range(
        first.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
        last_ts,
        "1mo",
        eager=True,
        time_unit=ts.dtype.time_unit if isinstance(ts.dtype, pl.Datetime) else "us",
        time_zone=ts.dtype.time_zone if isinstance(ts.dtype, pl.Datetime) else None,
    )
    ticks = np.ascontiguousarray(ts.cast(pl.Int64).to_numpy(), dtype=np.int64)
    ends = np.empty(starts.len() - 1, dtype=np.int64)
    searchsorted_sorted_nb(ticks, np.ascontiguousarray(starts.cast(pl.Int64).to_numpy()[1:]), ends)
    ends -= 1
    ends = np.append(ends, ticks.size - 1)
    has_bars = np.concatenate(([True], ends[1:] > ends[:-1]))
    last = equity[ends]
    prev = np.concatenate(([initial], last[:-1]))
    ret = np.where(has_bars, last / prev - 1.0, np.nan)
    years = starts.dt.year().to_numpy()
    # The months run without a gap: a (year, month) grid, months outside the bars NaN.
    grid = np.full((int(years[-1] - years[0]) + 1, 12), np.nan)
    grid[years - years[0], starts.dt.month().to_numpy() - 1] = ret
    with np.errstate(over="ignore"):
        growth = np.prod(1.0 + np.nan_to_num(grid), axis=1) - 1.0
    uniq = list(range(int(years[0]), int(years[-1]) + 1))
    # Rounded for display like the series (7 significant digits; the page shows 2
    # decimals of a percent): shorter JSON, written faster.
    flat = compact_values(grid.ravel())
    values = [flat[i : i + 12] for i in range(0, len(flat), 12)]
    return {"years": uniq, "values": values, "yearly": compact_values(growth)}


def _markers(ms: npt.NDArray[np.int64], prices: Floats) -> dict[str, Any]:
    return encode_series(ms, np.ascontiguousarray(prices, dtype=np.float64))


def share_prices(runs: Sequence[dict[str, Any]], /) -> list[dict[str, Any]]:
    """Move each run's price series into one list, each distinct series once.

    The strategies of one symbol draw the same price (and buy and hold, its
    multiple ``bench_scale``): each run keeps the index ``price`` into the list.
    """
    prices: list[dict[str, Any]] = []
    for run in runs:
        series = run["series"].pop("price")
        if series not in prices:
            prices.append(series)
        run["price"] = prices.index(series)
    return prices


def _cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def stats_cells(stats: Mapping[str, Any], /) -> dict[str, Any]:
    """The stats as the page's JSON cells (NaN and inf as null)."""
    return {k: _cell(v) for k, v in stats.items()}


def run_payload(
    bars: RunBars,
    trades: pl.DataFrame,
    stats: Mapping[str, Any],
    /,
    *,
    symbol: str,
    strategy: str,
    initial_cash: float,
    periods_per_year: float,
    params: Mapping[str, Any] | None = None,
    violations: Sequence[Mapping[str, Any]] = (),
    violations_note: str = "none",
    rolling: Future[tuple[Ints, Floats]] | None = None,
) -> dict[str, Any]:
    """Everything the page draws for one run; long series decimated, stats as given.

    The rolling Sharpe is ``rolling`` when given (``start_rolling_sharpe``), else
    computed here. While it runs elsewhere this thread decimates the other series
    and builds the tables, and waits for it last.
    """
    ts, price, eq = bars
    ms = _millis_at(ts)
    window = sharpe_window(periods_per_year, eq.size)
    (eq_at, eq_y), (dd_at, dd_y), (px_at, px_y) = _run_series(bars, initial_cash)
    entry_ms, exit_ms = (
        _millis(trades.get_column("entry_ts")),
        _millis(trades.get_column("exit_ts")),
    )
    closed = ~trades.get_column("is_open").to_numpy()
    step = max(1, math.ceil(trades.height / MAX_MARKERS))
    note = ""
    if step > 1:
        note = f"{trades.height} trades: every {step}th entry and exit is marked"
    floats = [name for name, dtype in trades.schema.items() if dtype.is_float()]
    head = trades.head(MAX_TRADE_ROWS).with_columns(
        pl.col("entry_ts", "exit_ts").dt.to_string("%Y-%m-%d %H:%M:%S"),
        *(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats),  # NaN: null
    )
    monthly = _monthly(ts, eq, initial_cash)
    if rolling is not None:
        live, sharpe = rolling.result()
    else:
        live, sharpe = _rolling_sharpe(eq, initial_cash, window, periods_per_year)
    return {
        "symbol": symbol,
        "strategy": strategy,
        "params": dict(params) if params is not None else None,
        "series": {
            "equity": encode_series(ms(eq_at), eq_y),
            "drawdown": encode_series(ms(dd_at), dd_y),
            "price": encode_series(ms(px_at), px_y),
            "rolling_sharpe": encode_series(ms(live), sharpe),
        },
        # buy and hold from the first close with the same cash: the price times this
        "bench_scale": initial_cash / float(price[0]) if price.size else 1.0,
        "sharpe_window": window,
        "entries": _markers(entry_ms[::step], trades.get_column("entry_price").to_numpy()[::step]),
        "exits": _markers(
            exit_ms[closed][::step], trades.get_column("exit_price").to_numpy()[closed][::step]
        ),
        "markers_note": note,
        "monthly": monthly,
        "stats": stats_cells(stats),
        "trades": {
            "columns": head.columns,
            "rows": head.rows(),
            "total": trades.height,
        },
        "violations": [{k: _cell(v) for k, v in row.items()} for row in violations],
        "violations_note": violations_note,
    }
