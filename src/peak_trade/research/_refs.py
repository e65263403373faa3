"""Data by reference: each symbol's bars stay on disk until a worker needs them.

The driver turns an ``OhlcvCache`` with a list of keys, or a ``{symbol: path}``
mapping, into :class:`SymbolRef` records: where the file is, the key to name in
errors, and a fingerprint for the chunk hash (the checksum sidecar's digest, or
the file's size and modification time). It reads no bar data. A worker calls
:func:`load_ref`: a memory-mapped Arrow IPC read (or a Parquet read), the checksum
verified and the OHLCV contract checked once per worker per symbol, and a small
LRU so that consecutive chunks of one symbol do not reload it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError, PeakTradeError
from peak_trade.data._cache_codec import format_for
from peak_trade.data._cache_sidecar import find_sidecar
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.cache_atomic import atomic_read
from peak_trade.data.contracts import validate_ohlcv

__all__ = ["LRU_SIZE", "SymbolRef", "clear_loaded", "is_reference", "load_ref", "resolve_refs"]

#: Symbols a worker keeps loaded (a 100,000-bar symbol is ~4.8 MB of mapped pages).
LRU_SIZE = 4
_LOCK = threading.Lock()
_LOADED: OrderedDict[tuple[str, str], pl.DataFrame] = OrderedDict()
_CHECKED: set[tuple[str, str]] = set()
_LOADING: dict[tuple[str, str], threading.Lock] = {}


@dataclass(frozen=True, slots=True)
class SymbolRef:
    """Where a worker finds one symbol's bars.

    Args:
        symbol: The symbol (the result's ``symbol`` column).
        location: A local path, or a URI that pyarrow's filesystems open.
        key: What errors name: the cache key, or the path as given.
        fingerprint: The data part of the chunk hash.
        verify: Verify the checksum sidecar (once per worker).
    """

    symbol: str
    location: str
    key: str
    fingerprint: str
    verify: bool

    @property
    def remote(self) -> bool:
        """True for a URI opened through a pyarrow filesystem."""
        return "://" in self.location


def is_reference(value: Any) -> bool:
    """True for a value that names a file: a path or a string."""
    return isinstance(value, str | os.PathLike)


def _file_error(key: str, location: str, why: str) -> CacheError:
    msg = f"sweep: no data for {key!r}: {why}"
    return CacheError(
        msg,
        hint="check the path (or put the key into the cache) before sweeping",
        context={"key": key, "path": location, "reason": "missing"},
    )


def _local_ref(symbol: str, path: Path, key: str, *, verify: bool) -> SymbolRef:
    format_for(path)  # an unknown suffix is a CacheError now, not in a worker
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise _file_error(key, str(path), "the file does not exist") from exc
    side = find_sidecar(path) if verify else None
    if side is not None:
        fingerprint = f"{side.algo}:{side.entries[0].digest}"
    else:  # no sidecar: the worker's verification fails, or verification is off
        fingerprint = f"stat:{stat.st_size}:{stat.st_mtime_ns}"
    return SymbolRef(symbol, str(path), key, fingerprint, verify)


def _remote_ref(symbol: str, uri: str) -> SymbolRef:
    format_for(Path(uri.split("?", 1)[0]))
    try:
        fs, path = pafs.FileSystem.from_uri(uri)
        info = fs.get_file_info(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        msg = f"sweep: cannot open {uri!r}: {exc}"
        hint = "check the URI and the credentials in the environment"
        raise CacheError(msg, hint=hint, context={"key": uri, "path": uri}) from exc
    if info.type != pafs.FileType.File:
        raise _file_error(uri, uri, "no such file")
    mtime = info.mtime_ns if info.mtime_ns is not None else 0
    return SymbolRef(symbol, uri, uri, f"stat:{info.size}:{mtime}", verify=False)


def _symbol_of(key: Any) -> str:
    """The symbol of a cache key: the key itself, or the middle of a 3-tuple."""
    if isinstance(key, str) and key:
        return key
    if isinstance(key, tuple) and len(key) == 3 and all(isinstance(p, str) for p in key):
        return str(key[1])
    msg = f"`symbols` holds {key!r}, which is not a cache key"
    raise ConfigError(
        msg,
        hint='a key is a string or a (provider, symbol, timeframe) tuple, e.g. "BTC/USDT"',
        context={"got": repr(key)[:200]},
    )


def resolve_refs(
    data: OhlcvCache | Mapping[str, Any], /, *, symbols: Sequence[Any] | None
) -> list[SymbolRef]:
    """The references of a sweep's symbols, in order; the files are checked, not read.

    Raises:
        ConfigError: No symbols, duplicates, or ``symbols`` missing/extra.
        CacheError: A file is missing or its format is unknown.
    """
    if isinstance(data, OhlcvCache):
        if symbols is None or isinstance(symbols, str) or not symbols:
            msg = "sweep over an OhlcvCache needs `symbols=[...]`: the keys to sweep"
            raise ConfigError(msg, hint='e.g. symbols=["BTC/USDT", "ETH/USDT"]')
        pairs = [(_symbol_of(k), k) for k in symbols]
    else:
        if symbols is not None:
            msg = "`symbols` goes with an OhlcvCache; a mapping already names its symbols"
            raise ConfigError(msg, hint="drop `symbols`, or pass an OhlcvCache")
        pairs = list(data.items())
    names = [s for s, _ in pairs]
    dups = sorted({s for s in names if names.count(s) > 1})
    if dups:
        msg = f"duplicate symbols in the sweep: {dups[:5]!r}"
        raise ConfigError(msg, hint="list each symbol once", context={"duplicates": dups[:5]})
    refs = []
    for symbol, where in pairs:
        if isinstance(data, OhlcvCache):
            key = where if isinstance(where, str) else "~".join(where)
            verify = data.checksum is not None
            refs.append(_local_ref(symbol, data.path_for(where), key, verify=verify))
            continue
        text = os.fspath(where)
        if text.startswith("file://"):
            text = text[len("file://") :]
        if "://" in text:
            refs.append(_remote_ref(symbol, text))
        else:
            refs.append(_local_ref(symbol, Path(text), os.fspath(where), verify=True))
    return refs


def _read_remote(ref: SymbolRef) -> pl.DataFrame:
    fs, path = pafs.FileSystem.from_uri(ref.location)
    try:
        if format_for(Path(path)) == "parquet":
            table = pq.read_table(path, filesystem=fs)
        else:
            with fs.open_input_file(path) as handle:
                table = ipc.open_file(handle).read_all()
    except (pa.ArrowException, OSError) as exc:
        msg = f"cannot read {ref.location!r}: {exc}"
        raise CacheCorruptionError(
            msg, hint="check the file", context={"path": ref.location}
        ) from exc
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)  # a Table always gives a DataFrame
    return frame


def _read(ref: SymbolRef, *, check: bool) -> pl.DataFrame:
    if ref.remote:
        return _read_remote(ref)
    try:
        return atomic_read(ref.location, verify_checksum=check and ref.verify)
    except FileNotFoundError as exc:
        raise _file_error(ref.key, ref.location, "the file disappeared") from exc


def load_ref(ref: SymbolRef, /) -> pl.DataFrame:
    """The symbol's frame, from this worker's LRU or read (and checked once).

    Raises:
        CacheCorruptionError: The file fails its checksum or cannot be decoded;
            ``context`` holds ``key`` and ``symbol``.
        DataContractError: The bars break the strict OHLCV contract.
    """
    ident = (ref.location, ref.fingerprint)
    with _LOCK:
        gate = _LOADING.setdefault(ident, threading.Lock())
    with gate:  # threads wanting one symbol load it once; other symbols load in parallel
        with _LOCK:
            frame = _LOADED.get(ident)
            if frame is not None:
                _LOADED.move_to_end(ident)
                return frame
            check = ident not in _CHECKED
        try:
            frame = _read(ref, check=check)
            if check:
                validate_ohlcv(frame, strict=True)
        except PeakTradeError as exc:
            exc.context.setdefault("key", ref.key)
            exc.context.setdefault("symbol", ref.symbol)
            raise
        with _LOCK:
            _CHECKED.add(ident)
            _LOADED[ident] = frame
            while len(_LOADED) > LRU_SIZE:
                _LOADED.popitem(last=False)
            if len(_LOADING) > 4 * LRU_SIZE + 64:  # gates of long-evicted symbols
                for old in [k for k in _LOADING if k not in _LOADED and k != ident]:
                    del _LOADING[old]
    return frame


def clear_loaded() -> None:
    """Forget this process's loaded and checked symbols (the next load re-verifies)."""
    with _LOCK:
        _LOADED.clear()
        _CHECKED.clear()
        _LOADING.clear()
