"""sweep: one strategy's parameter grid over many symbols, on every core or on Ray.

Rows come out ordered by symbol (in the order given), then by combination (the
order of :func:`~peak_trade.backtest.grid.expand_grid`), whatever the executor or
worker count. With ``output=DIR`` each finished chunk is written atomically as a
Parquet file named by its key and config hash; a rerun loads the chunks that are
already there and verify, and computes only the rest. Invariants are checked
per combination as in ``run_combos`` (strict by default; warn mode adds the
``invariant_violation`` and ``invariant_bar`` columns). See docs/research.md.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import polars as pl

from peak_trade._version import __version__
from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.engine import strategy_class
from peak_trade.backtest.grid import VIOLATION_COLUMNS, InvalidCombos, expand_grid
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core._frames import short_repr
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError
from peak_trade.data.cache_atomic import atomic_write
from peak_trade.research._chunks import (
    CheckFields,
    ChunkTask,
    encode_frame,
    fingerprint,
    plan_chunks,
    symbol_hash,
)
from peak_trade.research._compute import compute_chunk
from peak_trade.research._load import load_frames
from peak_trade.research._local import (
    Pool,
    run_inline,
    run_processes,
    run_threads,
    threads_are_safe,
)
from peak_trade.research._sink import load_done, write_chunk

__all__ = ["DEFAULT_CHUNK_SIZE", "Executor", "Pool", "SweepProgress", "sweep"]

_log = logging.getLogger(__name__)
Executor = Literal["local", "ray"]
_EXECUTORS: tuple[str, ...] = get_args(Executor)
_POOLS: tuple[str, ...] = get_args(Pool)
_DEFAULT = BacktestConfig()
_STRICT = InvariantConfig()
#: Combinations per chunk: the unit of scheduling, of resume and of one output file.
DEFAULT_CHUNK_SIZE = 256


@dataclass(frozen=True, slots=True)
class SweepProgress:
    """A chunk was computed (and written): counts, timing and the ETA.

    Chunks found done in ``output`` are not reported one by one; each event
    counts them in ``resumed`` and ``done``.

    Args:
        done: Chunks finished so far, resumed ones included.
        total: Chunks in the sweep.
        resumed: Chunks loaded from ``output`` instead of computed.
        symbol: The finished chunk's symbol.
        chunk: The finished chunk's index within its symbol.
        rows: Its rows (combinations).
        elapsed_s: Seconds since the sweep started computing.
        eta_s: Estimated seconds left, from the computed chunks' pace; None
            before the first computed chunk.
    """

    done: int
    total: int
    resumed: int
    symbol: str
    chunk: int
    rows: int
    elapsed_s: float
    eta_s: float | None


Progress = Callable[[SweepProgress], None]


def _option_error(name: str, expected: str, got: Any, hint: str) -> ConfigError:
    msg = f"sweep: `{name}` must be {expected}; got {short_repr(got)}"
    return ConfigError(msg, hint=hint, context={"option": name, "got": short_repr(got)})


def _check_options(executor: Any, pool: Any, max_workers: Any, chunk_size: Any) -> tuple[int, int]:
    if not is_one_of(executor, _EXECUTORS):
        raise _option_error("executor", f"one of {list(_EXECUTORS)}", executor, 'use "local"')
    if not is_one_of(pool, _POOLS):
        raise _option_error("pool", f"one of {list(_POOLS)}", pool, 'use "threads"')
    for name, value in (("max_workers", max_workers), ("chunk_size", chunk_size)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _option_error(name, "a positive int or None", value, f"e.g. {name}=2")
        if value is not None and value < 1:
            raise _option_error(name, ">= 1", value, f"e.g. {name}=2")
    return max_workers or os.cpu_count() or 1, chunk_size or DEFAULT_CHUNK_SIZE


def _check_invariants(invariants: Any) -> CheckFields:
    """The invariant settings as plain fields; a grid runs the built-in checks only."""
    if not isinstance(invariants, InvariantConfig):
        got = type(invariants).__name__
        raise _option_error(
            "invariants", "an InvariantConfig", got, 'e.g. invariants=InvariantConfig(mode="warn")'
        )
    if invariants.has_user_checks:
        checks = [*invariants.bar_checks, *invariants.frame_checks]
        msg = f"sweep: user invariant checks {checks} cannot run in a grid"
        raise ConfigError(
            msg,
            hint="drop bar_checks/frame_checks, or run the combination with run_backtest",
            context={"option": "invariants", "checks": checks},
        )
    return CheckFields.of(invariants)


def _report_violations(frame: pl.DataFrame, params: Sequence[str]) -> None:
    """Warn mode: one ``sweep.invariant_violated`` warning per invariant, over all rows.

    Emitted in the calling process, so it also covers rows computed by worker
    processes or Ray tasks (whose own ``invariant.violated`` logs stay there).
    """
    name, bar = VIOLATION_COLUMNS
    bad = frame.filter(pl.col(name).is_not_null())
    if bad.is_empty() or not _log.isEnabledFor(logging.WARNING):
        return
    counts = bad.group_by(name, maintain_order=True).len()
    for invariant, rows in counts.iter_rows():
        first = bad.filter(pl.col(name) == invariant).row(0, named=True)
        _log.warning(
            "sweep.invariant_violated",
            extra={
                "invariant": invariant,
                "rows": rows,
                "symbol": first["symbol"],
                "params": {p: first[p] for p in params},
                "bar": first[bar],
            },
        )


class _Collector:
    """Receives finished chunks: writes them, keeps them, reports progress."""

    def __init__(
        self, out_dir: Path | None, total: int, resumed: int, progress: Progress | None, clock: Any
    ) -> None:
        self.frames: dict[tuple[int, int], pl.DataFrame] = {}
        self._out, self._total, self._resumed = out_dir, total, resumed
        self._progress, self._clock = progress, clock
        self._started = clock()
        self._done = resumed

    def elapsed(self) -> float:
        """Seconds since the collector was made (the sweep started computing)."""
        return float(self._clock() - self._started)

    def __call__(self, task: ChunkTask, frame: pl.DataFrame) -> None:
        if self._out is not None:
            write_chunk(self._out, task, frame)
        self.frames[task.order] = frame
        self._done += 1
        elapsed = self._clock() - self._started
        computed = self._done - self._resumed
        eta = elapsed / computed * (self._total - self._done) if computed else None
        event = SweepProgress(
            self._done, self._total, self._resumed, task.symbol, task.index,
            frame.height, elapsed, eta,
        )  # fmt: skip
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "sweep.progress",
                extra={"done": event.done, "total": event.total, "symbol": event.symbol,
                       "chunk": event.chunk, "elapsed_s": elapsed, "eta_s": eta},
            )  # fmt: skip
        if self._progress is not None:
            self._progress(event)


def _run_local(
    frames: Mapping[str, pl.DataFrame],
    todo: Sequence[ChunkTask],
    *,
    pool: Pool,
    max_workers: int,
    done: _Collector,
) -> None:
    if max_workers == 1 or len(todo) <= 1:
        run_inline(frames, todo, threads=max_workers, done=done)
        return
    if pool == "threads" and threads_are_safe():
        run_threads(frames, todo, max_workers=max_workers, done=done)
        return
    with tempfile.TemporaryDirectory(prefix="peak_trade-sweep-") as tmp:
        needed = {t.symbol for t in todo}
        paths = {
            symbol: atomic_write(frame, Path(tmp) / f"{i:05d}.arrow")
            for i, (symbol, frame) in enumerate(frames.items())
            if symbol in needed
        }
        run_processes(paths, todo, max_workers=max_workers, done=done)


def sweep(
    data: Mapping[str, Any] | Sequence[str],
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
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
) -> pl.DataFrame:
    """Backtest every combination of ``grid`` on every symbol: one row each.

    Args:
        data: Symbol to OHLCV frame, or a list of symbols loaded from ``source``.
        strategy: A registered name, a ``Strategy`` subclass or an instance.
        grid: Parameter name to the values to try (see ``expand_grid``).
        config: Costs, sizing and fill timing, shared by every run: a
            ``BacktestConfig`` or a mapping of its fields.
        executor: ``"local"`` (this machine) or ``"ray"`` (``RAY_ADDRESS`` or a
            local Ray instance).
        max_workers: Compute threads in total, numba's included (default: the
            core count); ``1`` runs on one core. With Ray: the tasks in flight.
        output: A directory that receives the result as Parquet chunks and makes
            the sweep resumable.
        source: With a list of symbols: a provider (``fetch_ohlcv``) or a callable
            ``symbol -> frame``, called once per symbol.
        timeframe: Passed to ``source.fetch_ohlcv``.
        pool: The local executor's workers: ``"threads"`` (default, measured
            faster, see docs/research.md) or ``"processes"``.
        chunk_size: Combinations per chunk (default ``DEFAULT_CHUNK_SIZE``); part
            of the config hash, so keep it when resuming.
        invalid: ``"raise"`` or ``"skip"`` combinations breaking a parameter rule.
        invariants: The built-in invariants, checked per combination as by
            ``run_combos`` (strict by default; user checks are refused). Strict
            raises for a violating combination; warn keeps every row, adds the
            columns ``invariant_violation`` (the row's first violated invariant
            by bar, null when clean) and ``invariant_bar``, and logs one
            ``sweep.invariant_violated`` warning per invariant; off checks
            nothing. Part of the config hash.
        progress: Called in this thread after each finished chunk.
        clock: Monotonic seconds, for the elapsed time and the ETA.

    Returns:
        ``symbol``, the parameters (grid order first), then the stats columns
        (then, in warn mode, ``invariant_violation`` and ``invariant_bar``).

    Raises:
        ConfigError: Bad option, grid, strategy, symbol list or signal; or
            ``output`` holds another sweep's chunks.
        DataContractError: A symbol's data breaks the OHLCV contract
            (``context["symbol"]`` names it).
        BacktestInvariantError: Strict mode: a combination broke an invariant;
            ``context`` holds ``symbol``, ``chunk``, ``params``, ``combination``,
            ``invariant`` and ``bar``.

    Example:
        >>> frames = {"A": synthetic_ohlcv(500, symbol="A")}  # doctest: +SKIP
        >>> sweep(frames, "ma_crossover", {"fast": [5, 10], "slow": [50]}).height  # doctest: +SKIP
        2
    """
    config = as_backtest_config(config)
    workers, size = _check_options(executor, pool, max_workers, chunk_size)
    checks = _check_invariants(invariants)
    cls = strategy_class(strategy)
    combos, skipped = expand_grid(strategy, grid, invalid=invalid)
    columns = [*grid, *(s.name for s in cls.param_specs if s.name not in grid)]
    frames = load_frames(data, source=source, timeframe=timeframe)
    out_dir = None if output is None else Path(output)
    payloads = (
        {s: encode_frame(f) for s, f in frames.items()}
        if out_dir is not None or executor == "ray"
        else {}
    )
    inputs = {
        "peak_trade": __version__,  # chunks of another version are not reused
        "strategy": f"{cls.__module__}.{cls.__qualname__}",
        "name": cls.name,
        "combos": combos,
        "columns": columns,
        "config": config.to_dict(),
        "chunk_size": size,
        "invariants": checks.as_dict(),
    }
    keys = {s: symbol_hash(inputs, s, fingerprint(p)) for s, p in payloads.items()}
    tasks = plan_chunks(
        list(frames), combos, chunk_size=size, strategy=cls, config=config,
        columns=columns, keys=keys if keys else dict.fromkeys(frames, "-"), checks=checks,
    )  # fmt: skip
    found = load_done(out_dir, tasks) if out_dir is not None else {}
    todo = [t for t in tasks if t.order not in found]
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "sweep.start",
            extra={"symbols": len(frames), "combos": len(combos), "skipped": len(skipped),
                   "chunks": len(tasks), "resumed": len(found), "executor": executor,
                   "max_workers": workers, "invariants": checks.mode},
        )  # fmt: skip
    collect = _Collector(out_dir, len(tasks), len(found), progress, clock)
    if todo and executor == "ray":
        from peak_trade.research._ray import run_ray

        needed = {t.symbol for t in todo}
        mine = {s: p for s, p in payloads.items() if s in needed}
        run_ray(mine, todo, max_workers=max_workers, done=collect)
    elif todo:
        _run_local(frames, todo, pool=pool, max_workers=workers, done=collect)
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "sweep.done",
            extra={"chunks": len(tasks), "computed": len(todo), "seconds": collect.elapsed()},
        )
    parts = {**found, **collect.frames}
    if not tasks:  # every combination was skipped: an empty frame of the right schema
        symbol, first = next(iter(frames.items()))
        probe = ChunkTask(symbol, 0, 0, 0, (), cls, config, tuple(columns), "-", checks)
        return compute_chunk(first, probe)
    result = pl.concat([parts[t.order] for t in tasks], how="vertical", rechunk=True)
    if checks.mode == "warn":
        _report_violations(result, columns)
    return result
