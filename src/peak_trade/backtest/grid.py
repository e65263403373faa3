"""run_grid: many parameter combinations of one strategy through one parallel kernel.

Each combination is simulated by the same ``simulate_nb`` and summarised by the
same ``stats_nb`` as :func:`~peak_trade.backtest.engine.run_backtest`, so a row of
the grid equals that combination's ``run_backtest(...).stats`` bit for bit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numba
import numpy as np
import polars as pl

from peak_trade.backtest import invariants as inv
from peak_trade.backtest._inputs import MarketArrays, build_inputs, prepare_market
from peak_trade.backtest._nb.grid import grid_nb
from peak_trade.backtest._nb.records import GridOut
from peak_trade.backtest._nb.stats import N_STATS
from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.engine import signal_error, strategy_class
from peak_trade.backtest.expand import _SHOWN, Combo, InvalidCombos, expand_grid
from peak_trade.backtest.stats import INT_STATS, STAT_NAMES
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.backtest.window import window_market
from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError
from peak_trade.core.repro import ReproContext

__all__ = ["VIOLATION_COLUMNS", "InvalidCombos", "expand_grid", "run_combos", "run_grid"]

_log = logging.getLogger(__name__)
_DEFAULT = BacktestConfig()
_STRICT = inv.InvariantConfig()
_Floats = np.ndarray[Any, np.dtype[np.float64]]
_Ints = np.ndarray[Any, np.dtype[np.int64]]
#: ``run_combos(violations=True)``: each row's first violated invariant (by bar) and its bar.
VIOLATION_COLUMNS: dict[str, pl.DataType] = {
    "invariant_violation": pl.String(),
    "invariant_bar": pl.Int64(),
}
#: Signals held in memory at once (float64 values, 256 MB): bounds a batch of combinations.
_BATCH_VALUES = 1 << 25


def _param_columns(
    cls: type[Strategy], combos: Sequence[Combo], order: list[str]
) -> list[pl.Series]:
    kinds = {s.name: s.kind for s in cls.param_specs}
    return [
        pl.Series(
            name, [c[name] for c in combos], dtype=pl.Int64 if kinds[name] is int else pl.Float64
        )
        for name in order
    ]


def _grid_invariants(invariants: Any) -> inv.InvariantConfig:
    if not isinstance(invariants, inv.InvariantConfig):
        msg = f"`invariants` must be an InvariantConfig; got {type(invariants).__name__}"
        raise ConfigError(msg, hint='e.g. invariants=InvariantConfig(mode="warn")')
    if invariants.has_user_checks:
        msg = "a grid runs the built-in invariants only; user checks were given"
        raise ConfigError(
            msg,
            hint="run the combination with run_backtest to apply bar_checks/frame_checks",
            context={
                "bar_checks": list(invariants.bar_checks),
                "frame_checks": list(invariants.frame_checks),
            },
        )
    return invariants


def _grid_violations(
    market: MarketArrays,
    combos: Sequence[Combo],
    codes: np.ndarray[Any, np.dtype[np.int64]],
    bars: np.ndarray[Any, np.dtype[np.int64]],
    vals: np.ndarray[Any, np.dtype[np.float64]],
    checks: inv.InvariantConfig,
    repro: ReproContext | None,
) -> None:
    """Strict: raise for the first violating combination. Warn: one log per invariant."""
    bad = np.flatnonzero(codes)
    if not bad.size:
        return
    ts = market.frame.get_column("timestamp")
    first = {}
    for j in bad.tolist():
        v = inv.one_violation(int(codes[j]), int(bars[j]), vals[j], ts)
        if v.name not in first:
            first[v.name] = (j, v)
    if checks.mode == "strict":
        j, v = first[inv.INVARIANT_NAMES[int(codes[bad[0]]) - 1]]
        raise inv.invariant_error(
            v, repro=repro, where=f"the grid combination {combos[j]!r}", extra={"params": combos[j]}
        )
    names = [inv.INVARIANT_NAMES[int(c) - 1] for c in codes[bad]]
    for name, (j, v) in first.items():
        inv.report(
            [v],
            checks,
            repro=repro,
            where="a grid",
            extra={"params": combos[j], "combos": names.count(name)},
        )


def _batch_stats(
    market: MarketArrays,
    cls: type[Strategy],
    combos: Sequence[Combo],
    config: BacktestConfig,
    checks: inv.InvariantConfig = _STRICT,
    repro: ReproContext | None = None,
    warmup: tuple[pl.DataFrame, int] | None = None,
) -> tuple[
    np.ndarray[Any, np.dtype[np.float64]],
    np.ndarray[Any, np.dtype[np.int64]],
    np.ndarray[Any, np.dtype[np.int64]],
]:
    """Stats of each combination, and its first violated invariant's code (0: none) and bar.

    ``warmup``: (the whole frame, the window's first bar) when ``market`` is a window.
    """
    if warmup is None:
        signals = np.asfortranarray(cls.signal_matrix(market.frame, combos), dtype=np.float64)
    else:
        whole, lo = warmup
        rows = slice(lo, lo + market.frame.height)
        signals = np.asfortranarray(cls.signal_matrix(whole, combos)[rows], dtype=np.float64)
    m = len(combos)
    if signals.shape != (market.frame.height, m):
        expected = (market.frame.height, m)
        msg = f"`{cls.name}.signal_matrix` returned shape {signals.shape}; expected {expected}"
        raise ConfigError(msg, hint="return one column per combination, one row per bar")
    out = GridOut(
        np.empty((m, N_STATS)),
        np.zeros(m, dtype=np.int64),
        np.zeros(m, dtype=np.int64),
        np.zeros(m),
        np.zeros(m, dtype=np.int64),
        np.zeros(m, dtype=np.int64),
        np.zeros((m, 3)),
    )
    inputs = build_inputs(market, config, checks)
    n_chunks = max(1, min(m, 4 * numba.get_num_threads()))
    grid_nb(
        inputs.market, inputs.settings, inputs.per_bar, inputs.checks, signals,
        config.allow_short, market.periods_per_year, market.years, n_chunks, out,
    )  # fmt: skip
    stats, status, index, value, codes, bars, vals = out
    bad = np.flatnonzero(status)
    if bad.size:
        j = int(bad[0])
        ts = market.frame.get_column("timestamp")
        raise signal_error(
            int(status[j]), int(index[j]), float(value[j]), ts, where=f"the signal of {combos[j]!r}"
        )
    _grid_violations(market, combos, codes, bars, vals, checks, repro)
    return stats, codes, bars


def _violation_columns(codes: _Ints, bars: _Ints) -> list[pl.Series]:
    names = [inv.INVARIANT_NAMES[c - 1] if c else None for c in codes.tolist()]
    at = [b if c else None for c, b in zip(codes.tolist(), bars.tolist(), strict=True)]
    name, bar = VIOLATION_COLUMNS
    return [
        pl.Series(name, names, dtype=VIOLATION_COLUMNS[name]),
        pl.Series(bar, at, dtype=VIOLATION_COLUMNS[bar]),
    ]


def run_combos(
    data: Any,
    strategy: Any,
    combos: Sequence[Mapping[str, Any]],
    /,
    *,
    config: ConfigLike = _DEFAULT,
    columns: Sequence[str] | None = None,
    invariants: inv.InvariantConfig = _STRICT,
    repro: ReproContext | None = None,
    violations: bool = False,
    window: Any = None,
) -> pl.DataFrame:
    """Backtest an explicit list of parameter combinations; one row each, in order.

    ``columns`` orders the parameter columns (default: the strategy's declaration
    order). ``invariants``, ``repro`` and ``window`` are as for :func:`run_grid`. With
    ``violations=True`` the :data:`VIOLATION_COLUMNS` follow the stats: the name
    of each row's first violated invariant (by bar; ties in check order) and its
    bar, both null for a clean row or with invariants off.

    Example:
        >>> run_combos(df, "ma_crossover", [{"fast": 5, "slow": 20}])  # doctest: +SKIP
    """
    started = time.perf_counter()
    config = as_backtest_config(config)
    checks = _grid_invariants(invariants)
    cls = strategy_class(strategy)
    listed = isinstance(combos, Sequence) and not isinstance(combos, str | bytes)
    if not listed or not all(isinstance(c, Mapping) for c in combos):
        msg = f"`combos` must be a list of parameter dicts; got {short_repr(combos)}"
        raise ConfigError(msg, hint='e.g. [{"fast": 5, "slow": 20}]')
    resolved = [cls.resolve_params(c) for c in combos]
    market = prepare_market(data, config=config)
    warmup = None
    if window is not None:
        warmup, market = window_market(market, window, config=config)
    order = list(columns) if columns is not None else [s.name for s in cls.param_specs]
    clash = sorted(set(order) & {*STAT_NAMES, "periods_per_year"})
    if clash:
        msg = f"parameters {clash} of `{cls.name}` clash with stat names"
        raise ConfigError(msg, hint="rename the parameters", context={"clash": clash})
    batch = max(1, _BATCH_VALUES // max(1, market.frame.height))
    parts = [
        _batch_stats(market, cls, resolved[lo : lo + batch], config, checks, repro, warmup)
        for lo in range(0, len(resolved), batch)
    ]
    stats = np.concatenate([p[0] for p in parts]) if parts else np.empty((0, N_STATS))
    stat_columns = [
        pl.Series(name, stats[:, j]).cast(pl.Int64 if name in INT_STATS else pl.Float64)
        for j, name in enumerate(STAT_NAMES)
    ]
    # The annualisation actually used, as in run_backtest's stats (docs/backtest.md).
    stat_columns.append(
        pl.Series("periods_per_year", np.full(len(resolved), market.periods_per_year))
    )
    if violations:
        empty = np.empty(0, dtype=np.int64)
        codes = np.concatenate([p[1] for p in parts]) if parts else empty
        bars = np.concatenate([p[2] for p in parts]) if parts else empty
        stat_columns += _violation_columns(codes, bars)
    frame = pl.DataFrame([*_param_columns(cls, resolved, order), *stat_columns])
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "grid.run",
            extra={
                "strategy": cls.name,
                "combos": len(resolved),
                "bars": market.frame.height,
                "seconds": time.perf_counter() - started,
            },
        )
    return frame


def run_grid(
    data: Any,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    config: ConfigLike = _DEFAULT,
    invalid: InvalidCombos = "raise",
    invariants: inv.InvariantConfig = _STRICT,
    repro: ReproContext | None = None,
    window: Any = None,
) -> pl.DataFrame:
    """Backtest every combination of ``grid``: one row of parameters and stats each.

    Args:
        data: Canonical OHLCV, as for ``run_backtest``.
        strategy: A registered name, a ``Strategy`` subclass, or an instance (whose
            parameters fill the names the grid leaves out).
        grid: Parameter name to the values to try; see :func:`expand_grid` for the
            row order.
        config: Costs, sizing and fill timing, shared by every combination: a
            ``BacktestConfig`` or a mapping of its fields.
        invalid: What to do with combinations that break a cross-parameter rule:
            ``"raise"`` (default) or ``"skip"`` (dropped, counted in a
            ``grid.skipped`` warning log event).
        invariants: The built-in accounting invariants, checked per combination
            inside the kernel (strict by default; docs/invariants.md). Strict
            raises for the first violating combination, with its parameters in
            the error's context; warn logs one ``invariant.violated`` per invariant
            (first combination, number of combinations) and keeps the stats.
            Extension checks are not supported here (ConfigError).
        repro: The run's reproducibility context, for the error's context.
        window: ``(start, end)`` as for ``run_backtest``: signals over every bar,
            trading and stats over ``[start, end)`` only, starting flat.

    Returns:
        The grid's parameters (grid order, then the other parameters), then the
        stats columns of ``STAT_NAMES``, then ``periods_per_year`` (the value
        the annualised stats used, as in ``run_backtest``'s stats).

    Raises:
        ConfigError: Bad grid, strategy, parameter, signal or invariant config.
        BacktestInvariantError: A combination broke an invariant, in strict mode.
        DataContractError: ``data`` breaks the OHLCV contract.

    Example:
        >>> run_grid(df, "ma_crossover", {"fast": [5, 10], "slow": [50, 100]})  # doctest: +SKIP
    """
    config = as_backtest_config(config)
    combos, skipped = expand_grid(strategy, grid, invalid=invalid)
    if skipped:
        _log.warning(
            "grid.skipped",
            extra={"skipped": len(skipped), "kept": len(combos), "first": skipped[:_SHOWN]},
        )
    cls = strategy_class(strategy)
    order = [*grid, *(s.name for s in cls.param_specs if s.name not in grid)]
    return run_combos(
        data, cls, combos, config=config, columns=order, invariants=invariants, repro=repro,
        window=window,
    )  # fmt: skip
