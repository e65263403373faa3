"""Data providers: each returns canonical OHLCV frames with UTC timestamps.

``CcxtProvider`` lives in :mod:`peak_trade.data.providers.ccxt`; importing it
does not import ccxt (that happens when one is built from an exchange id). Every
name loads its module on first use: ``synthetic_ohlcv`` does not load the file
reader or the retry machinery.
"""

from typing import TYPE_CHECKING

from peak_trade._lazy import lazy_getattr

if TYPE_CHECKING:
    from peak_trade.data.providers.base import Provider
    from peak_trade.data.providers.ccxt import CcxtProvider, map_ccxt_error
    from peak_trade.data.providers.file import FileProvider, path_safe_symbol
    from peak_trade.data.providers.resilient import ResilientProvider
    from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv

_LAZY = {
    "Provider": "peak_trade.data.providers.base",
    **dict.fromkeys(["CcxtProvider", "map_ccxt_error"], "peak_trade.data.providers.ccxt"),
    **dict.fromkeys(["FileProvider", "path_safe_symbol"], "peak_trade.data.providers.file"),
    "ResilientProvider": "peak_trade.data.providers.resilient",
    **dict.fromkeys(
        ["SyntheticProvider", "synthetic_ohlcv"], "peak_trade.data.providers.synthetic"
    ),
}
__getattr__ = lazy_getattr(__name__, _LAZY)

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
