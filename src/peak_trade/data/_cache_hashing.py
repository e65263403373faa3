"""Digests for the cache: hasher objects, a hashing file sink, and mapped reads.

Every hasher here (xxh3-128 from ``xxhash``, sha256 and HMAC-sha256 from OpenSSL
through ``hashlib``/``hmac``) releases the GIL while it digests a large buffer, so
hashing in a worker thread really runs beside the write or the decode.
"""

from __future__ import annotations

import hashlib
import hmac
import mmap
import os
import stat
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Protocol

import xxhash

from peak_trade.core.errors import CacheCorruptionError, CacheError
from peak_trade.data._cache_sidecar import Algorithm

__all__ = [
    "KEY_ENV",
    "Hasher",
    "HashingWriter",
    "digest_file",
    "hmac_key",
    "map_file",
    "new_hasher",
    "release_cached_pages",
]

KEY_ENV = "PEAK_TRADE_CACHE_KEY"
# Below this size a chunk is hashed inline: a thread hand-off costs more.
_PARALLEL_MIN = 1 << 20
_WRITE_SLICE = 8 << 20
_FADVISE = getattr(os, "posix_fadvise", None)  # absent on macOS and Windows


class Hasher(Protocol):
    """The part of the hashlib interface the cache uses."""

    def update(self, data: memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...


def hmac_key() -> bytes:
    """The HMAC key from ``PEAK_TRADE_CACHE_KEY`` (UTF-8), or ``CacheError``."""
    key = os.environ.get(KEY_ENV, "")
    if not key:
        msg = f'checksum "hmac-sha256" needs a key, but `{KEY_ENV}` is unset or empty'
        raise CacheError(
            msg,
            hint=f"export {KEY_ENV}=<secret shared by every reader and writer of this cache>",
            context={"env": KEY_ENV},
        )
    return key.encode("utf-8")


def new_hasher(algo: Algorithm, key: bytes | None = None) -> Hasher:
    """A fresh hasher for ``algo`` (``key`` is required for HMAC)."""
    if algo == "xxh3":
        hasher: Hasher = xxhash.xxh3_128()
        return hasher
    if algo == "sha256":
        return hashlib.sha256()
    return hmac.new(key if key is not None else hmac_key(), digestmod="sha256")


class HashingWriter:
    """A write-only binary sink over a raw fd that digests the bytes it writes.

    Large chunks are hashed in a worker thread while the main thread writes them,
    on the same buffer, and the call returns once both are done; so the digest
    comes from the same pass as the write and the buffer is never copied.
    """

    closed = False

    def __init__(self, fd: int, hasher: Hasher | None) -> None:
        self._fd = fd
        self._hasher = hasher
        self._pos = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="peak_trade-hash")

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pool.shutdown(wait=True)

    def background(self, fn: Callable[[int], None], fd: int, /) -> Future[None]:
        """Run ``fn(fd)`` (an fsync) in the worker thread."""
        return self._pool.submit(fn, fd)

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        return None

    def close(self) -> None:
        # The fd belongs to the caller, who fsyncs and closes it.
        return None

    def _write_all(self, view: memoryview) -> None:
        # 8 MiB syscalls, each followed by a hint that starts writeback of the slice
        # at once (on Linux, POSIX_FADV_DONTNEED starts writing dirty pages back and
        # drops only pages already clean), so the closing fsync has little left.
        done = 0
        while done < len(view):
            n = os.write(self._fd, view[done : done + _WRITE_SLICE])
            if _FADVISE is not None:
                _FADVISE(self._fd, self._pos + done, n, os.POSIX_FADV_DONTNEED)
            done += n

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")
        n = len(view)
        if self._hasher is None:
            self._write_all(view)
        elif n >= _PARALLEL_MIN:
            pending = self._pool.submit(self._hasher.update, view)
            try:
                self._write_all(view)
            finally:
                pending.result()
        else:
            self._hasher.update(view)
            self._write_all(view)
        self._pos += n
        return n

    def hexdigest(self) -> str | None:
        """The digest of everything written so far (None without a hasher)."""
        return None if self._hasher is None else self._hasher.hexdigest()


def release_cached_pages(path: Path) -> None:
    """Ask the kernel to drop the clean cached pages of the regular file at ``path``.

    Called on the version about to be replaced, before its successor is written:
    the page cache then holds one copy of the file, not two, and the new file is
    written into memory just freed rather than into pages the system may have
    handed back (on a VM with free page reporting, re-touching such memory costs a
    host fault per page). The file and its bytes are untouched; pages that are
    mapped or dirty stay. A missing path, a symlink or a non-regular file is left
    alone. A no-op where ``posix_fadvise`` does not exist.
    """
    if _FADVISE is None:
        return
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return
    try:
        _FADVISE(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def map_file(path: Path) -> mmap.mmap:
    """Map ``path`` read-only; an empty file is corrupt, a missing one is not found."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            msg = f"cached file {str(path)!r} is empty (0 bytes)"
            raise CacheCorruptionError(
                msg,
                hint="the write never completed; rewrite it with atomic_write(...)",
                context={"path": str(path), "size": 0},
            )
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def digest_file(path: Path, algos: list[Algorithm], key: bytes | None) -> list[str]:
    """Hex digests of ``path`` for each of ``algos``, from one mapped pass."""
    hashers = [new_hasher(a, key) for a in algos]
    try:
        mapped = map_file(path)
    except CacheCorruptionError:
        mapped = None
    if mapped is not None:
        with mapped, memoryview(mapped) as view:
            for hasher in hashers:
                hasher.update(view)
    return [h.hexdigest() for h in hashers]
