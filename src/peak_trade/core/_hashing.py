"""Canonical JSON and the stable content hash behind config hashes and run ids.

The canonical form is built once as a tree of plain JSON values, then written
with sorted keys, no whitespace and UTF-8. Anything the tree cannot hold raises
``TypeError`` naming the path to the value, such as ``config.strategy.params[2]``.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.core._frames import is_frame, to_polars, to_series
from peak_trade.core.errors import ConfigError

__all__ = ["canonical_json", "stable_hash"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ARRAY_TAG = "__ndarray__"
_BYTES_TAG = "__bytes__"
_FRAME_TAG = "__frame__"
_SERIES_TAG = "__series__"
_Json = Any  # str | int | float | bool | None | list[_Json] | dict[str, _Json]


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENT.fullmatch(key) else f"{path}[{key!r}]"


def _array(value: npt.NDArray[Any], path: str, active: set[int]) -> _Json:
    if value.dtype.hasobject:
        return [_tree(v, f"{path}[{i}]", active) for i, v in enumerate(value.tolist())]
    dtype = value.dtype
    if dtype.byteorder == ">":
        dtype = dtype.newbyteorder("<")
    data = value.astype(dtype, copy=False)  # keeps 0-d shapes, unlike ascontiguousarray
    descr = [list(d) for d in np.lib.format.dtype_to_descr(dtype)] if dtype.fields else dtype.str
    digest = hashlib.sha256(data.tobytes(order="C")).hexdigest()
    return {_ARRAY_TAG: {"descr": descr, "shape": list(data.shape), "sha256": digest}}


def _column_digest(series: pl.Series, path: str, active: set[int]) -> str:
    """SHA-256 of one column's content: dtype, length, null mask and values.

    Numbers, datetimes and booleans count by their exact bits (little-endian);
    strings by their UTF-8 bytes and lengths; anything else by the canonical JSON
    of its values. None of it depends on chunking, the process or the platform.
    """
    h = hashlib.sha256(f"{series.dtype}|{series.len()}|".encode())
    nulls = series.null_count()
    if nulls:
        h.update(np.packbits(series.is_null().to_numpy()).tobytes())
    dtype = series.dtype
    exact_bits = dtype.is_integer() or dtype.is_float() or dtype.is_temporal()
    if exact_bits or dtype == pl.Boolean:
        physical = series.to_physical()
        if nulls:
            physical = physical.fill_null(False if physical.dtype == pl.Boolean else 0)
        values = physical.to_numpy()
        h.update(values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes())
    elif dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum | pl.Decimal):
        text = series.cast(pl.String)
        h.update(text.str.len_bytes().fill_null(0).to_numpy().astype("<u4").tobytes())
        h.update(str(text.str.join("").item() or "").encode("utf-8"))
    else:
        h.update(_dumps(_tree(series.to_list(), path, active)).encode("utf-8"))
    return h.hexdigest()


def _frame(value: Any, path: str, active: set[int]) -> _Json:
    """A frame of any accepted kind, by its columns' names, dtypes and content."""
    frame = to_polars(value)
    columns = [[c.name, str(c.dtype)] for c in frame.get_columns()]
    h = hashlib.sha256()
    for column in frame.get_columns():
        h.update(_column_digest(column, _child(path, column.name), active).encode())
    digest = h.hexdigest()
    return {_FRAME_TAG: {"columns": columns, "height": frame.height, "sha256": digest}}


def _series(series: pl.Series, path: str, active: set[int]) -> _Json:
    digest = _column_digest(series, path, active)
    return {_SERIES_TAG: {"name": series.name, "dtype": str(series.dtype), "sha256": digest}}


def _scalar(value: np.generic, path: str, active: set[int]) -> _Json:
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value))
    if isinstance(value, np.timedelta64):
        return f"{value.astype(np.int64)}{np.datetime_data(value.dtype)[0]}"
    if isinstance(value, np.void):
        return _array(np.asarray(value), path, active)
    return _tree(value.item(), path, active)


