"""Formatters: JSON lines and key=value text, both carrying the bound run context.

A record's payload is ``ts``, ``level``, ``logger``, ``event`` (the message),
``run_id``, ``trace_id``, the fields bound with ``run_context``, then every field
passed through ``extra``. Exceptions add ``error`` (``PeakTradeError.to_dict()``
for ours) and ``traceback``.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from peak_trade.core._log_context import RESERVED_KEYS
from peak_trade.core.errors import PeakTradeError, jsonable

__all__ = ["JsonFormatter", "TextFormatter", "plain"]

# Attributes every LogRecord has (plus ours), computed once; the rest came from `extra`.
# Names with a leading underscore are private attributes that other libraries' record
# factories add (Ray adds `_ray_timestamp_ns`); they are never logged as fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "run_id",
    "trace_id",
    "bound_fields",
}
_FIXED = frozenset(RESERVED_KEYS)
_MEMO_SIZE = 1024


def plain(value: Any) -> Any:
    """``value`` as plain JSON values: ``PeakTradeError`` via ``to_dict()``, else ``jsonable``.

    Example:
        >>> plain({"x": float("nan"), "n": (1, 2)})
        {'x': 'nan', 'n': [1, 2]}
    """
    if isinstance(value, PeakTradeError):
        return value.to_dict()
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return jsonable(value)


# NaN is not JSON: allow_nan=False makes such payloads take the slower `plain` path.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), default=plain)
# The C encoder called directly skips JSONEncoder.encode's Python layers (a third of
# the cost of a log line); interpreters without it use _ENCODER.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ESCAPE = json.encoder.encode_basestring_ascii
_isfinite = math.isfinite


def _encode(obj: Any) -> str:
    """Compact ASCII JSON; raises ValueError on NaN and TypeError on non-str keys."""
    if _C_MAKE_ENCODER is None:  # pragma: no cover - CPython always has it
        return _ENCODER.encode(obj)
    encoder = _C_MAKE_ENCODER({}, plain, _ESCAPE, None, ":", ",", False, False, False)
    return "".join(encoder(obj, 0))


class _PayloadFormatter(logging.Formatter):
    """Builds the ordered payload dict shared by both output formats."""

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")

    def _timestamp(self, created: float) -> str:
        second = int(created)
        cached = self._second
        if cached[0] != second:
            cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
            self._second = cached
        return "%s.%06dZ" % (cached[1], (created - second) * 1e6)  # noqa: UP031  # fastest

    def fields(self, record: logging.LogRecord, event: str) -> dict[str, Any]:
        """Bound fields, then ``extra`` fields, then the exception; not yet JSON-safe."""
        attrs = record.__dict__
        bound = attrs.get("bound_fields")
        out: dict[str, Any] = dict(bound) if bound else {}
        for key, value in attrs.items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if key in _FIXED:
                if key == "event" and value == event:
                    continue  # extra={"event": <the message>} says nothing new
                key = f"{key}_extra"
            out[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            out["error" if "error" not in out else "exc_error"] = plain(record.exc_info[1])
            out["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return out


def _json_value(value: Any) -> str:
    """One value as JSON; plain str, int and finite float skip the encoder."""
    kind = type(value)
    if kind is str:
        return _ESCAPE(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and _isfinite(value):
        return float.__repr__(value)
    if value is None:
        return "null"
    try:
        return _encode(value)
    except (TypeError, ValueError):  # NaN somewhere, or a non-str dict key
        return _encode(plain(value))


class JsonFormatter(_PayloadFormatter):
    """One JSON object per line (newlines inside values are escaped).

    The encoded ``level``/``logger``/``event``/ids part of a line and encoded field
    names are memoised (bounded), since a run repeats the same few events.

    Example:
        >>> handler = logging.StreamHandler()
        >>> handler.setFormatter(JsonFormatter())
    """

    def __init__(self) -> None:
        super().__init__()
        self._heads: dict[tuple[Any, ...], str] = {}
        self._keys: dict[str, str] = {}

    def _head(self, record: logging.LogRecord, event: str) -> str:
        """``","level":...,"trace_id":...`` for this record, memoised."""
        attrs = record.__dict__
        run_id, trace_id = attrs.get("run_id"), attrs.get("trace_id")
        key: tuple[Any, ...] = (record.levelname, record.name, event, run_id, trace_id)
        try:
            return self._heads[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable id from a user's own `extra`
            key = ()
        head = '","level":%s,"logger":%s,"event":%s,"run_id":%s,"trace_id":%s' % (  # noqa: UP031
            _ESCAPE(record.levelname),
            _ESCAPE(record.name),
            _ESCAPE(event),
            _json_value(run_id),
            _json_value(trace_id),
        )
        if key:
            if len(self._heads) >= _MEMO_SIZE:
                self._heads.clear()
            self._heads[key] = head
        return head

    def _key(self, name: str) -> str:
        found = self._keys.get(name)
        if found is None:
            if len(self._keys) >= _MEMO_SIZE:
                self._keys.clear()
            found = self._keys[name] = f",{_ESCAPE(name)}:"
        return found

    def format(self, record: logging.LogRecord) -> str:
        attrs = record.__dict__
        event = record.getMessage()
        # Written piece by piece: a log line with 5 fields must cost no more than
        # structlog's JSONRenderer (benchmarks/cases_logging.py).
        parts = ['{"ts":"', self._timestamp(record.created), self._head(record, event)]
        if record.exc_info or record.stack_info:
            fields = self.fields(record, event)  # merges bound, extra and error keys
            if fields:  # exc_info may be (None, None, None)
                parts += [",", _encode_fields(fields)[1:-1]]
        else:
            start = len(parts)
            for key, value in attrs.items():
                if key in _STANDARD or key.startswith("_"):
                    continue
                if key in _FIXED:
                    if key == "event" and value == event:
                        continue
                    key = f"{key}_extra"
                kind = type(value)  # inline fast paths; _json_value handles the rest
                if kind is str:
                    text = _ESCAPE(value)
                elif kind is int or (kind is float and _isfinite(value)):
                    text = repr(value)  # exactly int or float: their JSON form
                else:
                    text = _json_value(value)
                parts += [self._keys.get(key) or self._key(key), text]
            bound = attrs.get("bound_fields")
            if bound:  # bound fields go first; an extra field of the same name wins
                given = set(parts[start::2])
                parts[start:start] = [
                    piece
                    for name, value in bound.items()
                    if self._key(name) not in given
                    for piece in (self._key(name), _json_value(value))
                ]
        parts.append("}")
        return "".join(parts)


def _encode_fields(fields: dict[str, Any]) -> str:
    try:
        return _encode(fields)
    except (TypeError, ValueError):  # NaN somewhere, or a non-str dict key
        return _encode(plain(fields))


def _text_value(value: Any) -> str:
    if isinstance(value, str) and value and not any(c in value for c in ' "=\n\r\t'):
        return value
    try:
        return _encode(value)
    except (TypeError, ValueError):
        return _encode(plain(value))


class TextFormatter(_PayloadFormatter):
    """``ts LEVEL logger event key=value ...`` for people; tracebacks follow the line.

    Example:
        >>> handler = logging.StreamHandler()
        >>> handler.setFormatter(TextFormatter())
    """

    def format(self, record: logging.LogRecord) -> str:
        attrs = record.__dict__
        event = record.getMessage()
        out = self.fields(record, event)
        traceback = out.pop("traceback", None)
        stack = out.pop("stack", None)
        run_id, trace_id = attrs.get("run_id"), attrs.get("trace_id")
        ids = f"run_id={_text_value(run_id)} trace_id={_text_value(trace_id)}"
        parts = [self._timestamp(record.created), f"{record.levelname:<7}", record.name]
        parts += [_text_value(event), ids, *(f"{k}={_text_value(v)}" for k, v in out.items())]
        return "\n".join([" ".join(parts), *(t for t in (traceback, stack) if t)])
