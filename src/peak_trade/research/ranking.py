"""Ranking a sweep's rows by one stat, and the sweep-then-rank call behind the CLI."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import polars as pl

from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.grid import InvalidCombos
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.backtest.strategies.base import suggest
from peak_trade.core._frames import short_repr, to_polars
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError
from peak_trade.research._local import Pool
from peak_trade.research.overfitting import FrameRecorder, add_psr_dsr, symbol_facts
from peak_trade.research.sweep import Executor, Progress, SweepSummary, sweep

__all__ = ["LOWER_IS_BETTER", "rank_sweep", "top_n"]

#: Stats where smaller is better; every other stat ranks descending.
#: ``max_drawdown`` is a fraction <= 0, so nearer 0 (larger) is better.
LOWER_IS_BETTER = frozenset({"volatility", "max_drawdown_duration", "ulcer_index"})
_DEFAULT = BacktestConfig()
_STRICT = InvariantConfig()
_CHUNKS = "part-*.parquet"
_MAX_ROWS = 2**32 - 1


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


def _ordered(frame: pl.LazyFrame, metric: str) -> pl.LazyFrame:
    value = pl.col(metric)
    score = pl.when(value.is_nan()).then(None).otherwise(value)  # NaN and null alike
    return frame.sort(
        score, descending=metric not in LOWER_IS_BETTER, nulls_last=True, maintain_order=True
    )


def _numbered(frame: pl.DataFrame, *, per_symbol: bool) -> pl.DataFrame:
    if not per_symbol:
        return frame.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    rank = pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("symbol").alias("rank")
    return frame.select(rank, pl.all())


def _chunk_groups(directory: Path) -> list[list[Path]]:
    """A sweep directory's chunk files grouped by symbol (by name), in name order."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(directory.glob(_CHUNKS)):
        slug = path.stem.rsplit("-", 2)[0]  # part-<symbol>-<index>-<hash>
        groups.setdefault(slug, []).append(path)
    if not groups:
        msg = f"no sweep chunks ({_CHUNKS}) in {str(directory)!r}"
        raise ConfigError(
            msg, hint="pass the `output` directory of a sweep", context={"path": str(directory)}
        )
    return list(groups.values())


def top_n(
    frame: Any,
    /,
    *,
    metric: str,
    n: int,
    per_symbol: bool = False,
) -> pl.DataFrame:
    """The ``n`` best rows by ``metric``, with a 1-based ``rank`` column first.

    Larger is better except for ``LOWER_IS_BETTER``. NaN and null values rank
    last; ties keep the sweep's row order, so the table is deterministic.
    ``frame`` may be a sweep's ``output`` directory: it is read lazily
    (``pl.scan_parquet``), and with ``per_symbol`` one symbol's chunk files at a
    time, so the whole result is never in memory at once.

    Args:
        frame: A sweep's rows (any frame kind: polars, pyarrow, pandas), or a
            sweep's output directory.
        metric: A stat name.
        n: Rows to keep (per symbol with ``per_symbol``).
        per_symbol: The best ``n`` rows of each symbol, ranked within it.

    Raises:
        ConfigError: ``metric`` is not a stat, or ``n`` is not a positive int;
            the frame has no ``metric`` column; or the directory holds no sweep chunks.
        TypeError: ``frame`` is neither a frame nor a directory.

    Example:
        >>> df = pl.DataFrame({"fast": [5, 10], "sharpe": [0.5, 1.5]})
        >>> top_n(df, metric="sharpe", n=1)["fast"].to_list()
        [10]
    """
    _check(metric, n)
    n = min(n, _MAX_ROWS)  # "every row": polars' head takes its 32-bit row index
    if isinstance(frame, str | os.PathLike):
        groups = _chunk_groups(Path(frame))
        if not per_symbol:
            best = (
                _ordered(pl.scan_parquet([p for g in groups for p in g]), metric).head(n).collect()
            )
            return _numbered(best, per_symbol=False)
        parts = [
            _ordered(pl.scan_parquet(files), metric).group_by("symbol", maintain_order=True).head(n)
            for files in groups
        ]
        return _numbered(pl.concat([p.collect() for p in parts]), per_symbol=True)
    table = to_polars(frame)
    if metric not in table.columns:
        msg = f"cannot rank by `{metric}`: the frame has no such column"
        raise ConfigError(
            msg,
            hint="pass the frame sweep() returned, or its output directory",
            context={"metric": metric, "columns": table.columns[:20]},
        )
    lazy = table.lazy()
    if per_symbol:
        lazy = _ordered(lazy, metric).group_by("symbol", maintain_order=True).head(n)
        out = lazy.collect()
        order = lazy.select(pl.col("symbol").unique(maintain_order=True)).collect()
        index = {s: i for i, s in enumerate(order["symbol"].to_list())}
        out = out.sort(pl.col("symbol").replace_strict(index), maintain_order=True)
        return _numbered(out, per_symbol=True)
    return _numbered(_ordered(lazy, metric).head(n).collect(), per_symbol=False)


