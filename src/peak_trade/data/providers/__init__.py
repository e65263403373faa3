"""Data providers: each returns canonical OHLCV frames with UTC timestamps."""

from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv

__all__ = ["SyntheticProvider", "synthetic_ohlcv"]
