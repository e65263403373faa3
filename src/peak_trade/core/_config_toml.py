"""A small TOML writer for config documents (``tomllib`` only reads).

It writes tables of str, bool, int, float, datetime, date and time values, arrays
of those, nested tables (``[a.b]``) and arrays of tables (``[[a]]``). ``None`` has
no TOML form and is refused; leave unset keys out instead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from peak_trade.core.errors import ConfigError

__all__ = ["dumps", "value_text"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"
_INT64 = (-(2**63), 2**63 - 1)


def dumps(document: Mapping[str, Any], /) -> str:
    """``document`` as TOML text that ``tomllib.loads`` reads back equal.

    Raises:
        ConfigError: A value has no TOML form (None, an int beyond 64 bits, an
            unknown type, a non-string key); the message names its path.

    Example:
        >>> print(dumps({"run": {"seed": 7}, "strategies": [{"name": "macd"}]}), end="")
        [run]
        seed = 7
        <BLANKLINE>
        [[strategies]]
        name = "macd"
    """
    blocks: list[list[str]] = []
    _table(blocks, (), document, header=None)
    text = "\n\n".join("\n".join(block) for block in blocks if block)
    return text + "\n" if text else ""


def value_text(value: Any, /) -> str:
    """One TOML value (inline form), e.g. ``"text"`` with quotes, ``true``, ``[1, 2]``.

    Example:
        >>> value_text(["a", 1.5, False])
        '["a", 1.5, false]'
    """
    return _value(value, ())


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(item, Mapping) for item in value)
    )


def _table(
    blocks: list[list[str]], path: tuple[str, ...], table: Mapping[Any, Any], *, header: str | None
) -> None:
    block = [] if header is None else [header]
    children: list[tuple[str, Any]] = []
    for key, value in table.items():
        if not isinstance(key, str):
            _fail(path, f"a string key, not {key!r}")
        if isinstance(value, Mapping) or _is_table_array(value):
            children.append((key, value))
        else:
            block.append(f"{_key(key)} = {_value(value, (*path, key))}")
    # A header with neither keys nor arrays under it is implied by its sub-tables.
    if header is None or len(block) > 1 or not children or header.startswith("[["):
        blocks.append(block)
    for key, value in children:
        sub = (*path, key)
        dotted = ".".join(_key(part) for part in sub)
        if isinstance(value, Mapping):
            _table(blocks, sub, value, header=f"[{dotted}]")
        else:
            for item in value:
                _table(blocks, sub, item, header=f"[[{dotted}]]")


def _fail(path: tuple[str, ...], expected: str) -> NoReturn:
    where = ".".join(path) or "<root>"
    msg = f"cannot write `{where}` as TOML: expected {expected}"
    raise ConfigError(msg, hint="leave unset values out", context={"path": where})


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any, path: tuple[str, ...]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            _fail(path, f"an integer within 64 bits, not {value!r}")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.time):
        offset = value.utcoffset()
        if offset is not None and (isinstance(value, dt.time) or offset.seconds % 60):
            _fail(path, f"a local time or an offset in whole minutes, not {value!r}")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                _fail(path, f"a string key, not {key!r}")
            items.append(f"{_key(key)} = {_value(item, (*path, key))}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v, (*path, str(i))) for i, v in enumerate(value)) + "]"
    _fail(path, f"a TOML value, not {value!r}")
