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
from types import MappingProxyType
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
# The attributes LogRecord.__init__ sets, in the order it sets them.
_INIT_NAMES = list(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
_N_INIT = len(_INIT_NAMES)
_MEMO_SIZE = 1024
_isfinite = math.isfinite


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
    if isinstance(value, float) and not _isfinite(value):
        return repr(float(value))  # "nan", also for numpy's float64 (a float subclass)
    return jsonable(value)


# NaN is not JSON: allow_nan=False makes such payloads take the slower `plain` path.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), default=plain)
# The C encoder called directly skips JSONEncoder.encode's Python layers (a third of
# the cost of a log line); interpreters without it use _ENCODER.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ESCAPE = json.encoder.encode_basestring_ascii


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
        self._second: tuple[int | None, str] = (None, "")  # None: nothing cached yet
        self._day: tuple[int | None, str] = (None, "")

    def _clock(self, second: int) -> str:
        """``YYYY-MM-DDTHH:MM:SS`` (UTC) for a whole second; memoised per second and day."""
        cached = self._second
        if cached[0] == second:
            return cached[1]
        day, rest = divmod(second, 86400)
        date = self._day
        if date[0] != day:
            date = (day, time.strftime("%Y-%m-%dT", time.gmtime(day * 86400)))
            self._day = date
        text = "%s%02d:%02d:%02d" % (date[1], rest // 3600, rest // 60 % 60, rest % 60)  # noqa: UP031
        self._second = (second, text)
        return text

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if created < second:  # int() rounds toward zero; before 1970 the second is below
            second -= 1
        return "%s.%06dZ" % (self._clock(second), (created - second) * 1e6)  # noqa: UP031  # fastest

    def fields(self, record: logging.LogRecord, event: str) -> dict[str, Any]:
        """Bound fields, then ``extra`` fields, then the exception; not yet JSON-safe."""
        attrs = record.__dict__
        names = _extra_names(attrs)
        bound = attrs.get("bound_fields") or {}
        # An extra field replaces a bound one of the same name, in the extra fields' place.
        out: dict[str, Any] = {k: v for k, v in bound.items() if k not in names}
        for key in names:
            value = attrs[key]
            if key in _FIXED:
                if key == "event" and type(value) is str and value == event:
                    continue  # extra={"event": <the message>} says nothing new
                key = f"{key}_extra"
            out[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            out["error" if "error" not in out else "exc_error"] = plain(record.exc_info[1])
            out["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return out


def _extra_names(attrs: dict[str, Any]) -> list[str]:
    """The record attributes that came from ``extra`` (or a filter), in the order set.

    ``LogRecord.__init__`` always sets the same attributes in the same order, so
    when a record starts with them only the attributes after them are examined.
    """
    names = list(attrs)
    if names[:_N_INIT] == _INIT_NAMES:
        names = names[_N_INIT:]
    return [key for key in names if key not in _STANDARD and key[:1] != "_"]


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


_SCALARS = frozenset({str, int, float, bool, type(None)})


class JsonFormatter(_PayloadFormatter):
    """One JSON object per line (newlines inside values are escaped).

    Parts that repeat across a run are memoised: the encoded
    ``level``/``logger``/``event``/ids part and field names (bounded), the date and
    the whole second of the timestamp, and the encoded bound fields of the current
    ``run_context`` (when they are plain scalars). Field values are encoded afresh.

    Example:
        >>> handler = logging.StreamHandler()
        >>> handler.setFormatter(JsonFormatter())
    """

    def __init__(self) -> None:
        super().__init__()
        self._heads: dict[tuple[Any, ...], str] = {}
        self._keys: dict[str, str] = {}
        self._fields: dict[str, str] = {}
        self._json_second: tuple[int | None, str] = (None, "")
        self._bound: tuple[object, str] = (None, "")

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
        head = 'Z","level":%s,"logger":%s,"event":%s,"run_id":%s,"trace_id":%s' % (  # noqa: UP031
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
        """``,"name":`` for a bound field, memoised."""
        found = self._keys.get(name)
        if found is None:
            if len(self._keys) >= _MEMO_SIZE:
                self._keys.clear()
            found = self._keys[name] = f",{_ESCAPE(name)}:"
        return found

    def _field_key(self, name: str) -> str:
        """``,"name":`` for a record attribute that is a field, ``""`` for one that is not.

        Memoised, so one dict lookup per attribute decides all: standard and private
        attributes are skipped and extra fields named like a fixed key are renamed.
        """
        if name in _STANDARD or name[:1] == "_":
            found = ""
        elif name in _FIXED:
            found = f",{_ESCAPE(name + '_extra')}:"
        else:
            found = f",{_ESCAPE(name)}:"
        if len(self._fields) >= _MEMO_SIZE:
            self._fields.clear()
        self._fields[name] = found
        return found

    def _bound_text(self, bound: Mapping[str, Any], attrs: dict[str, Any]) -> str:
        """The bound fields as ``,"k":v...``; memoised per context for plain scalars.

        Bound fields that an extra field of the same name overrides are left out.
        """
        if not attrs.keys().isdisjoint(bound.keys()):
            skip = {name for name in bound if name in attrs and self._field_key(name)}
            if skip:
                return "".join(
                    self._key(name) + _json_value(value)
                    for name, value in bound.items()
                    if name not in skip
                )
        cached = self._bound
        if cached[0] is bound:
            return cached[1]
        text = "".join(self._key(name) + _json_value(value) for name, value in bound.items())
        # run_context binds a read-only mapping per block; scalars in it cannot change.
        if type(bound) is MappingProxyType and _SCALARS.issuperset(map(type, bound.values())):
            self._bound = (bound, text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        attrs = record.__dict__
        msg = record.msg
        event = msg if type(msg) is str and not record.args else record.getMessage()
        if record.exc_info or record.stack_info:
            fields = self.fields(record, event)  # merges bound, extra and error keys
            body = "," + _encode_fields(fields)[1:-1] if fields else ""  # exc_info may be empty
            return self._timestamp_head(record, event) + body + "}"
        # Written piece by piece: a log line with 5 fields must cost no more than
        # structlog's TimeStamper + JSONRenderer (benchmarks/cases_logging.py).
        parts = [self._timestamp_head(record, event)]
        add = parts.append
        known = self._fields.get
        names = list(attrs)
        if names[:_N_INIT] == _INIT_NAMES:
            names = names[_N_INIT:]  # skip the attributes every record has
        given = attrs.get("event")
        if type(given) is str and given == event:
            names.remove("event")  # extra={"event": <the message>} says nothing new
        for name in names:
            key = known(name)
            if key is None:
                key = self._field_key(name)
            if not key:
                continue
            value = attrs[name]
            kind = type(value)  # inline fast paths; _json_value handles the rest
            add(key)
            if kind is str:
                add(_ESCAPE(value))
            elif kind is int or (kind is float and _isfinite(value)):
                add(repr(value))  # exactly int or float: their JSON form
            else:
                add(_json_value(value))
        bound = attrs.get("bound_fields")
        if bound:  # bound fields go before the extra fields
            parts.insert(1, self._bound_text(bound, attrs))
        add("}")
        return "".join(parts)

    def _timestamp_head(self, record: logging.LogRecord, event: str) -> str:
        """``{"ts":"<ISO>Z","level":...,"trace_id":...``: everything before the fields."""
        created = record.created
        second = int(created)
        if created < second:  # int() rounds toward zero; before 1970 the second is below
            second -= 1
        cached = self._json_second
        if cached[0] != second:
            cached = (second, '{"ts":"%s.' % self._clock(second))  # noqa: UP031
            self._json_second = cached
        return "%s%06d%s" % (cached[1], (created - second) * 1e6, self._head(record, event))  # noqa: UP031


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
