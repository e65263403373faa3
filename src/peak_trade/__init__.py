"""peak_trade: a stability layer for large-batch trading research.

Everything public is importable from here. Only the errors and the logging
helpers load with the package; every other name loads its module (polars and the
data layer, numba kernels, pydantic models) on first use, so a fresh process pays
only for what it calls (docs/benchmarks.md, "Cold start").
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
    configure_logging,
    current_context,
    run_context,
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
    from peak_trade.core.repro import (
        ReproContext,
        assert_deterministic,
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
    from peak_trade.reporting import report
    from peak_trade.research import SweepProgress, SweepSummary, rank_sweep, sweep, sweep_pbo, top_n
    from peak_trade.research.stats import (
        PboResult,
        deflated_sharpe_ratio,
        pbo,
        probabilistic_sharpe_ratio,
    )
    from peak_trade.research.walk_forward import WalkForwardResult, walk_forward

# The data layer and the repro helpers load polars (and pyarrow for the cache and the
# file reader) when first used, not on `import peak_trade`.
_LAZY = {
    **dict.fromkeys(
        [
            "ReproContext",
            "assert_deterministic",
            "set_global_seed",
            "stable_hash",
            "verify_determinism",
        ],
        "peak_trade.core.repro",
    ),
    # The data layer's names resolve through its own lazy table (peak_trade.data).
    **dict.fromkeys(
        [
            "CcxtProvider",
            "CircuitBreaker",
            "ContractReport",
            "FileProvider",
            "OhlcvCache",
            "Provider",
            "ResilientProvider",
            "RetryPolicy",
            "SyntheticProvider",
            "Violation",
            "atomic_read",
            "atomic_write",
            "check_ohlcv",
            "filter_ohlcv",
            "no_wait",
            "normalize_ohlcv",
            "ohlcv_rules",
            "read_ohlcv",
            "resample_ohlcv",
            "synthetic_ohlcv",
            "validate_ohlcv",
        ],
        "peak_trade.data",
    ),
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
