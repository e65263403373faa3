"""Timeframe strings such as ``1m``, ``4h`` or ``1d``, as durations."""

from __future__ import annotations

import datetime as dt
import re

from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError

__all__ = ["parse_timeframe"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^(\d+)([smhdw])$")


def parse_timeframe(timeframe: str, /) -> dt.timedelta:
    """Parse ``<count><unit>`` with unit one of ``s m h d w``.

    Raises:
        ConfigError: The string is not of that form, or its count is zero.

    Example:
        >>> parse_timeframe("15m")
        datetime.timedelta(seconds=900)
    """
    match = _PATTERN.match(timeframe) if isinstance(timeframe, str) else None
    if match is None or int(match.group(1)) == 0:
        msg = f"timeframe {short_repr(timeframe)} is not a positive count followed by a unit"
        raise ConfigError(
            msg,
            hint="write it like '1m', '15m', '1h', '4h' or '1d'",
            context={"got": short_repr(timeframe), "units": sorted(_UNITS)},
        )
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
