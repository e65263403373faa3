"""Crash-safe, checksummed writes and reads of one cached frame.

:func:`atomic_write` writes through the one atomic write of ``core`` (a
hidden temp file in the target's directory, fsync, rename, directory fsync),
under an advisory lock on ``<path>.lock``. The digest is computed while the
bytes are written (no second read) and stored in a sidecar ``<path>.<algo>`` that is
updated in two phases, so that after a crash at any instant a verified
:func:`atomic_read` returns one complete version or raises
``CacheCorruptionError``. See ``docs/cache.md`` for the design.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import polars as pl
import pyarrow as pa

from peak_trade.core._atomic import PendingFile, atomic_file, fsync_dir
from peak_trade.core._frames import short_repr, to_polars
from peak_trade.core._options import is_one_of, require_flag
from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError
from peak_trade.data._cache_codec import (
    Compression,
    decode,
    encode,
    format_for,
    resolve_compression,
)
from peak_trade.data._cache_hashing import (
    HashingWriter,
    digest_file,
    hmac_key,
    map_file,
    new_hasher,
    release_cached_pages,
)
from peak_trade.data._cache_lock import path_lock
from peak_trade.data._cache_sidecar import (
    ALGORITHMS,
    Algorithm,
    Entry,
    Sidecar,
    find_sidecar,
    read_sidecar,
    remove_sidecars,
    sidecar_path,
    write_sidecar,
)

__all__ = ["Algorithm", "atomic_read", "atomic_write"]

_log = logging.getLogger(__name__)
_READ_ATTEMPTS = 3


def _check_algo(checksum: object) -> Algorithm | None:
    if checksum is True:
        return "sha256"  # the stability plan's `checksum=True`
    if checksum is False:
        return None
    if checksum is None or is_one_of(checksum, ALGORITHMS):
        return checksum  # type: ignore[return-value]  # None or one of ALGORITHMS
    expected = list(get_args(Algorithm))
    msg = (
        f"unknown checksum {short_repr(checksum)}; expected True, False, None or one of {expected}"
    )
    raise ConfigError(
        msg,
        hint='use checksum="xxh3" for speed, "sha256", or "hmac-sha256" for tamper evidence',
        context={"got": short_repr(checksum), "expected": list(ALGORITHMS)},
    )


def _write_temp(
    df: pl.DataFrame,
    out: PendingFile,
    algo: Algorithm | None,
    key: bytes | None,
    codec: Compression,
) -> Entry | None:
    """Encode ``df`` into the temp file (hashing on the way) and fsync it.

    With a checksum, the phase-one sidecar (new and previous entry) is written
    while the data fsync runs: it vouches for the old file until the rename. The
    old file's cached pages are released first, so the new bytes reuse that memory.
    """
    path = out.path
    fmt = format_for(path)
    hasher = None if algo is None else new_hasher(algo, key)
    release_cached_pages(path)
    with HashingWriter(out.fd, hasher) as sink:
        encode(df.to_arrow(), sink, fmt, codec)
        digest = sink.hexdigest()
        entry = None if digest is None else Entry(sink.tell(), digest)
        durable = sink.background(os.fsync, out.fd)
        try:
            if algo is not None and entry is not None:
                phase_one = [entry, *_previous(path, algo, key)]
                write_sidecar(path, algo, phase_one, sync_dir=True)
        finally:
            durable.result()
    out.synced = True
    return entry


def _previous(path: Path, algo: Algorithm, key: bytes | None) -> list[Entry]:
    """The entry (under ``algo``) of the file now at ``path``, if it verifies today.

    This is what the phase-one sidecar lists beside the new entry. The common case
    (one entry of the same algorithm, matching size) costs a ``stat``; after an
    interrupted write or a change of algorithm the old file is hashed once.
    """
    try:
        size = path.stat().st_size
        current = find_sidecar(path)
    except FileNotFoundError:
        return []
    except CacheCorruptionError:
        return []  # a damaged sidecar vouches for nothing
    if current is None:
        return []
    sized = [e for e in current.entries if e.size == size]
    if current.algo == algo and len(current.entries) == 1 and sized:
        return sized
    if not sized:
        return []
    old, new = digest_file(path, [current.algo, algo], key)
    if any(hmac.compare_digest(e.digest, old) for e in sized):
        return [Entry(size, new)]
    return []


def _write(
    df: pl.DataFrame, path: Path, algo: Algorithm | None, key: bytes | None, codec: Compression
) -> None:
    """Write and swap in ``path`` with the two-phase sidecar protocol (under its lock)."""
    with atomic_file(path) as out:  # temp file, fsync, rename, directory fsync
        entry = _write_temp(df, out, algo, key, codec)
        # Phase one (new + previous entry) is in place. Drop other sidecars before the
        # rename, so none can vouch for other bytes (all of them without a checksum).
        if remove_sidecars(path, keep=algo if entry is not None else None):
            fsync_dir(path.parent)
    if algo is not None and entry is not None:
        # Phase two: the new entry only. Its rename need not be durable: if a crash
        # loses it, the phase-one sidecar still vouches for the new file.
        write_sidecar(path, algo, [entry], sync_dir=False)


def atomic_write(
    df: Any,
    path: str | os.PathLike[str],
    /,
    *,
    checksum: Algorithm | bool | None = None,
    compression: str | None = None,
) -> Path:
    """Write ``df`` to ``path`` atomically, with an optional checksum sidecar.

    The suffix picks the format: ``.parquet`` for Parquet, ``.arrow``, ``.ipc``
    or ``.feather`` for Arrow IPC. The same frame always gives the same bytes.

    Args:
        df: The frame to store: polars DataFrame or LazyFrame, pyarrow Table, or
            pandas DataFrame (its DatetimeIndex is stored as a ``timestamp``
            column, any other named index as columns; see docs/cache.md).
        path: Target file; its parent directories are created.
        checksum: ``None``, ``"xxh3"`` (xxh3-128), ``"sha256"`` or ``"hmac-sha256"``
            (keyed by ``PEAK_TRADE_CACHE_KEY``); ``True`` means ``"sha256"`` and
            ``False`` means ``None``. ``None`` removes stale sidecars.
        compression: ``None`` for the format default (IPC uncompressed, Parquet
            zstd), or ``"uncompressed"``, ``"lz4"``, ``"zstd"`` (``"snappy"``
            for Parquet).

    Returns:
        The path written.

    Raises:
        CacheError: Unknown suffix, missing HMAC key, or a failed write (the
            temp file is removed and the cause chained).
        TypeError: ``df`` is not a frame.
        DataContractError: ``df`` could not be converted (a failing LazyFrame query).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "bars.arrow"
        >>> atomic_write(pl.DataFrame({"x": [1, 2]}), target, checksum="xxh3").name
        'bars.arrow'
    """
    started = time.perf_counter()
    target = Path(path)
    fmt = format_for(target)
    codec = resolve_compression(fmt, compression)
    algo = _check_algo(checksum)
    df = to_polars(df)
    key = hmac_key() if algo == "hmac-sha256" else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with path_lock(target):
            _write(df, target, algo, key, codec)
    except (OSError, pa.ArrowException) as exc:
        msg = f"writing cache file {str(target)!r} failed: {exc}"
        raise CacheError(
            msg,
            hint="check free disk space and permissions on the directory",
            context={"path": str(target), "errno": getattr(exc, "errno", None)},
            cause=exc,
        ) from exc
    if _log.isEnabledFor(logging.INFO):
        seconds = time.perf_counter() - started
        _log.info(
            "cache.write",
            extra={"path": str(target), "rows": df.height, "algorithm": algo, "seconds": seconds},
        )
    return target


def _no_sidecar(path: Path) -> CacheCorruptionError:
    names = ", ".join(sidecar_path(path, a).name for a in ALGORITHMS)
    msg = f"cannot verify {str(path)!r}: it has no checksum sidecar ({names})"
    return CacheCorruptionError(
        msg,
        hint='regenerate it with atomic_write(df, path, checksum="xxh3") from a trusted source',
        context={"path": str(path)},
    )


def _mismatch(path: Path, side: Sidecar, actual: Entry, what: str) -> CacheCorruptionError:
    expected = side.entries[0]
    msg = f"cached file {str(path)!r} fails its {side.algo} checksum: {what}"
    return CacheCorruptionError(
        msg,
        hint="the bytes changed after writing; delete the entry and write it again",
        context={
            "path": str(path),
            "algo": side.algo,
            "expected": f"{expected.size}:{expected.digest}",
            "actual": f"{actual.size}:{actual.digest}",
        },
    )


def _verified(
    path: Path, side: Sidecar, columns: list[str] | None
) -> tuple[pl.DataFrame | None, CacheCorruptionError | None]:
    """Hash the mapped bytes, and only when the digest matches, decode them.

    No decoder ever sees bytes the sidecar has not vouched for: damaged bytes
    can crash a decoder (a flipped offset sends polars out of bounds), so the
    digest judges them first. The decode is zero-copy and validates the Arrow
    data before polars sees it (see ``frame_from_bytes``).
    """
    fmt = format_for(path)
    mapped = map_file(path)
    size = len(mapped)
    if not any(e.size == size for e in side.entries):
        actual = Entry(size, "")
        return None, _mismatch(path, side, actual, f"size {size} is not the recorded size")
    key = hmac_key() if side.algo == "hmac-sha256" else None
    hasher = new_hasher(side.algo, key)
    view = memoryview(mapped)
    hasher.update(view)
    digest = hasher.hexdigest()
    if not any(e.size == size and hmac.compare_digest(e.digest, digest) for e in side.entries):
        return None, _mismatch(path, side, Entry(size, digest), "digest differs")
    try:
        return decode(view, path, fmt, columns), None
    except CacheCorruptionError as exc:
        return None, exc


def _read_verified(path: Path, columns: list[str] | None) -> pl.DataFrame:
    side = find_sidecar(path)
    failure: CacheCorruptionError | None = None
    for _ in range(_READ_ATTEMPTS):
        if side is None:
            if not path.exists():
                raise FileNotFoundError(path)
            raise _no_sidecar(path)
        frame, failure = _verified(path, side, columns)
        if frame is not None and failure is None:
            return frame
        # A writer may have swapped the pair between our two reads; look again.
        again = read_sidecar(path, side.algo) or find_sidecar(path)
        if again is not None and again.text == side.text:
            break
        side = again
    assert failure is not None  # the loop only ends early after a failure
    if _log.isEnabledFor(logging.WARNING):
        _log.warning("cache.corrupt", extra={"path": str(path), "reason": failure.message})
    raise failure


def atomic_read(
    path: str | os.PathLike[str],
    /,
    *,
    verify_checksum: bool = False,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read a frame written by :func:`atomic_write`, optionally verifying it.

    The sidecar's algorithm is found on its own. The file is mapped once. A
    verified read hashes the mapped bytes first and decodes them only when the
    digest matches; every read validates the Arrow data in full before polars
    sees it. Damage never crashes the process (docs/errors.md).

    Raises:
        FileNotFoundError: The file does not exist.
        CacheCorruptionError: The file is empty, truncated or undecodable; or,
            with ``verify_checksum``, it has no sidecar or fails it (``expected``,
            ``actual``, ``algo`` and ``path`` are in the error's context).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "bars.parquet"
        >>> _ = atomic_write(pl.DataFrame({"x": [1, 2]}), target, checksum="sha256")
        >>> atomic_read(target, verify_checksum=True)["x"].to_list()
        [1, 2]
    """
    started = time.perf_counter()
    verify_checksum = require_flag(verify_checksum, name="verify_checksum")
    target = Path(path)
    fmt = format_for(target)
    cols = None if columns is None else list(columns)
    if verify_checksum:
        frame = _read_verified(target, cols)
    else:
        frame = decode(memoryview(map_file(target)), target, fmt, cols)
    if _log.isEnabledFor(logging.INFO):
        seconds = time.perf_counter() - started
        _log.info(
            "cache.read",
            extra={
                "path": str(target),
                "rows": frame.height,
                "verified": verify_checksum,
                "seconds": seconds,
            },
        )
    return frame
