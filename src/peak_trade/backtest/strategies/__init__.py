"""The built-in strategies, one module per family.

Each is a :class:`Strategy` subclass whose signal is a polars expression. They are
registered by name in :mod:`peak_trade.backtest.registry` (which imports this
package; this package never imports the registry).
"""

from peak_trade.backtest.strategies.base import ParamSpec, Strategy, suggest
from peak_trade.backtest.strategies.bollinger import BollingerBands
from peak_trade.backtest.strategies.donchian import BreakoutDonchian
from peak_trade.backtest.strategies.macd import Macd
from peak_trade.backtest.strategies.mean_reversion import MeanReversion
from peak_trade.backtest.strategies.momentum import Momentum
from peak_trade.backtest.strategies.moving_average import MaCrossover
from peak_trade.backtest.strategies.rsi import RsiReversion

__all__ = [
    "BUILTIN_STRATEGIES",
    "BollingerBands",
    "BreakoutDonchian",
    "Macd",
    "MaCrossover",
    "MeanReversion",
    "Momentum",
    "ParamSpec",
    "RsiReversion",
    "Strategy",
    "suggest",
]

BUILTIN_STRATEGIES: tuple[type[Strategy], ...] = (
    MaCrossover,
    Momentum,
    MeanReversion,
    RsiReversion,
    BollingerBands,
    Macd,
    BreakoutDonchian,
)
