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
    read_ohlcv,
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
        extended_stats,
        get_strategy,
        list_strategies,
        register_strategy,
        run_backtest,
        run_combos,
        run_grid,
        signals,
    )
    from peak_trade.cli._run_config import load_config, validate_config
    from peak_trade.core.config_schema import Config
    from peak_trade.reporting import report
    from peak_trade.research import SweepProgress, SweepSummary, rank_sweep, sweep, sweep_pbo, top_n
    from peak_trade.research.stats import (
        PboResult,
        deflated_sharpe_ratio,
        pbo,
        probabilistic_sharpe_ratio,
    )
    from peak_trade.research.walk_forward import WalkForwardResult, walk_forward

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
            "extended_stats",
            "get_strategy",
            "list_strategies",
            "register_strategy",
            "run_backtest",
            "run_combos",
            "run_grid",
            "signals",
        ],
        "peak_trade.backtest",
    ),
    "Config": "peak_trade.core.config_schema",
    # The registry-aware loaders that `peak-trade run` and `validate-config` use.
    **dict.fromkeys(["load_config", "validate_config"], "peak_trade.cli._run_config"),
    **dict.fromkeys(
        ["SweepProgress", "SweepSummary", "rank_sweep", "sweep", "sweep_pbo", "top_n"],
        "peak_trade.research",
    ),
    **dict.fromkeys(
        ["PboResult", "deflated_sharpe_ratio", "pbo", "probabilistic_sharpe_ratio"],
        "peak_trade.research.stats",
    ),
    "report": "peak_trade.reporting",
    **dict.fromkeys(["WalkForwardResult", "walk_forward"], "peak_trade.research.walk_forward"),
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
    "PboResult",
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
    "WalkForwardResult",
    "__version__",
    "assert_deterministic",
    "atomic_read",
    "atomic_write",
    "check_ohlcv",
    "compute_stats",
    "configure_logging",
    "current_context",
    "deflated_sharpe_ratio",
    "expand_grid",
    "extended_stats",
    "filter_ohlcv",
    "get_strategy",
    "list_strategies",
    "load_config",
    "no_wait",
    "normalize_ohlcv",
    "ohlcv_rules",
    "pbo",
    "probabilistic_sharpe_ratio",
    "rank_sweep",
    "read_ohlcv",
    "register_strategy",
    "report",
    "resample_ohlcv",
    "run_backtest",
    "run_combos",
    "run_context",
    "run_grid",
    "set_global_seed",
    "signals",
    "stable_hash",
    "sweep",
    "sweep_pbo",
    "synthetic_ohlcv",
    "top_n",
    "validate_config",
    "validate_ohlcv",
    "verify_determinism",
    "walk_forward",
]


def __dir__() -> list[str]:
    return sorted(__all__)
