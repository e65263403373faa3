"""Content digests of a function's outputs, one per path, for determinism checks.

Frames and series (polars, pandas, pyarrow) are digested by their data, arrays
and bytes by their bytes, and every other value
through the canonical JSON of :mod:`peak_trade.core._hashing`. Nothing is ever
compared through ``str()``, which elides the middle of large frames.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import xxhash

from peak_trade.core._frames import is_frame, to_polars, to_series
from peak_trade.core._hashing import canonical_json

__all__ = ["digest_outputs"]


def _array_digest(value: npt.NDArray[Any]) -> str:
    h = xxhash.xxh3_128()
    h.update(f"ndarray|{value.dtype.str}|{value.shape}|".encode())
    h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()


def _update_series(h: Any, series: pl.Series) -> None:
    """Feed one column: name, dtype, null mask, then exact value bits or row hashes."""
    h.update(f"|{series.name}|{series.dtype}|{series.len()}|".encode())
    logical = series.dtype
    nulls = series.null_count()
    if nulls:
        h.update(np.packbits(series.is_null().to_numpy()).tobytes())
    # Categoricals are left to the row hashes: their physical codes depend on the order
    # categories were met, not on the data.
    if logical.is_integer() or logical.is_float() or logical.is_temporal() or logical == pl.Boolean:
        physical = series.to_physical()
        dtype = physical.dtype
        if nulls:
            physical = physical.fill_null(False if dtype == pl.Boolean else 0)
        # Exact bits: -0.0 and NaN payloads count, unlike polars' canonical hashing.
        h.update(np.ascontiguousarray(physical.to_numpy()).tobytes())
    else:
        # Strings, lists, structs, ...: polars row hashes, stable within one process.
        h.update(series.hash(seed=0).to_numpy().tobytes())


def _frame_digest(frame: pl.DataFrame) -> str:
    h = xxhash.xxh3_128()
    h.update(f"DataFrame|{frame.height}|{frame.width}".encode())
    for column in frame.get_columns():
        _update_series(h, column)
    return h.hexdigest()


def _series_digest(series: pl.Series) -> str:
    h = xxhash.xxh3_128()
    h.update(b"Series")
    _update_series(h, series)
    return h.hexdigest()


def _key_text(key: Any) -> str:
    name = key.value if isinstance(key, enum.Enum) else key
    return name if isinstance(name, str) else canonical_json(key, root="key")


def _walk(value: Any, path: str, out: dict[str, str]) -> None:
    if is_frame(value):
        value = to_polars(value)  # pandas, pyarrow and lazy frames compare by data
    series = to_series(value)
    if series is not None:
        value = series
    if isinstance(value, pl.DataFrame):
        out[path] = _frame_digest(value)
    elif isinstance(value, pl.Series):
        out[path] = _series_digest(value)
    elif isinstance(value, np.ndarray) and not value.dtype.hasobject:
        out[path] = _array_digest(value)
    elif isinstance(value, Mapping):
        out[path] = f"mapping|{len(value)}"
        keyed = sorted(((_key_text(k), k) for k in value), key=lambda pair: pair[0])
        for text, key in keyed:
            _walk(value[key], f"{path}[{text!r}]", out)
    elif isinstance(value, list | tuple):
        out[path] = f"{type(value).__name__}|{len(value)}"
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", out)
    else:
        text = canonical_json(value, root=path)
        out[path] = xxhash.xxh3_128_hexdigest(text.encode("utf-8"))


def digest_outputs(value: Any, /, *, root: str = "output") -> dict[str, str]:
    """Map every path inside ``value`` to a content digest, in a deterministic order.

    Containers get an entry of their own (type and length) before their items, so
    the first differing path is the outermost place two outputs part ways.

    Example:
        >>> list(digest_outputs({"a": [1, 2]}))
        ['output', "output['a']", "output['a'][0]", "output['a'][1]"]
    """
    out: dict[str, str] = {}
    _walk(value, root, out)
    return out