_CLOCK = time.monotonic


@overload
def rank_sweep(
    data: Any,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    metric: str,
    top: int,
    config: ConfigLike = ...,
    executor: Executor = ...,
    max_workers: int | None = ...,
    output: str | os.PathLike[str] | None = ...,
    source: Any = ...,
    timeframe: str = ...,
    symbols: Sequence[str] | None = ...,
    pool: Pool = ...,
    chunk_size: int | None = ...,
    invalid: InvalidCombos = ...,
    invariants: InvariantConfig = ...,
    progress: Progress | None = ...,
    clock: Callable[[], float] = ...,
    collect: Literal[True] = ...,
    window: Any = ...,
    keep_returns: bool = ...,
    per_symbol: bool = ...,
    periods_per_year: Mapping[str, float] | None = ...,
) -> tuple[pl.DataFrame, pl.DataFrame]: ...


@overload
def rank_sweep(
    data: Any,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    metric: str,
    top: int,
    config: ConfigLike = ...,
    executor: Executor = ...,
    max_workers: int | None = ...,
    output: str | os.PathLike[str] | None = ...,
    source: Any = ...,
    timeframe: str = ...,
    symbols: Sequence[str] | None = ...,
    pool: Pool = ...,
    chunk_size: int | None = ...,
    invalid: InvalidCombos = ...,
    invariants: InvariantConfig = ...,
    progress: Progress | None = ...,
    clock: Callable[[], float] = ...,
    collect: Literal[False],
    window: Any = ...,
    keep_returns: bool = ...,
    per_symbol: bool = ...,
    periods_per_year: Mapping[str, float] | None = ...,
) -> tuple[SweepSummary, pl.DataFrame]: ...


def rank_sweep(
    data: Any,
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
    symbols: Sequence[str] | None = None,
    pool: Pool = "threads",
    chunk_size: int | None = None,
    invalid: InvalidCombos = "raise",
    invariants: InvariantConfig = _STRICT,
    progress: Progress | None = None,
    clock: Callable[[], float] = _CLOCK,
    collect: bool = True,
    window: Any = None,
    keep_returns: bool = False,
    per_symbol: bool = False,
    periods_per_year: Mapping[str, float] | None = None,
) -> tuple[pl.DataFrame | SweepSummary, pl.DataFrame]:
    """Run :func:`~peak_trade.research.sweep.sweep` and rank it: (results, top table).

    ``metric`` and ``top`` are checked before any work starts. The other options
    are those of ``sweep``, all of them (``invalid="skip"`` drops combinations
    that break a parameter rule); ``progress`` receives a ``SweepProgress`` per chunk.
    ``invariants`` is as for ``sweep`` (strict by default); in warn mode both
    frames carry the ``invariant_violation`` and ``invariant_bar`` columns.

    With in-memory frames and ``collect=True`` both frames end with ``psr`` and
    ``dsr`` (``research/overfitting.py``: per row, the DSR takes the symbol's
    combinations as ``n_trials``; normal higher moments are assumed, since rows
    hold no skewness or kurtosis). With ``collect=False`` (and ``output``) the
    sweep keeps no rows: the first item is its ``SweepSummary`` and the top table
    is read lazily from ``output`` (``per_symbol``: the best ``top`` rows of each
    symbol), without ``psr``/``dsr``. Data by reference (an ``OhlcvCache`` or
    paths) is never loaded here, so its rows carry no ``psr``/``dsr`` either.

    Raises:
        ConfigError: Bad ``metric`` or ``top``, or any ``sweep`` error.

    Example:
        >>> results, best = rank_sweep({"A": df}, "ma_crossover", {"fast": [5, 10]},
        ...                            metric="sharpe", top=5)  # doctest: +SKIP
    """
    _check(metric, top)
    recorder = FrameRecorder(data, source, timeframe)
    results = sweep(
        recorder.data,
        strategy,
        grid,
        config=config,
        executor=executor,
        max_workers=max_workers,
        output=output,
        source=recorder.source,
        timeframe=timeframe,
        symbols=symbols,
        pool=pool,
        chunk_size=chunk_size,
        invalid=invalid,
        invariants=invariants,
        progress=progress,
        clock=clock,
        collect=collect,
        window=window,
        keep_returns=keep_returns,
        periods_per_year=periods_per_year,
    )
    if isinstance(results, SweepSummary):
        return results, top_n(results.path, metric=metric, n=top, per_symbol=per_symbol)
    frames = recorder.frames()
    if frames and set(frames) >= set(results.get_column("symbol").unique().to_list()):
        facts = symbol_facts(frames, config=as_backtest_config(config), window=window)
        results = add_psr_dsr(results, facts)
    return results, top_n(results, metric=metric, n=top, per_symbol=per_symbol)
