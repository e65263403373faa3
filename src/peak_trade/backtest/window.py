"""Evaluation windows: signals see the whole frame, trading covers ``[start, end)``.

``run_backtest(..., window=(start, end))`` and ``run_combos``/``run_grid`` with a
``window`` compute the signal on the whole frame (so indicators use the bars
before ``start`` as warm-up), then simulate only the bars ``[start, end)``
from a flat account. Bounds are bar indices (ints) or times (``datetime``,
``date``, ISO strings), resolved against the frame's timestamps: a time bound
is the first bar at or after it. ``None`` is the frame's first or last bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from peak_trade.backtest._signal_arg import explicit_signal
from peak_trade.core.errors import ConfigError

if TYPE_CHECKING:
    from peak_trade.backtest import invariants as inv
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import MarketArrays
    from peak_trade.backtest.result import BacktestResult
    from peak_trade.core.repro import ReproContext

__all__ = ["Bound", "Window", "resolve_window", "run_windowed", "window_market"]

#: One end of a window: a bar index, a time, or None (the frame's edge).
Bound = int | dt.datetime | dt.date | str | np.datetime64 | None
Window = tuple[Bound, Bound]

_HINT = 'e.g. window=(500, 1000) or window=("2021-01-01", "2022-01-01")'


def _as_time(value: Any, ts: pl.Series, name: str) -> Any:
    """``value`` as a one-element Series of the timestamp column's dtype."""
    dtype = ts.dtype
    assert isinstance(dtype, pl.Datetime)
    try:
        if isinstance(value, str):
            s = pl.Series(name, [value]).str.to_datetime()
        elif isinstance(value, dt.datetime | np.datetime64):
            s = pl.Series(name, [value])
        else:  # a date: midnight
            s = pl.Series(name, [dt.datetime.combine(value, dt.time())])
    except (pl.exceptions.PolarsError, ValueError, TypeError) as exc:
        msg = f"window {name} {value!r} is not a time"
        raise ConfigError(msg, hint=_HINT, context={name: repr(value)}) from exc
    zone = dtype.time_zone
    own = getattr(s.dtype, "time_zone", None)
    if zone is not None:
        s = s.dt.replace_time_zone(zone) if own is None else s.dt.convert_time_zone(zone)
    elif own is not None:
        s = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return s.cast(dtype)[0]


def _index(value: Bound, ts: pl.Series, name: str, default: int) -> int:
    n = ts.len()
    if value is None:
        return default
    if isinstance(value, bool):
        msg = f"window {name} must be a bar index or a time; got {value!r}"
        raise ConfigError(msg, hint=_HINT)
    if isinstance(value, int | np.integer):
        if not 0 <= value <= n:
            msg = f"window {name} {int(value)} is outside the frame's bars [0, {n}]"
            raise ConfigError(msg, hint=_HINT, context={name: int(value), "bars": n})
        return int(value)
    if not isinstance(value, str | dt.date | np.datetime64):
        msg = f"window {name} must be a bar index or a time; got {type(value).__name__}"
        raise ConfigError(msg, hint=_HINT, context={name: repr(value)})
    return int(ts.search_sorted(_as_time(value, ts, name), side="left"))


def resolve_window(window: Any, timestamps: pl.Series, /) -> tuple[int, int]:
    """``window`` as bar indices ``(start, end)``, ``0 <= start < end <= bars``.

    Raises:
        ConfigError: Not a pair, a bad bound, or an empty window.

    Example:
        >>> ts = synthetic_ohlcv(100)["timestamp"]  # doctest: +SKIP
        >>> resolve_window(("2020-01-01 10:00", None), ts)  # doctest: +SKIP
        (10, 100)
    """
    if not isinstance(window, tuple | list) or len(window) != 2:
        msg = f"`window` must be a (start, end) pair; got {window!r}"
        raise ConfigError(msg, hint=_HINT)
    n = timestamps.len()
    start = _index(window[0], timestamps, "start", 0)
    end = _index(window[1], timestamps, "end", n)
    if start >= end:
        msg = f"window {window!r} holds no bars (start bar {start}, end bar {end})"
        raise ConfigError(
            msg, hint="start must come before end", context={"start": start, "end": end}
        )
    return start, end


def run_windowed(
    data: Any,
    strategy: Any,
    params: Mapping[str, Any] | None,
    /,
    *,
    signal: Any = None,
    window: Any,
    config: BacktestConfig,
    invariants: inv.InvariantConfig,
    repro: ReproContext | None,
) -> BacktestResult:
    """``run_backtest`` on ``window``: the signal over all bars, the run over the window."""
    from peak_trade.backtest import engine

    market = engine.prepare_market(data, config=config)
    df = market.frame
    start, end = resolve_window(window, df.get_column("timestamp"))
    targets = explicit_signal(df, strategy, signal, params)
    used: dict[str, Any] | None = None
    if targets is None:
        strat = engine._strategy(strategy, params)
        targets = strat.signal(df)
        used = dict(strat.params)
    part = np.ascontiguousarray(targets[start:end])
    result = engine.run_backtest(
        df.slice(start, end - start), signal=part, config=config, invariants=invariants, repro=repro
    )
    return replace(result, params=used)


def window_market(
    market: MarketArrays, window: Any, /, *, config: BacktestConfig
) -> tuple[tuple[pl.DataFrame, int], MarketArrays]:
    """((the whole frame, the first bar), the window's market) for the grid path."""
    from peak_trade.backtest.engine import prepare_market

    whole = market.frame
    start, end = resolve_window(window, whole.get_column("timestamp"))
    return (whole, start), prepare_market(whole.slice(start, end - start), config=config)
