"""The work of one chunk, identical in every executor: run_combos plus error context.

Every executor (threads, processes, Ray tasks) calls :func:`compute_chunk` with
the same frame and task, which is why their results are bit-identical. The
task's ``checks`` set the invariants: strict raises with the guilty
combination in context, off checks nothing, and warn keeps every row and adds
the grid's ``VIOLATION_COLUMNS`` (see :func:`compute_chunk`).
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

__all__ = ["compute_chunk", "numba_threads"]

_log = logging.getLogger(__name__)


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
        frame, task.strategy, combos, config=task.config, columns=task.columns,
        invariants=checks, violations=checks.mode == "warn", window=task.window,
    )  # fmt: skip


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


def compute_chunk(frame: pl.DataFrame, task: ChunkTask, /, *, threads: int = 1) -> pl.DataFrame:
    """Backtest the chunk's combinations on ``frame``: symbol, params and stats columns.

    In warn mode (``task.checks.mode``) two more columns follow the stats:
    ``invariant_violation`` (String), the name of the row's first violated
    invariant by bar, and ``invariant_bar`` (Int64), that bar; both null for a
    clean row (``run_combos(violations=True)``: the grid kernel's own record).

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
            result = _run(frame, task, task.combos, task.checks.config())
        except PeakTradeError as exc:
            _add_context(exc, frame, task)
            raise
    symbol = pl.Series("symbol", [task.symbol] * result.height, dtype=pl.String)
    return result.insert_column(0, symbol)
