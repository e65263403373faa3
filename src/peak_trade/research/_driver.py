"""The sweep driver: plan the chunks, resume, dispatch to an executor, collect.

The driver holds bar data only for a mapping of frames (as given by the
caller). With references (an ``OhlcvCache`` and keys, or ``{symbol: path}``)
it reads nothing but each file's checksum sidecar (its fingerprint), and the
workers load their own symbols. With ``collect=False`` it keeps no result rows:
each chunk goes to the Parquet sink as it arrives.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade._version import __version__
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.grid import VIOLATION_COLUMNS
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.data.cache_atomic import atomic_write
from peak_trade.research._chunks import (
    CheckFields,
    ChunkTask,
    chunk_name,
    encode_frame,
    fingerprint,
    plan_chunks,
    symbol_hash,
)
from peak_trade.research._collect import Collector, Progress, SweepSummary
from peak_trade.research._compute import compute_chunk
from peak_trade.research._local import (
    Pool,
    Source,
    frame_of,
    run_inline,
    run_processes,
    run_threads,
    threads_are_safe,
)
from peak_trade.research._refs import SymbolRef
from peak_trade.research._returns import write_returns
from peak_trade.research._sink import load_done

__all__ = ["Plan", "execute"]

_log = logging.getLogger("peak_trade.research.sweep")


@dataclass(frozen=True, slots=True)
class Plan:
    """A validated sweep: what to run, on which data, and where the rows go."""

    sources: Mapping[str, Source]
    strategy: type[Strategy]
    combos: list[dict[str, Any]]
    skipped: int
    columns: list[str]
    config: BacktestConfig
    checks: CheckFields
    chunk_size: int
    executor: str
    pool: Pool
    workers: int
    max_workers: int | None
    output: Path | None
    collect: bool
    window: Any = None
    keep_returns: bool = False
    #: Per-symbol configs (a ``periods_per_year`` override); the others use ``config``.
    symbol_configs: Mapping[str, BacktestConfig] = field(default_factory=dict)

    def config_of(self, symbol: str) -> BacktestConfig:
        """The backtest config of ``symbol``'s chunks."""
        return self.symbol_configs.get(symbol, self.config)


def _keys(plan: Plan) -> tuple[dict[str, str], dict[str, Any]]:
    """Each symbol's chunk hash, and the IPC payloads Ray needs for frames."""
    frames = {s: v for s, v in plan.sources.items() if isinstance(v, pl.DataFrame)}
    payloads = {}
    if frames and (plan.output is not None or plan.executor == "ray"):
        payloads = {s: encode_frame(f) for s, f in frames.items()}
    if plan.output is None and not payloads:
        return dict.fromkeys(plan.sources, "-"), payloads
    inputs = {
        "peak_trade": __version__,  # chunks of another version are not reused
        "strategy": f"{plan.strategy.__module__}.{plan.strategy.__qualname__}",
        "name": plan.strategy.name,
        "combos": plan.combos,
        "columns": plan.columns,
        "config": plan.config.to_dict(),
        "chunk_size": plan.chunk_size,
        "invariants": plan.checks.as_dict(),
        **({} if plan.window is None else {"window": [str(b) for b in plan.window]}),
    }
    keys = {}
    for symbol, value in plan.sources.items():
        data = value.fingerprint if isinstance(value, SymbolRef) else fingerprint(payloads[symbol])
        own = {**inputs, "config": plan.config_of(symbol).to_dict()}
        keys[symbol] = symbol_hash(own, symbol, data)
    return keys, payloads if plan.executor == "ray" else {}


def _run_local(plan: Plan, todo: Sequence[ChunkTask], done: Collector) -> None:
    if plan.workers == 1 or len(todo) <= 1:
        run_inline(plan.sources, todo, threads=plan.workers, done=done)
        return
    if plan.pool == "threads" and threads_are_safe():
        run_threads(plan.sources, todo, max_workers=plan.workers, done=done)
        return
    with tempfile.TemporaryDirectory(prefix="peak_trade-sweep-") as tmp:
        needed = {t.symbol for t in todo}
        refs: dict[str, SymbolRef] = {}
        for i, (symbol, value) in enumerate(plan.sources.items()):
            if symbol not in needed:
                continue
            if isinstance(value, SymbolRef):
                refs[symbol] = value
            else:  # a frame: one IPC file that the workers map
                path = atomic_write(value, Path(tmp) / f"{i:05d}.arrow")
                refs[symbol] = SymbolRef(symbol, str(path), symbol, "-", verify=False)
        run_processes(refs, todo, max_workers=plan.workers, done=done)


