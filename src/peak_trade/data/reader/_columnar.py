"""The Parquet and Arrow IPC path: read the schema, pick the columns, one read."""

from __future__ import annotations

import json
import mmap
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from peak_trade.core.errors import DataContractError
from peak_trade.data._cache_codec import Format, frame_from_bytes
from peak_trade.data.reader._detected import Detected
from peak_trade.data.reader._sniff import VALUE_NAMES, match_columns
from peak_trade.data.reader._times import TimeSpec, detect_time, parse_times

__all__ = ["read_columnar_bars"]

_SAMPLE = 200
#: What polars and pyarrow raise on a damaged or foreign file (ArrowInvalid is a ValueError).
#: A corrupt IPC body can make polars panic (a BaseException): that is damage too.
_DAMAGE = (
    pl.exceptions.PolarsError,
    pl.exceptions.PanicException,
    pa.ArrowException,
    OSError,
    ValueError,
)


def _pandas_index(path: Path, kind: str) -> str | None:
    """The single index column pandas recorded in the file's metadata, if any."""
    if kind == "parquet":
        schema = pq.read_schema(path)
    else:
        with pa.memory_map(str(path)) as source:
            schema = pa.ipc.open_file(source).schema
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return None
    names = json.loads(raw).get("index_columns", [])
    named = [n for n in names if isinstance(n, str)]
    return named[0] if len(named) == 1 else None


def _unreadable(path: Path, kind: str, exc: BaseException) -> DataContractError:
    msg = f"{path}: not a readable {kind} file ({type(exc).__name__}: {exc})"
    return DataContractError(
        msg,
        hint="the file may be truncated or of another format; rewrite it",
        context={"path": str(path), "format": kind},
        cause=exc,
    )


def _file_bytes(path: Path, fmt: Format) -> memoryview:
    """The file's bytes: a private copy for IPC, a read-only map for Parquet.

    An IPC frame is zero-copy over the buffer it was decoded from. Over a map of
    the user's file it would die with SIGBUS (a crash, not an error) once that
    file is truncated or rewritten in place (a re-download) while the frame
    lives; ``pl.read_ipc`` copies too. A Parquet decode copies anyway, so its
    map is released with the file's bytes.
    """
    if fmt == "ipc":
        with pa.OSFile(str(path)) as fh:  # one read into Arrow's aligned memory
            return memoryview(fh.read_buffer())
    with path.open("rb") as fh:  # an empty file cannot be mapped: ValueError, damage
        return memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))


def read_columnar_bars(
    path: Path,
    /,
    *,
    kind: str,
    columns: Mapping[str, str] | None,
    timestamp: str | None,
    format: str | None,
    tz: str,
) -> tuple[pl.DataFrame, Detected]:
    """The six canonical columns of a Parquet or IPC file (not yet ordered or validated).

    Raises:
        DataContractError: Unreadable file, undetectable layout, or unparsable values.
    """
    try:
        index = _pandas_index(path, kind)
        if kind == "parquet":
            names = list(pl.read_parquet_schema(path))
        else:
            names = list(pl.read_ipc_schema(path))
    except _DAMAGE as exc:
        raise _unreadable(path, kind, exc) from exc
    roles = match_columns(names, path=str(path), columns=columns, timestamp=timestamp, index=index)
    wanted = [roles[r] for r in ("timestamp", *VALUE_NAMES)]
    try:
        # Through the cache's validating decoder, never pl.read_ipc/read_parquet:
        # polars trusts Arrow buffers, and a damaged file can crash it (docs/errors.md).
        fmt: Format = "parquet" if kind == "parquet" else "ipc"
        raw = frame_from_bytes(_file_bytes(path, fmt), fmt, wanted)
    except _DAMAGE as exc:
        raise _unreadable(path, kind, exc) from exc
    if raw.height == 0:
        msg = f"{path}: the file has columns but no rows"
        raise DataContractError(msg, hint="write at least one bar", context={"path": str(path)})
    time_raw = raw.get_column(roles["timestamp"])
    spec = _time_spec(time_raw, path, roles["timestamp"], format)
    stamps = parse_times(time_raw, spec, tz=tz)
    _check_parsed(path, time_raw, stamps, roles["timestamp"], spec.describe())
    values = []
    for role in VALUE_NAMES:
        col = raw.get_column(roles[role])
        cast = col.cast(pl.Float64, strict=False)
        _check_parsed(path, col, cast, roles[role], "a number")
        values.append(cast.alias(role))
    df = pl.DataFrame([stamps.alias("timestamp"), *values])
    extra = tuple(n for n in names if n not in roles.values())
    return df, Detected(path=str(path), kind=kind, columns=roles, time=spec, tz=tz, extra=extra)


def _time_spec(raw: pl.Series, path: Path, column: str, format: str | None) -> TimeSpec:
    dtype = raw.dtype
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        has_tz = isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
        return TimeSpec("native", has_offset=has_tz)
    if dtype.is_numeric() or dtype == pl.String:
        sample = raw.drop_nulls().head(_SAMPLE).cast(pl.String).to_list()
        return detect_time(sample, path=str(path), column=column, format=format)
    msg = f"{path}: time column {column!r} has dtype {dtype}; expected datetimes, epochs or text"
    raise DataContractError(
        msg, hint="name the time column with timestamp='...'", context={"path": str(path)}
    )


def _check_parsed(path: Path, raw: pl.Series, parsed: pl.Series, column: str, what: str) -> None:
    bad = parsed.is_null()
    if not bad.any():
        return
    i = int(bad.arg_true()[0])
    # a datetime past year 9999 cannot become a Python value: show its raw number
    value = raw.to_physical()[i] if raw.dtype.is_temporal() else raw[i]
    problem = "is empty" if value is None else f"{value!r} is not {what}"
    if not what.startswith("a "):
        problem = "is empty" if value is None else f"{value!r} is not a time in the format {what}"
    msg = f"{path}: record {i + 1}, column {column}: {problem}"
    raise DataContractError(
        msg,
        hint="fix or drop that record",
        context={"path": str(path), "record": i + 1, "column": column},
    )
