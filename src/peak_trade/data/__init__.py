"""Data layer: the OHLCV contract gate, providers, normalisation, retry and the cache.

Every name loads its module on first use, so a backtest that needs only the contract
gate does not pay for the cache, the file reader or the providers (nor pyarrow).
"""

from typing import TYPE_CHECKING

from peak_trade._lazy import lazy_getattr

if TYPE_CHECKING:
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

_LAZY = {
    **dict.fromkeys(["CacheKey", "CacheReport", "OhlcvCache"], "peak_trade.data.cache"),
    **dict.fromkeys(["atomic_read", "atomic_write"], "peak_trade.data.cache_atomic"),
    **dict.fromkeys(
        [
            "ContractReport",
            "Violation",
            "check_ohlcv",
            "filter_ohlcv",
            "ohlcv_rules",
            "validate_ohlcv",
        ],
        "peak_trade.data.contracts",
    ),
    **dict.fromkeys(["normalize_ohlcv", "resample_ohlcv"], "peak_trade.data.normalize"),
    "CcxtProvider": "peak_trade.data.providers.ccxt",
    "FileProvider": "peak_trade.data.providers.file",
    "Provider": "peak_trade.data.providers.base",
    "ResilientProvider": "peak_trade.data.providers.resilient",
    **dict.fromkeys(
        ["SyntheticProvider", "synthetic_ohlcv"], "peak_trade.data.providers.synthetic"
    ),
    "read_ohlcv": "peak_trade.data.reader",
    **dict.fromkeys(
        ["BreakerStats", "CircuitBreaker", "RetryPolicy", "StateChange", "is_transient", "no_wait"],
        "peak_trade.data.retry",
    ),
    "parse_timeframe": "peak_trade.data.timeframes",
}
__getattr__ = lazy_getattr(__name__, _LAZY)

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
