"""The error taxonomy: every failure peak_trade raises on purpose is one of these.

This module imports nothing else from the package, so every layer may use it.
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = [
    "BacktestInvariantError",
    "CacheCorruptionError",
    "CacheError",
    "CircuitOpenError",
    "ConfigError",
    "DataContractError",
    "PeakTradeError",
    "ProviderError",
    "jsonable",
]


def jsonable(value: Any) -> Any:
    """Turn ``value`` into something ``json.dumps`` accepts, without losing meaning.

    Datetimes become ISO-8601 strings, paths become strings, numpy scalars become
    Python scalars, non-finite floats become ``"nan"``/``"inf"``/``"-inf"`` strings,
    and anything unknown becomes its ``repr``.

    Example:
        >>> jsonable({"at": _dt.date(2024, 1, 2), "rows": (1, 2)})
        {'at': '2024-01-02', 'rows': [1, 2]}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # repr(float(...)): a float subclass (np.float64) must not leak its own repr.
        return value if math.isfinite(value) else repr(float(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [jsonable(v) for v in items]
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    item = getattr(value, "item", None)  # numpy scalars, without importing numpy
    if callable(item) and getattr(value, "shape", None) == ():
        return jsonable(item())
    return repr(value)


class PeakTradeError(Exception):
    """Base of every deliberate peak_trade failure.

    Args:
        message: What failed and where, with the expected and the received values.
        hint: The fix, phrased as an instruction (``sort with df.sort("timestamp")``).
        context: Machine-readable facts; always a dict on the instance.
        cause: The underlying exception; also set as ``__cause__``.

    Example:
        >>> err = PeakTradeError("bad", hint="fix it", context={"row": 3})
        >>> str(err).splitlines()[0]
        'PeakTradeError: bad'
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        context: Mapping[str, Any] | None = None,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.context: dict[str, Any] = dict(context) if context is not None else {}
        self.cause = cause
        if cause is not None:
            self.__cause__ = cause

    def _extra_kwargs(self) -> dict[str, Any]:
        """Keyword arguments a subclass adds to the base ones (for pickling)."""
        return {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions cross process boundaries in worker pools; rebuild with keywords.
        kwargs = {"hint": self.hint, "context": self.context, "cause": self.cause}
        kwargs.update(self._extra_kwargs())
        return (_rebuild, (type(self), self.message, kwargs))

    def __str__(self) -> str:
        lines = [f"{type(self).__name__}: {self.message}"]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        if self.context:
            parts = ", ".join(f"{k}={v!r}" for k, v in self.context.items())
            lines.append(f"Context: {parts}")
        if self.cause is not None:
            lines.append(f"Caused by: {type(self.cause).__name__}: {self.cause}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view for structured logs.

        Example:
            >>> ConfigError("x", hint="y").to_dict()["type"]
            'ConfigError'
        """
        cause = None
        if self.cause is not None:
            cause = {"type": type(self.cause).__name__, "message": str(self.cause)}
        return {
            "type": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
            "context": jsonable(self.context),
            "cause": cause,
        }


def _rebuild(cls: type[PeakTradeError], message: str, kwargs: dict[str, Any]) -> PeakTradeError:
    return cls(message, **kwargs)


class DataContractError(PeakTradeError, ValueError):
    """An OHLCV frame broke the data contract (schema or row rules)."""


class ConfigError(PeakTradeError, ValueError):
    """A configuration value, strategy parameter or option is invalid."""


class ProviderError(PeakTradeError):
    """A data provider failed.

    ``transient=True`` marks faults worth retrying (timeouts, rate limits);
    permanent ones (bad symbol, authentication) are never retried.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        hint: str | None = None,
        context: Mapping[str, Any] | None = None,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message, hint=hint, context=context, cause=cause)
        self.transient = transient

    def _extra_kwargs(self) -> dict[str, Any]:
        return {"transient": self.transient}

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["transient"] = self.transient
        return out


class CircuitOpenError(ProviderError):
    """A circuit breaker is open and rejected the call without trying it."""


class CacheError(PeakTradeError):
    """A cache operation failed (bad path, bad key, failed write)."""


class CacheCorruptionError(CacheError):
    """A cached file is missing its checksum, fails it, or cannot be decoded."""


class BacktestInvariantError(PeakTradeError, RuntimeError):
    """A backtest broke one of its accounting invariants."""
