"""Core layer: errors, reproducibility, configuration and logging."""

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

__all__ = [
    "BacktestInvariantError",
    "CacheCorruptionError",
    "CacheError",
    "CircuitOpenError",
    "ConfigError",
    "DataContractError",
    "PeakTradeError",
    "ProviderError",
]
