"""The run pipeline as a library function: config in, complete run directory out.

Steps, each logged with the run's ids (``run.*`` events): seed and
``ReproContext``; per symbol fetch, normalise, validate, cache (see
:mod:`peak_trade.cli._pipeline_data`); per symbol and strategy backtest with
invariants (``[invariants]``; each row of ``stats.json`` lists its ``violations``, empty
unless warn mode found some) and stats; results written into
``<output_dir>/<run_id>.partial/``, the completion marker last, then the directory
renamed to ``<run_id>/``.
Nothing here prints; the caller draws progress and the summary.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.backtest.plugins import import_strategy, is_import_path, load_plugins
from peak_trade.backtest.registry import list_strategies
from peak_trade.backtest.stats import extended_stats, infer_periods_per_year
from peak_trade.backtest.stats_json import strict_stats
from peak_trade.backtest.violations_json import violation_records
from peak_trade.cli._commands_report import write_report
from peak_trade.cli._pipeline_data import build_cache, build_provider, load_symbol
from peak_trade.cli._run_files import finish_run, start_run, write_frame, write_json
from peak_trade.core._atomic import write_text_atomic
from peak_trade.core.config_schema import Config
from peak_trade.core.logging import JsonFormatter, run_context
from peak_trade.core.repro import ReproContext, set_global_seed

__all__ = [
    "RunOutcome",
    "backtest_config",
    "invariant_config",
    "load_run_config",
    "log_file",
    "registry_params",
    "run_pipeline",
    "symbol_periods_per_year",
]

_log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """A finished run: its directory, its id and one stats row per symbol and strategy."""

    run_dir: Path
    run_id: str
    rows: tuple[dict[str, Any], ...]
    report: bool = False  # report.html written (the `report` extra is installed)


class _Declared(Mapping[str, Sequence[Any]]):
    """Declared parameters by name; a ``module:Class`` name is imported when asked for."""

    def __init__(self) -> None:
        load_plugins()
        self._known = {info.name: info.params for info in list_strategies()}

    def __getitem__(self, name: str) -> Sequence[Any]:
        if name not in self._known and is_import_path(name):
            self._known[name] = import_strategy(name).param_specs
        return self._known[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and name not in self._known and is_import_path(name):
            self[name]  # imports it, or raises a ConfigError naming it
        return name in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def registry_params() -> Mapping[str, Sequence[Any]]:
    """Declared parameters by strategy name, for ``load_config(..., strategies=...)``:
    the registry after loading the installed plugins; ``module:Class`` names are
    imported on lookup.

    Example:
        >>> sorted(registry_params())[:1]  # doctest: +SKIP
        ['bollinger_reversion']
    """
    return _Declared()


def load_run_config(path: str | Path, /) -> Config:
    """Load a config with every check a run makes on config grounds (``_run_config``).

    Example:
        >>> load_run_config(quickstart_path()).run.name  # doctest: +SKIP
        'quickstart'
    """
    from peak_trade.cli._run_config import load_config  # it imports this module

    return load_config(path)


@contextmanager
def log_file(path: Path, level: str) -> Iterator[None]:
    """Send ``peak_trade.*`` records as JSON lines to ``path`` while inside."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    logger = logging.getLogger("peak_trade")
    old_level = logger.level
    logger.addHandler(handler)
    number = logging.getLevelNamesMapping()[level]
    if old_level == logging.NOTSET or old_level > number:
        logger.setLevel(number)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()


def backtest_config(config: Config) -> BacktestConfig:
    """The ``[backtest]`` section as the engine's ``BacktestConfig``.

    Example:
        >>> backtest_config(load_run_config(quickstart_path())).fee_bps  # doctest: +SKIP
        10.0
    """
    return BacktestConfig(**config.backtest.model_dump())


def invariant_config(config: Config) -> InvariantConfig:
    """The ``[invariants]`` section as the engine's ``InvariantConfig``.

    An unset ``max_leverage`` stays None: the engine derives it from
    ``[backtest]`` (1 long-only, unbounded with shorts; docs/invariants.md).

    Example:
        >>> invariant_config(load_run_config(quickstart_path())).mode  # doctest: +SKIP
        'strict'
    """
    return InvariantConfig(**config.invariants.model_dump())


