"""Encoding frames to Arrow IPC or Parquet bytes, deterministically, and back.

The same frame always encodes to the same bytes: the writers get fixed options
(compression, statistics, no schema metadata from the caller), and neither
format embeds a wall-clock time. Decoding works on an in-memory (usually
mapped) buffer, so the bytes that were hashed are the bytes that are decoded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from peak_trade.core._frames import short_repr
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError
from peak_trade.data._cache_hashing import HashingWriter

__all__ = [
    "Compression",
    "Format",
    "decode",
    "encode",
    "format_for",
    "frame_from_bytes",
    "resolve_compression",
]

Format = Literal["ipc", "parquet"]
Compression = Literal["uncompressed", "lz4", "zstd", "snappy"]
_SUFFIXES: dict[str, Format] = {
    ".parquet": "parquet",
    ".arrow": "ipc",
    ".ipc": "ipc",
    ".feather": "ipc",
}
_ALLOWED: dict[Format, tuple[Compression, ...]] = {
    "ipc": ("uncompressed", "lz4", "zstd"),
    "parquet": ("uncompressed", "snappy", "lz4", "zstd"),
}
_DEFAULT: dict[Format, Compression] = {"ipc": "uncompressed", "parquet": "zstd"}
_ROW_GROUP = 1 << 20


def format_for(path: Path) -> Format:
    """The storage format named by the suffix of ``path``, or ``CacheError``."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        msg = f"cannot tell the cache format of {str(path)!r} from its suffix {path.suffix!r}"
        raise CacheError(
            msg,
            hint="name the file *.parquet for Parquet or *.arrow / *.ipc / *.feather for Arrow IPC",
            context={"path": str(path), "suffix": path.suffix, "expected": sorted(_SUFFIXES)},
        )
    return fmt


def resolve_compression(fmt: Format, compression: str | None) -> Compression:
    """The codec to use: ``None`` is the format default (IPC none, Parquet zstd)."""
    if compression is None:
        return _DEFAULT[fmt]
    allowed = _ALLOWED[fmt]
    if not is_one_of(compression, allowed):
        got = short_repr(compression)
        msg = f"compression {got} is not available for {fmt}; expected one of {allowed}"
        raise ConfigError(
            msg,
            hint=f"pass compression=None for the {fmt} default ({_DEFAULT[fmt]!r})",
            context={"format": fmt, "got": short_repr(compression), "expected": list(allowed)},
        )
    return compression  # type: ignore[return-value]  # is_one_of checked it is one of `allowed`


def encode(table: pa.Table, sink: HashingWriter, fmt: Format, compression: Compression) -> None:
    """Write ``table`` to ``sink`` with fixed, deterministic writer options."""
    table = table.replace_schema_metadata(None)
    codec = None if compression == "uncompressed" else compression
    if fmt == "ipc":
        options = ipc.IpcWriteOptions(compression=codec)
        with ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
        return
    with pq.ParquetWriter(
        sink,
        table.schema,
        compression=codec or "none",
        write_statistics=True,
        use_dictionary=False,
        write_page_index=False,
        store_schema=True,
    ) as writer:
        writer.write_table(table, row_group_size=_ROW_GROUP)


def _corrupt(path: Path, exc: BaseException) -> CacheCorruptionError:
    msg = f"cached file {str(path)!r} cannot be decoded: {exc}"
    return CacheCorruptionError(
        msg,
        hint="the file is truncated or damaged; delete it and write it again",
        context={"path": str(path)},
        cause=exc,
    )


def _check_columns(path: Path, schema: pa.Schema, columns: list[str] | None) -> None:
    if columns is None:
        return
    unknown = [c for c in columns if c not in schema.names]
    if unknown:
        msg = f"columns {unknown!r} are not in cached file {str(path)!r}"
        raise CacheError(
            msg,
            hint=f"choose from {schema.names!r}",
            context={"path": str(path), "got": unknown, "expected": schema.names},
        )


def frame_from_bytes(buffer: memoryview, fmt: Format, columns: list[str] | None) -> pl.DataFrame:
    """The frame in a whole IPC or Parquet file held in ``buffer``, zero-copy for IPC.

    The Arrow data is validated in full (offsets, lengths, UTF-8) before polars
    sees it: polars trusts Arrow buffers, and a damaged offset makes it read out
    of bounds (a crash, not an exception). That costs under a millisecond for 2M
    OHLCV rows (per buffer, not per value, for numbers), so even bytes a checksum
    has vouched for get it: a sidecar proves the bytes unchanged, not well formed.
    Damage raises ``pa.ArrowException``, ``ValueError`` or ``OSError``, never
    anything else; any reader of untrusted columnar bytes should come through
    here rather than ``pl.read_ipc``, which can panic.
    """
    data = pa.py_buffer(buffer)
    if fmt == "ipc":
        reader = ipc.open_file(data)
        table = reader.read_all() if columns is None else reader.read_all().select(columns)
    else:
        table = pq.ParquetFile(pa.BufferReader(data)).read(columns=columns)
    table.validate(full=True)
    frame = pl.from_arrow(table, rechunk=False)
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a Table always gives a frame
        raise TypeError(type(frame).__name__)
    return frame


def _schema(buffer: memoryview, fmt: Format) -> pa.Schema:
    data = pa.py_buffer(buffer)
    if fmt == "ipc":
        return ipc.open_file(data).schema
    return pq.ParquetFile(pa.BufferReader(data)).schema_arrow


def decode(buffer: memoryview, path: Path, fmt: Format, columns: list[str] | None) -> pl.DataFrame:
    """Decode a whole file held in ``buffer``; damage raises ``CacheCorruptionError``."""
    try:
        if columns is not None:
            _check_columns(path, _schema(buffer, fmt), columns)
        return frame_from_bytes(buffer, fmt, columns)
    except (pa.ArrowException, pl.exceptions.PolarsError, OSError, ValueError, TypeError) as exc:
        raise _corrupt(path, exc) from exc
