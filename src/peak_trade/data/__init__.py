"""Data layer: the OHLCV contract gate, providers, normalisation, retry and the cache."""

from peak_trade.data.cache import CacheKey, CacheReport, OhlcvCache
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.data.contracts import (
    ContractReport,
    Violation,
    check_ohlcv,
    filter_ohlcv,
    ohlcv_rules,
    validate_ohlcv,
)
from peak_trade.data.normalize import normalize_ohlcv, resample_ohlcv
from peak_trade.data.providers import (
    CcxtProvider,
    FileProvider,
    Provider,
    ResilientProvider,
    SyntheticProvider,
    synthetic_ohlcv,
)
from peak_trade.data.reader import read_ohlcv
from peak_trade.data.retry import (
    BreakerStats,
    CircuitBreaker,
    RetryPolicy,
    StateChange,
    is_transient,
    no_wait,
)
from peak_trade.data.timeframes import parse_timeframe

__all__ = [
    "BreakerStats",
    "CacheKey",
    "CacheReport",
    "CcxtProvider",
    "CircuitBreaker",
    "ContractReport",
    "FileProvider",
    "OhlcvCache",
    "Provider",
    "ResilientProvider",
    "RetryPolicy",
    "StateChange",
    "SyntheticProvider",
    "Violation",
    "atomic_read",
    "atomic_write",
    "check_ohlcv",
    "filter_ohlcv",
    "is_transient",
    "no_wait",
    "normalize_ohlcv",
    "ohlcv_rules",
    "parse_timeframe",
    "read_ohlcv",
    "resample_ohlcv",
    "synthetic_ohlcv",
    "validate_ohlcv",
]
