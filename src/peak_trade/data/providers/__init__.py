"""Data providers: each returns canonical OHLCV frames with UTC timestamps.

``CcxtProvider`` lives in :mod:`peak_trade.data.providers.ccxt`; importing it
does not import ccxt (that happens when one is built from an exchange id).
"""

from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.ccxt import CcxtProvider, map_ccxt_error
from peak_trade.data.providers.file import FileProvider, path_safe_symbol
from peak_trade.data.providers.resilient import ResilientProvider
from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv

__all__ = [
    "CcxtProvider",
    "FileProvider",
    "Provider",
    "ResilientProvider",
    "SyntheticProvider",
    "map_ccxt_error",
    "path_safe_symbol",
    "synthetic_ohlcv",
]
