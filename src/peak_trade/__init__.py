"""peak_trade: a stability layer for large-batch trading research.

Everything public is importable from here.
"""

from importlib.metadata import PackageNotFoundError, version

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
from peak_trade.data.contracts import (
    ContractReport,
    Violation,
    check_ohlcv,
    filter_ohlcv,
    ohlcv_rules,
    validate_ohlcv,
)
from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv

try:
    __version__ = version("peak-trade")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "BacktestInvariantError",
    "CacheCorruptionError",
    "CacheError",
    "CircuitOpenError",
    "ConfigError",
    "ContractReport",
    "DataContractError",
    "PeakTradeError",
    "ProviderError",
    "SyntheticProvider",
    "Violation",
    "__version__",
    "check_ohlcv",
    "filter_ohlcv",
    "ohlcv_rules",
    "synthetic_ohlcv",
    "validate_ohlcv",
]
