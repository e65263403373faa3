"""One config check for the library and the CLI: everything a run checks on config grounds.

``peak_trade.load_config`` and ``validate_config`` (the front door), and the
``validate-config``, ``run`` and ``sweep`` commands all load configs here. On top of
the core schema this checks, in the same one ``ConfigError``:

- strategy names and parameters against the registry (names, types, ranges);
- each strategy's cross-parameter rules (``fast < slow``), by the strategy itself;
- the engine settings, the provider and the cache, built from the config exactly as
  a run builds them (no data is fetched, nothing is written);
- the ``[sweep]`` grid and ranking options, as ``peak-trade sweep`` uses them.

So a config that passes here cannot fail a run on config grounds. The checks live in
this layer because it is the one that knows the registry, the providers and the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from os import PathLike
from typing import Any

from peak_trade.backtest.grid import expand_grid
from peak_trade.backtest.registry import get_strategy_class
from peak_trade.cli._pipeline import backtest_config, invariant_config, registry_params
from peak_trade.cli._pipeline_data import build_cache, build_provider
from peak_trade.core import config_schema as schema
from peak_trade.core._config_issues import Loc
from peak_trade.core.config_schema import Config, ConfigCheck
from peak_trade.core.errors import ConfigError
from peak_trade.research.ranking import _check as check_ranking

__all__ = ["RUN_CHECKS", "load_config", "strategy_rule", "validate_config"]


def _problem(exc: ConfigError) -> str:
    """The refusal as one problem line: its message, then its hint in parentheses."""
    return exc.message if not exc.hint else f"{exc.message} ({exc.hint})"


def strategy_rule(name: str, params: Mapping[str, Any]) -> list[str]:
    """The strategy's own verdict on ``params`` (cross-parameter rules included).

    Example:
        >>> strategy_rule("ma_crossover", {"fast": 10, "slow": 5})  # doctest: +SKIP
        ['`ma_crossover` needs fast < slow; got fast=10, slow=5 (...)']
    """
    try:
        get_strategy_class(name).resolve_params(params)
    except ConfigError as exc:
        return [_problem(exc)]
    return []


_BUILDERS: tuple[tuple[Loc, Callable[[Config], object]], ...] = (
    (("backtest",), backtest_config),
    (("invariants",), invariant_config),
    (("data",), build_provider),
    (("cache",), build_cache),
)


def _builds(config: Config) -> Iterator[tuple[Loc, str]]:
    """Build every object a run builds from the config; report what refuses."""
    for loc, build in _BUILDERS:
        try:
            build(config)
        except ConfigError as exc:
            yield loc, _problem(exc)


def _sweep(config: Config) -> Iterator[tuple[Loc, str]]:
    """The ``[sweep]`` grid and options, checked as ``peak-trade sweep`` uses them."""
    spec = config.sweep
    if spec is None:
        return
    grid = {name: list(values) for name, values in spec.grid.items()}
    for loc, check in (
        (("sweep", "grid"), lambda: expand_grid(spec.strategy, grid, invalid=spec.invalid)),
        (("sweep", "metric"), lambda: check_ranking(spec.metric, spec.top)),
    ):
        try:
            check()
        except ConfigError as exc:
            yield loc, _problem(exc)


#: The run's own checks, in the order they are reported.
RUN_CHECKS: tuple[ConfigCheck, ...] = (_builds, _sweep)


def validate_config(mapping: Mapping[str, Any], /, *, source: str = "config") -> Config:
    """Check a parsed config as ``peak-trade run`` would, every problem at once.

    Raises:
        ConfigError: One error listing every problem (schema, strategy names and
            parameters, cross-parameter rules, and what the run's own objects refuse).

    Example:
        >>> validate_config({"data": {"provider": "synthetic", "symbols": ["A"],
        ...     "timeframe": "1h"}, "strategy": {"name": "macd"}}).strategies[0].params
        {'fast': 12, 'slow': 26, 'signal': 9}
    """
    return schema.validate_config(
        mapping,
        strategies=registry_params(),
        strategy_rule=strategy_rule,
        checks=RUN_CHECKS,
        source=source,
    )


def load_config(path: str | PathLike[str], /) -> Config:
    """Read a TOML config and check it as ``peak-trade run`` and ``validate-config`` do.

    Raises:
        ConfigError: The file is missing, unreadable or not TOML; or every problem
            :func:`validate_config` finds, in one error.

    Example:
        >>> from peak_trade.core.config_schema import quickstart_path
        >>> load_config(quickstart_path()).data.provider
        'synthetic'
    """
    return schema.load_config(
        path, strategies=registry_params(), strategy_rule=strategy_rule, checks=RUN_CHECKS
    )
