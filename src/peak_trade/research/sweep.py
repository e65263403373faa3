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

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args, overload

import polars as pl

from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.engine import strategy_class
from peak_trade.backtest.grid import InvalidCombos, expand_grid
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core._frames import short_repr
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError
from peak_trade.data.cache import OhlcvCache
from peak_trade.research._chunks import CheckFields
from peak_trade.research._collect import Progress, SweepProgress, SweepSummary
from peak_trade.research._driver import Plan, execute, no_output_error
from peak_trade.research._load import load_frames
from peak_trade.research._local import Pool
from peak_trade.research._refs import SymbolRef, is_reference, resolve_refs
from peak_trade.research._sweep_extras import check_extras, symbol_configs

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Executor",
    "Pool",
    "Progress",
    "SweepProgress",
    "SweepSummary",
    "sweep",
]

Executor = Literal["local", "ray"]
_EXECUTORS: tuple[str, ...] = get_args(Executor)
_POOLS: tuple[str, ...] = get_args(Pool)
_DEFAULT = BacktestConfig()
_STRICT = InvariantConfig()
#: Combinations per chunk: the unit of scheduling, of resume and of one output file.
DEFAULT_CHUNK_SIZE = 256
#: What ``sweep`` takes as data: frames, paths/URIs, symbols with ``source``, or a cache.
Data = Mapping[str, Any] | Sequence[str] | OhlcvCache


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


def _references(data: Any) -> bool:
    """True for a non-empty ``{symbol: path}`` mapping (every value a path or URI)."""
    if not isinstance(data, Mapping) or not data:
        return False
    kinds = {is_reference(v) for v in data.values()}
    if kinds == {True, False}:
        msg = "`data` mixes frames and paths; pass all frames or all paths"
        raise ConfigError(msg, hint="load the frames, or pass every symbol as a path")
    return kinds == {True}


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


@overload
def sweep(
    data: Data,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    config: ConfigLike = ...,
    executor: Executor = ...,
    max_workers: int | None = ...,
    output: str | os.PathLike[str] | None = ...,
    source: Any = ...,
    symbols: Sequence[Any] | None = ...,
    timeframe: str = ...,
    pool: Pool = ...,
    chunk_size: int | None = ...,
    invalid: InvalidCombos = ...,
    invariants: InvariantConfig = ...,
    progress: Progress | None = ...,
    clock: Callable[[], float] = ...,
    collect: Literal[True] = ...,
    window: Any = ...,
    keep_returns: bool = ...,
    periods_per_year: Mapping[str, float] | None = ...,
) -> pl.DataFrame: ...


@overload
def sweep(
    data: Data,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    config: ConfigLike = ...,
    executor: Executor = ...,
    max_workers: int | None = ...,
    output: str | os.PathLike[str] | None = ...,
    source: Any = ...,
    symbols: Sequence[Any] | None = ...,
    timeframe: str = ...,
    pool: Pool = ...,
    chunk_size: int | None = ...,
    invalid: InvalidCombos = ...,
    invariants: InvariantConfig = ...,
    progress: Progress | None = ...,
    clock: Callable[[], float] = ...,
    collect: Literal[False],
    window: Any = ...,
    keep_returns: bool = ...,
    periods_per_year: Mapping[str, float] | None = ...,
) -> SweepSummary: ...


@overload
def sweep(
    data: Data,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    config: ConfigLike = ...,
    executor: Executor = ...,
    max_workers: int | None = ...,
    output: str | os.PathLike[str] | None = ...,
    source: Any = ...,
    symbols: Sequence[Any] | None = ...,
    timeframe: str = ...,
    pool: Pool = ...,
    chunk_size: int | None = ...,
    invalid: InvalidCombos = ...,
    invariants: InvariantConfig = ...,
    progress: Progress | None = ...,
    clock: Callable[[], float] = ...,
    collect: bool = ...,
    window: Any = ...,
    keep_returns: bool = ...,
    periods_per_year: Mapping[str, float] | None = ...,
) -> pl.DataFrame | SweepSummary: ...


