"""Ranking a sweep's rows by one stat, and the sweep-then-rank call behind the CLI."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from peak_trade.backtest.config import BacktestConfig, ConfigLike
from peak_trade.backtest.grid import InvalidCombos
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.backtest.strategies.base import suggest
from peak_trade.core._frames import short_repr, to_polars
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError
from peak_trade.research._local import Pool
from peak_trade.research.sweep import Executor, Progress, sweep

__all__ = ["LOWER_IS_BETTER", "rank_sweep", "top_n"]

#: Stats where smaller is better; every other stat ranks descending.
#: ``max_drawdown`` is a fraction <= 0, so nearer 0 (larger) is better.
LOWER_IS_BETTER = frozenset({"volatility", "max_drawdown_duration", "ulcer_index"})
_DEFAULT = BacktestConfig()
_STRICT = InvariantConfig()


def _check(metric: Any, n: Any) -> None:
    if not is_one_of(metric, STAT_NAMES):
        close = suggest(metric, list(STAT_NAMES)) if isinstance(metric, str) else None
        hint = f"did you mean {close!r}? " if close else ""
        msg = f"cannot rank by {short_repr(metric)}: it is not a stat"
        raise ConfigError(
            msg,
            hint=f"{hint}choose one of {', '.join(STAT_NAMES)}",
            context={"metric": short_repr(metric), "allowed": list(STAT_NAMES)},
        )
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"`top_n` must be an int >= 1; got {short_repr(n)}"
        raise ConfigError(msg, hint="e.g. top_n=10", context={"top_n": short_repr(n)})


def top_n(frame: Any, /, *, metric: str, n: int) -> pl.DataFrame:
    """The ``n`` best rows by ``metric``, with a 1-based ``rank`` column first.

    Larger is better except for ``LOWER_IS_BETTER``. NaN and null values rank
    last; ties keep the sweep's row order, so the table is deterministic.

    Args:
        frame: A sweep's rows: any frame kind (polars, pyarrow, pandas).
        metric: The stat to rank by.
        n: Rows to keep.

    Raises:
        ConfigError: ``metric`` is not a stat, or ``n`` is not a positive int, or
            ``frame`` has no ``metric`` column.
        TypeError: ``frame`` is not a frame.

    Example:
        >>> df = pl.DataFrame({"fast": [5, 10], "sharpe": [0.5, 1.5]})
        >>> top_n(df, metric="sharpe", n=1)["fast"].to_list()
        [10]
    """
    _check(metric, n)
    table = to_polars(frame)
    if metric not in table.columns:
        msg = f"cannot rank by `{metric}`: the frame has no such column"
        raise ConfigError(
            msg,
            hint="pass the frame sweep() returned",
            context={"metric": metric, "columns": table.columns[:20]},
        )
    value = pl.col(metric)
    score = pl.when(value.is_nan()).then(None).otherwise(value)  # NaN and null alike
    ranked = table.sort(
        score, descending=metric not in LOWER_IS_BETTER, nulls_last=True, maintain_order=True
    ).head(n)
    return ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


def rank_sweep(
    data: Mapping[str, Any] | Sequence[str],
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    metric: str,
    top: int,
    config: ConfigLike = _DEFAULT,
    executor: Executor = "local",
    max_workers: int | None = None,
    output: str | os.PathLike[str] | None = None,
    source: Any = None,
    timeframe: str = "1h",
    pool: Pool = "threads",
    chunk_size: int | None = None,
    invalid: InvalidCombos = "raise",
    invariants: InvariantConfig = _STRICT,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run :func:`~peak_trade.research.sweep.sweep` and rank it: (results, top table).

    ``metric`` and ``top`` are checked before any work starts. The other options
    are those of ``sweep``, all of them (``invalid="skip"`` drops combinations
    that break a parameter rule); ``progress`` receives a ``SweepProgress`` per chunk.
    ``invariants`` is as for ``sweep`` (strict by default); in warn mode both
    frames carry the ``invariant_violation`` and ``invariant_bar`` columns.

    Raises:
        ConfigError: Bad ``metric`` or ``top``, or any ``sweep`` error.

    Example:
        >>> results, best = rank_sweep({"A": df}, "ma_crossover", {"fast": [5, 10]},
        ...                            metric="sharpe", top=5)  # doctest: +SKIP
    """
    _check(metric, top)
    results = sweep(
        data,
        strategy,
        grid,
        config=config,
        executor=executor,
        max_workers=max_workers,
        output=output,
        source=source,
        timeframe=timeframe,
        pool=pool,
        chunk_size=chunk_size,
        invalid=invalid,
        invariants=invariants,
        progress=progress,
        clock=clock,
    )
    return results, top_n(results, metric=metric, n=top)
