"""Checks of the sweep options ``window`` and ``keep_returns``, before any work starts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from peak_trade.backtest.window import resolve_window
from peak_trade.core.errors import ConfigError

__all__ = ["check_extras"]


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
