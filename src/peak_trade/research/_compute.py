"""The work of one chunk, identical in every executor: run_combos plus error context.

Every executor (threads, processes, Ray tasks) calls :func:`compute_chunk` with
the same frame and task, which is why their results are bit-identical. The
task's ``checks`` set the invariants: strict raises with the guilty
combination in context, off checks nothing, and warn keeps every row and adds
the :data:`VIOLATION_COLUMNS` (see :func:`compute_chunk`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numba
import polars as pl

from peak_trade.backtest.grid import run_combos
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core.errors import BacktestInvariantError, PeakTradeError
from peak_trade.research._chunks import ChunkTask

__all__ = ["VIOLATION_COLUMNS", "compute_chunk", "numba_threads"]

_log = logging.getLogger(__name__)
#: Warn mode's columns: the first violated invariant of the row (by bar) and its bar.
VIOLATION_COLUMNS: dict[str, pl.DataType] = {
    "invariant_violation": pl.String(),
    "invariant_bar": pl.Int64(),
}
Found = dict[int, tuple[str, int]]


@contextlib.contextmanager
def numba_threads(n: int) -> Iterator[None]:
    """Bound numba's parallel kernels in this thread to ``n`` threads, then restore.

    ``numba.set_num_threads`` is thread-local, so concurrent worker threads each
    get their own bound. ``n`` is clipped to the size of numba's pool.
    """
    previous = numba.get_num_threads()
    pool = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # untyped config
    numba.set_num_threads(max(1, min(n, pool)))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _run(
    frame: pl.DataFrame,
    task: ChunkTask,
    combos: Sequence[Mapping[str, Any]],
    checks: InvariantConfig,
) -> pl.DataFrame:
    return run_combos(
        frame, task.strategy, combos, config=task.config, columns=task.columns, invariants=checks
    )


def _fails(frame: pl.DataFrame, task: ChunkTask, lo: int, hi: int) -> bool:
    try:
        _run(frame, task, task.combos[lo:hi], task.checks.config())
    except BacktestInvariantError:
        return True
    return False


def _first_failing(frame: pl.DataFrame, task: ChunkTask) -> int | None:
    """Bisect the failed chunk to its first combination whose own run fails; None if none."""
    lo, hi = 0, len(task.combos)
    while hi - lo > 1:  # [lo, hi) holds the first failing combination
        mid = (lo + hi) // 2
        if _fails(frame, task, lo, mid):
            hi = mid
        else:
            lo = mid
    return lo if hi > lo and _fails(frame, task, lo, lo + 1) else None


def _offset(combos: Sequence[Mapping[str, Any]], params: Any) -> int | None:
    """The first position of ``params`` in ``combos``; None when absent or not a dict."""
    if not isinstance(params, Mapping):
        return None
    wanted = dict(params)
    return next((j for j, combo in enumerate(combos) if dict(combo) == wanted), None)


def _add_context(exc: PeakTradeError, frame: pl.DataFrame, task: ChunkTask) -> None:
    """Put the symbol, the chunk and, for invariant errors, the guilty params in context.

    The engine's grid error names the combination (``params``); an error raised
    elsewhere for the whole batch does not, and the chunk is bisected instead.
    """
    exc.context.setdefault("symbol", task.symbol)
    exc.context.setdefault("chunk", task.index)
    if not isinstance(exc, BacktestInvariantError):
        return
    offset = _offset(task.combos, exc.context.get("params"))
    if offset is None:
        offset = _first_failing(frame, task)
    if offset is None:  # only the chunk as a whole fails: name its range
        exc.context["combos"] = [dict(task.combos[0]), dict(task.combos[-1])]
        return
    exc.context["params"] = dict(task.combos[offset])
    exc.context["combination"] = task.start + offset


def _violators(
    frame: pl.DataFrame, task: ChunkTask, strict: InvariantConfig, lo: int, hi: int, found: Found
) -> None:
    """Record each combination in ``[lo, hi)`` whose strict run fails: its invariant and bar.

    A strict run of a range raises for its first violating combination (the
    engine's ``params``); the rest of the range is then searched in two halves,
    so ``k`` violators cost O(k log(n / k)) runs and a clean range one run.
    """
    if lo >= hi:
        return
    combos = task.combos[lo:hi]
    try:
        _run(frame, task, combos, strict)
    except BacktestInvariantError as exc:
        offset = _offset(combos, exc.context.get("params"))
        if offset is None and hi - lo > 1:  # not located: split the range
            mid = (lo + hi) // 2
            _violators(frame, task, strict, lo, mid, found)
            _violators(frame, task, strict, mid, hi, found)
            return
        at = lo + (offset or 0)
        found[at] = (str(exc.context.get("invariant", "unknown")), int(exc.context.get("bar", -1)))
        mid = (at + 1 + hi) // 2
        _violators(frame, task, strict, at + 1, mid, found)
        _violators(frame, task, strict, mid, hi, found)


def _violation_columns(found: Found, n: int) -> list[pl.Series]:
    names = [found[j][0] if j in found else None for j in range(n)]
    bars = [found[j][1] if j in found else None for j in range(n)]
    name, bar = VIOLATION_COLUMNS
    return [
        pl.Series(name, names, dtype=VIOLATION_COLUMNS[name]),
        pl.Series(bar, bars, dtype=VIOLATION_COLUMNS[bar]),
    ]


def _run_warn(frame: pl.DataFrame, task: ChunkTask) -> pl.DataFrame:
    """Warn mode: every row's stats (as ``run_combos`` in warn mode) plus its first violation.

    A chunk whose strict run passes is clean, and that run's stats are the
    result: a clean chunk costs what it costs in strict mode.
    """
    strict = task.checks.config(mode="strict")
    found: Found = {}
    try:
        result = _run(frame, task, task.combos, strict)
    except BacktestInvariantError:
        result = _run(frame, task, task.combos, task.checks.config())  # logs as run_combos does
        _violators(frame, task, strict, 0, len(task.combos), found)
    return result.with_columns(_violation_columns(found, result.height))


def compute_chunk(frame: pl.DataFrame, task: ChunkTask, /, *, threads: int = 1) -> pl.DataFrame:
    """Backtest the chunk's combinations on ``frame``: symbol, params and stats columns.

    In warn mode (``task.checks.mode``) two more columns follow the stats:
    ``invariant_violation`` (String), the name of the row's first violated
    invariant by bar, and ``invariant_bar`` (Int64), that bar; both null for a
    clean row. The stats are those ``run_combos`` keeps in warn mode.

    Args:
        frame: The symbol's OHLCV.
        task: The chunk.
        threads: The bound on numba threads for this call.

    Raises:
        BacktestInvariantError: Strict mode: a combination broke an invariant;
            ``context`` holds ``symbol``, ``chunk``, ``params`` and
            ``combination`` (its index in the grid expansion).
        PeakTradeError: Any other deliberate failure, with ``symbol`` and
            ``chunk`` added to its ``context``.

    Example:
        >>> compute_chunk(df, task, threads=1).columns[0]  # doctest: +SKIP
        'symbol'
    """
    with numba_threads(threads):
        try:
            if task.checks.mode == "warn":
                result = _run_warn(frame, task)
            else:
                result = _run(frame, task, task.combos, task.checks.config())
        except PeakTradeError as exc:
            _add_context(exc, frame, task)
            raise
    symbol = pl.Series("symbol", [task.symbol] * result.height, dtype=pl.String)
    return result.insert_column(0, symbol)
