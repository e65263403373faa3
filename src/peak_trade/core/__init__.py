"""Core layer: errors, reproducibility, configuration and logging.

Importing this package installs the log-record hook that stamps ``run_id`` and
``trace_id`` on every ``peak_trade.*`` record (see docs/observability.md).
"""

from typing import TYPE_CHECKING

from peak_trade._lazy import lazy_getattr
from peak_trade.core.errors import (
    BacktestInvariantError,
    CacheCorruptionError,
    CacheError,
    CircuitOpenError,
    ConfigError,
    DataContractError,
    PeakTradeError,
    ProviderError,
)
from peak_trade.core.logging import (
    ContextFilter,
    JsonFormatter,
    TextFormatter,
    bind_context,
    configure_logging,
    current_context,
    run_context,
    spawn_thread,
)

if TYPE_CHECKING:
    from peak_trade.core.config_schema import (
        Config,
        ParamLike,
        StrategyRule,
        SweepSection,
        load_config,
        quickstart_path,
        validate_config,
    )
    from peak_trade.core.repro import (
        ReproContext,
        assert_deterministic,
        set_global_seed,
        stable_hash,
        verify_determinism,
    )

# pydantic builds its models on import; load the schema only when it is used. The
# repro names load polars (and numpy, xxhash) on first use too.
_SCHEMA_NAMES = ("Config", "ParamLike", "StrategyRule", "SweepSection", "load_config")
_REPRO_NAMES = (
    "ReproContext",
    "assert_deterministic",
    "set_global_seed",
    "stable_hash",
    "verify_determinism",
)
__getattr__ = lazy_getattr(
    __name__,
    {
        **dict.fromkeys(
            [*_SCHEMA_NAMES, "quickstart_path", "validate_config"], "peak_trade.core.config_schema"
        ),
        **dict.fromkeys(_REPRO_NAMES, "peak_trade.core.repro"),
    },
)

__all__ = [
    "BacktestInvariantError",
    "CacheCorruptionError",
    "CacheError",
    "CircuitOpenError",
    "Config",
    "ConfigError",
    "ContextFilter",
    "DataContractError",
    "JsonFormatter",
    "ParamLike",
    "PeakTradeError",
    "ProviderError",
    "ReproContext",
    "StrategyRule",
    "SweepSection",
    "TextFormatter",
    "assert_deterministic",
    "bind_context",
    "configure_logging",
    "current_context",
    "load_config",
    "quickstart_path",
    "run_context",
    "set_global_seed",
    "spawn_thread",
    "stable_hash",
    "validate_config",
    "verify_determinism",
]
