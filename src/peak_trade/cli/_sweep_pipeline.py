"""``peak-trade sweep``: the ``[sweep]`` grid over every symbol, into a run directory.

Data goes through the same fetch, normalise, validate and cache steps as a run;
the grid runs through :func:`peak_trade.research.sweep.sweep` with the
``[invariants]`` section (warn mode adds the ``invariant_violation`` and
``invariant_bar`` columns); the result is
written as ``sweep.parquet`` (and, with a ``[walk_forward]`` section, the folds
as ``walk_forward.parquet``) into ``<output_dir>/<run_id>.partial/`` with
``config.toml``, ``repro.json``, ``log.jsonl`` and the ``_COMPLETE`` marker, then
renamed like a run (docs/cli.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import polars as pl

from peak_trade.cli._commands_report import write_report
from peak_trade.cli._pipeline import backtest_config, invariant_config, log_file
from peak_trade.cli._pipeline_data import build_cache, build_provider, load_symbol
from peak_trade.cli._run_files import finish_run, start_run, write_frame
from peak_trade.cli._walk_forward_step import write_walk_forward
from peak_trade.core._atomic import write_text_atomic
from peak_trade.core.config_schema import Config
from peak_trade.core.errors import ConfigError
from peak_trade.core.logging import run_context
from peak_trade.core.repro import ReproContext, set_global_seed
from peak_trade.research.sweep import SweepProgress, sweep

__all__ = ["SweepOutcome", "run_sweep"]

_log = logging.getLogger(__name__)


class SweepOutcome:
    """A finished sweep: its run directory and the full result frame."""

    __slots__ = ("frame", "report", "run_dir")

    def __init__(self, run_dir: Path, frame: pl.DataFrame, report: bool = False) -> None:
        self.run_dir = run_dir
        self.frame = frame
        self.report = report  # report.html written (the `report` extra is installed)


def run_sweep(
    config: Config,
    /,
    *,
    output_dir: Path | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SweepOutcome:
    """Run ``config.sweep`` and return the complete run directory and the result.

    Raises:
        ConfigError: The config has no ``[sweep]`` section, or a bad grid.
        PeakTradeError: Any step failed (the ``.partial`` directory stays).

    Example:
        >>> run_sweep(load_run_config("sweep.toml")).frame.height  # doctest: +SKIP
    """
    spec = config.sweep
    if spec is None:
        msg = "the config has no [sweep] section"
        hint = 'add [sweep] with strategy = "..." and a grid table (docs/config.md)'
        raise ConfigError(msg, hint=hint)
    set_global_seed(config.run.seed)
    ctx = ReproContext.create(seed=config.run.seed, config_dict=config.to_dict())
    root = Path(config.run.output_dir) if output_dir is None else output_dir
    partial = start_run(root, ctx.run_id)

    with log_file(partial / "log.jsonl", config.logging.level), run_context(run_id=ctx.run_id):
        _log.info("run.start", extra={"seed": config.run.seed, "config_hash": ctx.config_hash})
        provider, cache = build_provider(config), build_cache(config)
        frames = {}
        for symbol in config.data.symbols:
            with run_context(symbol=symbol):
                frames[symbol] = load_symbol(config, provider, cache, symbol)
        grid = {name: list(values) for name, values in spec.grid.items()}
        frame = sweep(
            frames,
            spec.strategy,
            grid,
            config=backtest_config(config),
            executor=spec.executor,
            max_workers=spec.max_workers,
            chunk_size=spec.chunk_size,
            invalid=spec.invalid,
            invariants=invariant_config(config),
            progress=progress,
            periods_per_year=config.data.periods_per_year,
        )
        write_frame(frame, partial / "sweep.parquet")
        if config.walk_forward is not None:
            write_walk_forward(config, frames, grid, partial / "walk_forward.parquet")
        write_text_atomic(partial / "config.toml", config.to_toml())
        ctx.save(partial / "repro.json")
        reported = write_report(partial)
        _log.info("run.done", extra={"rows": frame.height})
    return SweepOutcome(finish_run(partial, root / ctx.run_id), frame, reported)
