"""Checks of the sweep options ``window``, ``keep_returns`` and ``periods_per_year``, before any
work starts."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.window import resolve_window
from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError

__all__ = ["check_extras", "symbol_configs"]


def check_extras(
    frames: Mapping[str, pl.DataFrame], /, *, window: Any, keep_returns: Any, output: Any
) -> None:
    """Raise ``ConfigError`` for a bad ``keep_returns`` or a window that fits no symbol."""
    if not isinstance(keep_returns, bool):
        msg = f"`keep_returns` must be a bool; got {keep_returns!r}"
        raise ConfigError(msg, hint="keep_returns=True")
    if keep_returns and output is None:
        msg = "`keep_returns=True` needs an `output` directory to keep the returns in"
        raise ConfigError(msg, hint='pass output="runs/my-sweep"')
    if window is None:
        return
    for symbol, frame in frames.items():
        try:
            resolve_window(window, frame.get_column("timestamp"))
        except ConfigError as exc:
            exc.context.setdefault("symbol", symbol)
            raise


def symbol_configs(
    config: BacktestConfig, periods: Any, symbols: Sequence[str], /
) -> dict[str, BacktestConfig]:
    """``config`` with each symbol's ``periods_per_year`` from ``periods`` (symbol -> value).

    Raises:
        ConfigError: ``periods`` is not a mapping, names a symbol not swept, or
            holds a value that ``BacktestConfig.periods_per_year`` refuses.
    """
    if periods is None:
        return {}
    if not isinstance(periods, Mapping):
        got = short_repr(periods)
        msg = f"sweep: `periods_per_year` must be a mapping symbol -> bars per year; got {got}"
        raise ConfigError(msg, hint='e.g. periods_per_year={"AAPL": 252}')
    unknown = sorted(str(s) for s in periods if s not in symbols)
    if unknown:
        msg = f"sweep: `periods_per_year` names symbols that are not swept: {unknown[:5]!r}"
        raise ConfigError(
            msg,
            hint=f"use symbols of the sweep: {list(symbols)[:5]!r}",
            context={"option": "periods_per_year", "unknown": unknown[:5]},
        )
    out = {}
    for symbol, value in periods.items():
        try:
            out[symbol] = dataclasses.replace(config, periods_per_year=value)
        except ConfigError as exc:
            exc.context.setdefault("symbol", symbol)
            raise
    return out
