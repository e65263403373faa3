"""peak_trade: a stability layer for large-batch trading research.

Everything public is importable from here. The backtest, research and config
names load their modules (numba kernels, pydantic models) on first use.
"""

from typing import TYPE_CHECKING

from peak_trade._lazy import lazy_getattr
from peak_trade._version import __version__
from peak_trade.core import (
    BacktestInvariantError,
    CacheCorruptionError,
    CacheError,
    CircuitOpenError,
    ConfigError,
    DataContractError,
    PeakTradeError,
    ProviderError,
    ReproContext,
    assert_deterministic,
    configure_logging,
    current_context,
    run_context,
    set_global_seed,
    stable_hash,
    verify_determinism,
)
from peak_trade.data import (
    CcxtProvider,
    CircuitBreaker,
    ContractReport,
    FileProvider,
    OhlcvCache,
    Provider,
    ResilientProvider,
    RetryPolicy,
    SyntheticProvider,
    Violation,
    atomic_read,
    atomic_write,
    check_ohlcv,
    filter_ohlcv,
    no_wait,
    normalize_ohlcv,
    ohlcv_rules,
    resample_ohlcv,
    synthetic_ohlcv,
    validate_ohlcv,
)

if TYPE_CHECKING:
    from peak_trade.backtest import (
        BacktestConfig,
        BacktestResult,
        InvariantConfig,
        ParamSpec,
        Strategy,
        StrategyInfo,
        compute_stats,
        expand_grid,
        get_strategy,
        list_strategies,
        register_strategy,
        run_backtest,
        run_combos,
        run_grid,
    )
    from peak_trade.core.config_schema import Config, load_config, validate_config
    from peak_trade.research import SweepProgress, SweepSummary, rank_sweep, sweep, top_n

_LAZY = {
    **dict.fromkeys(
        [
            "BacktestConfig",
            "BacktestResult",
            "InvariantConfig",
            "ParamSpec",
            "Strategy",
            "StrategyInfo",
            "compute_stats",
            "expand_grid",
            "get_strategy",
            "list_strategies",
            "register_strategy",
            "run_backtest",
            "run_combos",
            "run_grid",
        ],
        "peak_trade.backtest",
    ),
    **dict.fromkeys(["Config", "load_config", "validate_config"], "peak_trade.core.config_schema"),
    **dict.fromkeys(
        ["SweepProgress", "SweepSummary", "rank_sweep", "sweep", "top_n"], "peak_trade.research"
    ),
}
__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "BacktestConfig",
    "BacktestInvariantError",
    "BacktestResult",
    "CacheCorruptionError",
    "CacheError",
    "CcxtProvider",
    "CircuitBreaker",
    "CircuitOpenError",
    "Config",
    "ConfigError",
    "ContractReport",
    "DataContractError",
    "FileProvider",
    "InvariantConfig",
    "OhlcvCache",
    "ParamSpec",
    "PeakTradeError",
    "Provider",
    "ProviderError",
    "ReproContext",
    "ResilientProvider",
    "RetryPolicy",
    "Strategy",
    "StrategyInfo",
    "SweepProgress",
    "SweepSummary",
    "SyntheticProvider",
    "Violation",
    "__version__",
    "assert_deterministic",
    "atomic_read",
    "atomic_write",
    "check_ohlcv",
    "compute_stats",
    "configure_logging",
    "current_context",
    "expand_grid",
    "filter_ohlcv",
    "get_strategy",
    "list_strategies",
    "load_config",
    "no_wait",
    "normalize_ohlcv",
    "ohlcv_rules",
    "rank_sweep",
    "register_strategy",
    "resample_ohlcv",
    "run_backtest",
    "run_combos",
    "run_context",
    "run_grid",
    "set_global_seed",
    "stable_hash",
    "sweep",
    "synthetic_ohlcv",
    "top_n",
    "validate_config",
    "validate_ohlcv",
    "verify_determinism",
]


def __dir__() -> list[str]:
    return sorted(__all__)