def symbol_periods_per_year(config: Config, symbol: str, df: pl.DataFrame) -> float | None:
    """Bars per year for ``symbol``: ``[data].periods_per_year[symbol]``, else
    ``[backtest].periods_per_year``, else inferred from its own bars (docs/backtest.md);
    None when it cannot be inferred (fewer than 2 bars).

    Example:
        >>> symbol_periods_per_year(config, "AAPL", bars)  # doctest: +SKIP
        252.0
    """
    mapping = config.data.periods_per_year or {}
    if symbol in mapping:
        return float(mapping[symbol])
    if config.backtest.periods_per_year is not None:
        return float(config.backtest.periods_per_year)
    inferred = infer_periods_per_year(df.get_column("timestamp"))
    return None if math.isnan(inferred) else inferred


def _results(
    config: Config, frames: Mapping[str, pl.DataFrame], progress: Progress | None
) -> tuple[list[pl.DataFrame], list[pl.DataFrame], list[dict[str, Any]]]:
    bt = backtest_config(config)
    invariants = invariant_config(config)
    equities, trades, rows = [], [], []
    for symbol, df in frames.items():
        ppy = symbol_periods_per_year(config, symbol, df)
        bt = dataclasses.replace(bt, periods_per_year=ppy)
        for strategy in config.strategies:
            with run_context(symbol=symbol, strategy=strategy.key):
                started = time.perf_counter()
                result = run_backtest(
                    df, strategy.name, strategy.params, config=bt, invariants=invariants
                )
                _log.info(
                    "run.backtest",
                    extra={"bars": df.height, "seconds": time.perf_counter() - started},
                )
                _log.info("run.stats", extra=dict(result.stats))
            tag = [pl.lit(symbol).alias("symbol"), pl.lit(strategy.key).alias("strategy")]
            equities.append(result.equity.select(*tag, pl.all()))
            trades.append(result.trades.select(*tag, pl.all()))
            params = result.params if result.params is not None else dict(strategy.params)
            rows.append(
                {"symbol": symbol, "strategy": strategy.key, "params": params}
                | extended_stats(result)
                | {"periods_per_year": ppy, "violations": violation_records(result.violations)}
            )
            if progress is not None:
                progress(f"{symbol} {strategy.key}")
    return equities, trades, rows


def _write(run_dir: Path, config: Config, ctx: ReproContext, results: Any) -> None:
    equities, trades, rows = results
    write_frame(pl.concat(equities, how="vertical"), run_dir / "equity.arrow")
    write_frame(pl.concat(trades, how="vertical"), run_dir / "trades.parquet")
    strict = [strict_stats(row) for row in rows]
    write_json({"name": config.run.name, "results": strict}, run_dir / "stats.json")
    write_text_atomic(run_dir / "config.toml", config.to_toml())
    ctx.save(run_dir / "repro.json")
    _log.info("run.write", extra={"path": str(run_dir), "results": len(rows)})


def run_pipeline(
    config: Config,
    /,
    *,
    output_dir: Path | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Run ``config`` end to end and return the complete run directory.

    Args:
        config: A validated config (see :func:`load_run_config`).
        output_dir: Where the run directory goes; ``run.output_dir`` (relative to
            the working directory) when None.
        progress: Called with a label after each symbol x strategy backtest.

    Raises:
        PeakTradeError: Any step failed; the ``<run_id>.partial`` directory with
            its ``log.jsonl`` stays behind for inspection, never renamed.

    Example:
        >>> run_pipeline(load_run_config(quickstart_path())).run_dir  # doctest: +SKIP
    """
    set_global_seed(config.run.seed)
    ctx = ReproContext.create(seed=config.run.seed, config_dict=config.to_dict())
    root = Path(config.run.output_dir) if output_dir is None else output_dir
    partial = start_run(root, ctx.run_id)
    with log_file(partial / "log.jsonl", config.logging.level), run_context(run_id=ctx.run_id):
        _log.info(
            "run.start",
            extra={"seed": config.run.seed, "config_hash": ctx.config_hash, "path": str(partial)},
        )
        provider = build_provider(config)
        cache = build_cache(config)
        frames: dict[str, pl.DataFrame] = {}
        for symbol in config.data.symbols:
            with run_context(symbol=symbol):
                frames[symbol] = load_symbol(config, provider, cache, symbol)
        results = _results(config, frames, progress)
        _write(partial, config, ctx, results)
        reported = write_report(partial)
        _log.info("run.done", extra={"results": len(results[2])})
    run_dir = finish_run(partial, root / ctx.run_id)
    return RunOutcome(run_dir, ctx.run_id, tuple(results[2]), reported)
