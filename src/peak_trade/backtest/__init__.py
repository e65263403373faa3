"""Backtest layer: the numba engine, strategies, registry, stats and grids."""

from peak_trade.backtest._cache_errors import kernel_cache_errors

# Importing the engine compiles or loads its numba kernels (cache=True): a read-only
# install without a writable cache gets a ConfigError naming NUMBA_CACHE_DIR.
with kernel_cache_errors():
    from peak_trade.backtest import signals
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import run_backtest
    from peak_trade.backtest.grid import expand_grid, run_combos, run_grid
    from peak_trade.backtest.invariants import InvariantConfig, InvariantViolation
    from peak_trade.backtest.registry import (
        StrategyInfo,
        get_strategy,
        get_strategy_class,
        list_strategies,
        register_strategy,
        reset_registry,
    )
    from peak_trade.backtest.result import BacktestResult
    from peak_trade.backtest.stats import compute_stats, extended_stats
    from peak_trade.backtest.strategies import ParamSpec, Strategy

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "InvariantConfig",
    "InvariantViolation",
    "ParamSpec",
    "Strategy",
    "StrategyInfo",
    "compute_stats",
    "expand_grid",
    "extended_stats",
    "get_strategy",
    "get_strategy_class",
    "list_strategies",
    "register_strategy",
    "reset_registry",
    "run_backtest",
    "run_combos",
    "run_grid",
    "signals",
]
