"""Checks of keyword options that never compare a frame or an array with ``==``.

``value in ("raise", "skip")`` calls ``value == "raise"``; for a polars or pandas
frame, a series or a numpy array that raises, or returns an array whose truth is
ambiguous. These helpers look at the type first, so a wrong-typed option is a
clear ``ConfigError`` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError

__all__ = ["is_one_of", "require_flag", "require_text"]


def is_one_of(value: Any, choices: Iterable[str], /) -> bool:
    """True when ``value`` is a str among ``choices``.

    Example:
        >>> is_one_of("skip", ("raise", "skip")), is_one_of(None, ("raise",))
        (True, False)
    """
    return isinstance(value, str) and value in tuple(choices)


def require_flag(value: Any, /, *, name: str) -> bool:
    """``value`` as a bool, or a ``ConfigError`` naming the option ``name``.

    Example:
        >>> require_flag(True, name="strict")
        True
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    msg = f"`{name}` must be True or False; got {short_repr(value)}"
    raise ConfigError(
        msg,
        hint=f"pass {name}=True or {name}=False",
        context={"option": name, "got": short_repr(value)},
    )


def require_text(value: Any, /, *, name: str, example: str) -> str:
    """``value`` if it is a non-empty str, else a ``ConfigError`` naming ``name``.

    Example:
        >>> require_text("timestamp", name="timestamp", example="timestamp")
        'timestamp'
    """
    if isinstance(value, str) and value:
        return value
    msg = f"`{name}` must be a non-empty string; got {short_repr(value)}"
    raise ConfigError(
        msg, hint=f'e.g. {name}="{example}"', context={"option": name, "got": short_repr(value)}
    )