def _report_violations(frame: pl.LazyFrame, params: Sequence[str]) -> None:
    """Warn mode: one ``sweep.invariant_violated`` warning per invariant, over all rows.

    Emitted in the calling process, so it also covers rows computed by worker
    processes or Ray tasks (whose own ``invariant.violated`` logs stay there).
    Only the violating rows are materialised.
    """
    name, bar = VIOLATION_COLUMNS
    if not _log.isEnabledFor(logging.WARNING):
        return
    bad = frame.filter(pl.col(name).is_not_null()).collect()
    if bad.is_empty():
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


def execute(
    plan: Plan, *, progress: Progress | None, clock: Callable[[], float]
) -> pl.DataFrame | SweepSummary:
    """Run a validated plan: the collected frame, or a summary when not collecting."""
    keys, payloads = _keys(plan)
    tasks = plan_chunks(
        list(plan.sources), plan.combos, chunk_size=plan.chunk_size, strategy=plan.strategy,
        config=plan.config, columns=plan.columns, keys=keys, checks=plan.checks,
    )  # fmt: skip
    if plan.window is not None:
        tasks = [replace(t, window=plan.window) for t in tasks]
    if plan.symbol_configs:
        tasks = [replace(t, config=plan.config_of(t.symbol)) for t in tasks]
    out = plan.output
    found = load_done(out, tasks, keep=plan.collect) if out is not None else {}
    todo = [t for t in tasks if t.order not in found]
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "sweep.start",
            extra={"symbols": len(plan.sources), "combos": len(plan.combos),
                   "skipped": plan.skipped, "chunks": len(tasks), "resumed": len(found),
                   "executor": plan.executor, "max_workers": plan.workers,
                   "invariants": plan.checks.mode, "collect": plan.collect},
        )  # fmt: skip
    done = Collector(out, tasks, list(found), keep=plan.collect, progress=progress, clock=clock)
    if todo and plan.executor == "ray":
        from peak_trade.research._ray import run_ray

        needed = {t.symbol for t in todo}
        mine = {s: payloads.get(s, v) for s, v in plan.sources.items() if s in needed}
        run_ray(mine, todo, max_workers=plan.max_workers, done=done)
    elif todo:
        _run_local(plan, todo, done)
    seconds = done.elapsed()
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "sweep.done",
            extra={"chunks": len(tasks), "computed": len(todo), "rows": done.rows,
                   "seconds": seconds, "retried": done.retried,
                   "failed_symbols": len(done.failures)},
        )  # fmt: skip
    done.raise_failures(list(plan.sources))
    if plan.keep_returns and out is not None:  # the front door checked: frames only
        frames = {s: v for s, v in plan.sources.items() if isinstance(v, pl.DataFrame)}
        write_returns(frames, tasks, out, window=plan.window)
    if not plan.collect:
        assert out is not None  # checked by the front door
        if plan.checks.mode == "warn" and tasks:
            names = [str(out / chunk_name(t.symbol, t.index, t.key)) for t in tasks]
            _report_violations(pl.scan_parquet(names), plan.columns)
        return SweepSummary(done.rows, len(tasks), len(todo), seconds, out, done.retried)
    if not tasks:  # every combination was skipped: an empty frame of the right schema
        symbol, first = next(iter(plan.sources.items()))
        probe = ChunkTask(
            symbol, 0, 0, 0, (), plan.strategy, plan.config, tuple(plan.columns), "-", plan.checks
        )
        return compute_chunk(frame_of(first), probe)
    parts = {**found, **done.frames}
    result = pl.concat([parts[t.order] for t in tasks], how="vertical", rechunk=True)
    if plan.checks.mode == "warn":
        _report_violations(result.lazy(), plan.columns)
    return result


def no_output_error() -> ConfigError:
    """``collect=False`` without ``output``: the rows would go nowhere."""
    msg = "sweep: `collect=False` needs `output=DIR`: the rows are written there, not returned"
    return ConfigError(
        msg, hint='pass output="runs/my-sweep", or collect=True', context={"option": "collect"}
    )
