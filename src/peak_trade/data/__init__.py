"""Data layer: the OHLCV contract gate, providers, normalisation and the cache."""

from peak_trade.data.contracts import (
    ContractReport,
    Violation,
    check_ohlcv,
    filter_ohlcv,
    ohlcv_rules,
    validate_ohlcv,
)
from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv
from peak_trade.data.timeframes import parse_timeframe

__all__ = [
    "ContractReport",
    "SyntheticProvider",
    "Violation",
    "check_ohlcv",
    "filter_ohlcv",
    "ohlcv_rules",
    "parse_timeframe",
    "synthetic_ohlcv",
    "validate_ohlcv",
]
