"""Cache keys to file names: injective, reversible, and never outside the root.

A key is a string or a ``(provider, symbol, timeframe)`` tuple of strings. Each
part is percent-encoded byte by byte (UTF-8), keeping only ``A-Z a-z 0-9 - _ .``,
so ``/``, ``\\``, ``%`` and ``~`` never reach the file system as themselves. A
string key becomes ``s-<part>``, a tuple ``t-<part>~<part>~<part>``; the prefix
and the separator keep different keys on different names, and since a name never
holds a path separator and never starts with a dot, it cannot leave the root.
"""

from __future__ import annotations

import string
from typing import Any, TypeAlias

from peak_trade.core.errors import CacheError

__all__ = ["CacheKey", "decode_stem", "encode_key", "key_label"]

CacheKey: TypeAlias = str | tuple[str, str, str]

_SAFE = frozenset(string.ascii_letters + string.digits + "-_.")
_MAX_STEM = 180  # leaves room for suffix, sidecar, lock and temp decorations under 255
_TUPLE_PARTS = ("provider", "symbol", "timeframe")


def _reject(key: Any, why: str, hint: str) -> CacheError:
    msg = f"invalid cache key {key!r}: {why}"
    return CacheError(msg, hint=hint, context={"key": repr(key)[:300], "reason": why})


def _quote(part: str) -> str:
    out = []
    for char in part:
        if char in _SAFE:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _check_part(key: Any, part: Any, name: str) -> str:
    if not isinstance(part, str):
        raise _reject(key, f"`{name}` must be a str, got {type(part).__name__}", "pass strings")
    if not part:
        raise _reject(key, f"`{name}` is empty", "use a non-empty name")
    if "\0" in part:
        raise _reject(key, f"`{name}` contains a NUL character", "remove the NUL character")
    if part in {".", ".."}:
        raise _reject(key, f"`{name}` is {part!r}, a path component", "use a descriptive name")
    return part


def encode_key(key: CacheKey) -> str:
    """The file stem for ``key``; ``CacheError`` when the key is not acceptable.

    Example:
        >>> encode_key(("binance", "BTC/EUR", "1m"))
        't-binance~BTC%2FEUR~1m'
    """
    if isinstance(key, str):
        stem = "s-" + _quote(_check_part(key, key, "key"))
    elif isinstance(key, tuple) and len(key) == len(_TUPLE_PARTS):
        parts = [_check_part(key, p, n) for p, n in zip(key, _TUPLE_PARTS, strict=True)]
        stem = "t-" + "~".join(_quote(p) for p in parts)
    else:
        raise _reject(
            key,
            "expected a str or a (provider, symbol, timeframe) tuple",
            'use "name" or ("binance", "BTC/EUR", "1m")',
        )
    if len(stem) > _MAX_STEM:
        why = f"its file name would be {len(stem)} characters (limit {_MAX_STEM})"
        raise _reject(key, why, "use a shorter key")
    return stem


def _unquote(text: str) -> str | None:
    raw = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) != 2 or not all(c in string.hexdigits for c in pair):
                return None
            raw.append(int(pair, 16))
            i += 3
        elif char in _SAFE:
            raw.extend(char.encode("ascii"))
            i += 1
        else:
            return None
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def decode_stem(stem: str) -> CacheKey | None:
    """The key a stem came from, or None when the stem is not one of ours.

    Example:
        >>> decode_stem("t-binance~BTC%2FEUR~1m")
        ('binance', 'BTC/EUR', '1m')
    """
    kind, _, body = stem.partition("-")
    texts = body.split("~") if kind == "t" else [body] if kind == "s" else []
    parts = [p for p in (_unquote(t) for t in texts) if p is not None]
    if not parts or len(parts) != len(texts) or (kind == "t" and len(parts) != 3):
        return None
    key: CacheKey = parts[0] if kind == "s" else (parts[0], parts[1], parts[2])
    try:
        canonical = encode_key(key)
    except CacheError:
        return None
    return key if canonical == stem else None


def key_label(key: CacheKey) -> str | list[str]:
    """The JSON form of a key for the manifest."""
    return key if isinstance(key, str) else list(key)