def sweep(
    data: Data,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    config: ConfigLike = _DEFAULT,
    executor: Executor = "local",
    max_workers: int | None = None,
    output: str | os.PathLike[str] | None = None,
    source: Any = None,
    symbols: Sequence[Any] | None = None,
    timeframe: str = "1h",
    pool: Pool = "threads",
    chunk_size: int | None = None,
    invalid: InvalidCombos = "raise",
    invariants: InvariantConfig = _STRICT,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    collect: bool = True,
    window: Any = None,
    keep_returns: bool = False,
    periods_per_year: Mapping[str, float] | None = None,
) -> pl.DataFrame | SweepSummary:
    """Backtest every combination of ``grid`` on every symbol: one row each.

    Args:
        data: Symbol to OHLCV frame; symbol to a file (a local path, or a URI
            that pyarrow's filesystems open: ``s3://``, ``gs://``, ``file://``);
            an ``OhlcvCache`` with ``symbols=``; or a list of symbols loaded from
            ``source``. With files or a cache the driver reads no bars: each
            worker loads (memory-maps) its own symbols, verifies their checksum
            and contract once, and keeps the last few in an LRU.
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
        symbols: With an ``OhlcvCache``: the keys to sweep (a string key is
            the symbol; a ``(provider, symbol, timeframe)`` key gives its symbol).
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
        collect: True (default) returns the rows as one frame; False (needs
            ``output``) keeps no rows in this process and returns a
            :class:`SweepSummary`; read the rows with ``pl.scan_parquet``.
        window: ``(start, end)`` as for ``run_backtest``, resolved per symbol:
            signals over every bar, stats over the window. Part of the config hash.
        keep_returns: Also write each combination's bar returns to
            ``<output>/returns/`` (Parquet per chunk; needs ``output``), for
            ``sweep_pbo``. They are computed after the sweep, one
            ``run_backtest`` per combination (docs/research.md).
        periods_per_year: Symbol to bars per year, overriding
            ``config.periods_per_year`` (and the inference from the symbol's own
            bars) for those symbols, as ``[data] periods_per_year`` does in
            ``peak-trade run``. Part of the symbol's config hash.

    Returns:
        ``symbol``, the parameters (grid order first), the stats columns, then
        ``periods_per_year`` (the value each row was annualised with; then, in
        warn mode, ``invariant_violation`` and ``invariant_bar``); or, with
        ``collect=False``, the summary.

    Raises:
        ConfigError: Bad option, grid, strategy, symbol list or signal; or
            ``output`` holds another sweep's chunks.
        DataContractError: A symbol's data breaks the OHLCV contract
            (``context["symbol"]`` names it).
        CacheCorruptionError: A referenced file fails its checksum or cannot
            be decoded (``context`` holds ``key``, ``symbol`` and
            ``failed_symbols``); raised after the other symbols finished.
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
    if not isinstance(collect, bool):
        raise _option_error("collect", "True or False", collect, "e.g. collect=False")
    if not collect and output is None:
        raise no_output_error()
    checks = _check_invariants(invariants)
    cls = strategy_class(strategy)
    combos, skipped = expand_grid(strategy, grid, invalid=invalid)
    columns = [*grid, *(s.name for s in cls.param_specs if s.name not in grid)]
    sources: Mapping[str, pl.DataFrame | SymbolRef]
    if isinstance(data, OhlcvCache) or (isinstance(data, Mapping) and _references(data)):
        if source is not None:
            msg = "`source` was given with data by reference"
            raise ConfigError(msg, hint="drop `source`: the workers read the files themselves")
        sources = {r.symbol: r for r in resolve_refs(data, symbols=symbols)}
    else:
        if symbols is not None:
            msg = "`symbols` goes with an OhlcvCache"
            raise ConfigError(msg, hint="drop `symbols`, or pass an OhlcvCache")
        sources = load_frames(data, source=source, timeframe=timeframe)
    frames = {s: v for s, v in sources.items() if isinstance(v, pl.DataFrame)}
    if keep_returns and len(frames) < len(sources):
        msg = "`keep_returns=True` needs the bars in memory: pass {symbol: frame}"
        raise ConfigError(msg, hint="drop keep_returns, or load the frames with pt.read_ohlcv")
    check_extras(frames, window=window, keep_returns=keep_returns, output=output)
    own = symbol_configs(config, periods_per_year, list(sources))
    plan = Plan(
        sources, cls, combos, len(skipped), columns, config, checks, size, executor, pool,
        workers, max_workers, None if output is None else Path(output), collect,
        window, keep_returns, own,
    )  # fmt: skip
    return execute(plan, progress=progress, clock=clock)