def _mapping(value: Mapping[Any, Any], path: str, active: set[int]) -> _Json:
    out: dict[str, _Json] = {}
    for key, item in value.items():
        name = key.value if isinstance(key, enum.Enum) else key
        if not isinstance(name, str):
            msg = (
                f"stable_hash: `{path}` has key {key!r} of type {type(key).__name__}; "
                "canonical JSON needs str keys (convert them with str() first)"
            )
            raise TypeError(msg)
        out[name] = _tree(item, _child(path, name), active)
    return out


def _tree(value: Any, path: str, active: set[int]) -> _Json:
    """The canonical JSON tree of ``value``; ``active`` holds the containers being walked."""
    if isinstance(value, enum.Enum):
        return _tree(value.value, path, active)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)  # a plain int, whatever the subclass
    if isinstance(value, float):
        number = float(value)
        return 0.0 if number == 0.0 else number  # -0.0 hashes as 0.0, as it compares
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, np.ndarray):
        return _array(value, path, active)
    if isinstance(value, np.generic):
        return _scalar(value, path, active)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {_BYTES_TAG: {"len": len(data), "sha256": hashlib.sha256(data).hexdigest()}}
    if is_frame(value):
        return _frame(value, path, active)
    series = to_series(value)
    if series is not None:
        return _series(series, path, active)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        ident = id(value)
        if ident in active:
            msg = f"stable_hash: `{path}` contains itself; a circular structure has no hash"
            raise ConfigError(msg, hint="break the cycle before hashing", context={"path": path})
        active.add(ident)
        try:
            if isinstance(value, Mapping):
                return _mapping(value, path, active)
            if isinstance(value, set | frozenset):
                items = [_tree(v, f"{path}{{{v!r:.40}}}", active) for v in value]
                return sorted(items, key=_dumps)
            return [_tree(v, f"{path}[{i}]", active) for i, v in enumerate(value)]
        finally:
            active.discard(ident)
    msg = (
        f"stable_hash: `{path}` is a {type(value).__module__}.{type(value).__qualname__}, "
        "which has no canonical form; supported are dict, list, tuple, set, str, int, "
        "float, bool, None, bytes, datetime/date/time, Path, Enum, numpy scalars/arrays, "
        "and polars, pandas and pyarrow frames and series"
    )
    raise TypeError(msg)


def _dumps(tree: _Json) -> str:
    # allow_nan writes the tokens NaN, Infinity and -Infinity, which no string can collide with.
    return json.dumps(
        tree, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True
    )


def canonical_json(obj: Any, /, *, root: str = "obj") -> str:
    """The canonical JSON text that :func:`stable_hash` digests.

    Example:
        >>> canonical_json({"b": 1, "a": (2.0, None)})
        '{"a":[2.0,null],"b":1}'
    """
    tree = _tree(obj, root, set())
    return _dumps(tree)


def stable_hash(obj: Any, /, *, length: int = 16, root: str = "obj") -> str:
    """SHA-256 (hex, first ``length`` chars) of the canonical JSON of ``obj``.

    Equal content gives equal hashes in every process, on every platform, whatever
    ``PYTHONHASHSEED`` is and whatever order dict keys were inserted in.

    Args:
        obj: Nested dicts (str keys), lists, tuples and sets of str, int, float, bool,
            None, bytes, datetime/date/time, Path, Enum, numpy scalars and arrays, and
            frames and series (polars, pandas, pyarrow). Bytes, arrays, frames and
            series count by content: a pandas frame hashes like the polars frame
            ``to_polars`` makes of it (DatetimeIndex as a ``timestamp`` column).
        length: Hex characters to keep, 1 to 64.
        root: Name of ``obj`` in the path of a ``TypeError`` (``config`` gives
            ``config.strategy.params[2]``).

    Raises:
        TypeError: A value has no canonical form; the message names its path.
        ConfigError: ``length`` is out of range, or ``obj`` contains itself.

    Example:
        >>> stable_hash({"fast": 10, "slow": 30}) == stable_hash({"slow": 30, "fast": 10})
        True
    """
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 64:
        msg = f"stable_hash: `length` must be an int from 1 to 64; got {length!r}"
        raise ConfigError(msg, hint="pass e.g. length=16", context={"length": repr(length)})
    text = canonical_json(obj, root=root)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
