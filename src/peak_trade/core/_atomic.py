"""The one crash-safe write: temp file, fsync, rename, directory fsync.

Every file peak_trade stores goes through :func:`atomic_file`: cached frames
and their sidecars, the cache manifest, ``repro.json``, and every file of a run
or sweep directory. A reader sees the old file or the new one, never half of
one; after a power cut the rename has either happened or not; on any failure
the temp file is removed and the old file is untouched.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PendingFile",
    "atomic_file",
    "fsync_dir",
    "temp_path",
    "write_bytes_atomic",
    "write_text_atomic",
]


def temp_path(path: Path, /) -> Path:
    """A hidden temp name beside ``path``, unique per process, thread and call."""
    tag = f"{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}"
    return path.with_name(f".{path.name}.{tag}.tmp")


def fsync_dir(directory: Path, /) -> None:
    """Make renames and unlinks in ``directory`` durable (a no-op on Windows)."""
    if os.name == "nt":  # pragma: no cover - POSIX CI; Windows cannot open a directory
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(slots=True)
class PendingFile:
    """The temp file being written: its raw ``fd`` and where it will go.

    Set ``synced`` once the caller has fsynced ``fd`` itself (the cache does that
    in a worker thread, beside other work); otherwise it is fsynced on commit.
    """

    path: Path
    tmp: Path
    fd: int
    synced: bool = False

    def write(self, data: bytes | memoryview, /) -> None:
        """Write all of ``data`` at the current position."""
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self.fd, view[done:])


@contextmanager
def atomic_file(path: str | os.PathLike[str], /, *, sync_dir: bool = True) -> Iterator[PendingFile]:
    """Write ``path`` through a temp file that replaces it when the block succeeds.

    Inside the block, write to the yielded :class:`PendingFile`. On a normal exit
    the temp file is fsynced (unless already ``synced``), closed, renamed over
    ``path`` with ``os.replace``, and the directory is fsynced (``sync_dir``). If
    the block or any step raises, the temp file is removed and the exception
    propagates; ``path`` is untouched.

    Example:
        >>> with atomic_file(tmp_path / "a.bin") as out:  # doctest: +SKIP
        ...     out.write(b"payload")
    """
    target = Path(path)
    tmp = temp_path(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    pending = PendingFile(target, tmp, fd)
    try:
        try:
            yield pending
            if not pending.synced:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # gone already after a successful rename
    if sync_dir:
        fsync_dir(target.parent)


def write_bytes_atomic(
    path: str | os.PathLike[str], data: bytes, /, *, sync_dir: bool = True
) -> Path:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_file`).

    Example:
        >>> write_bytes_atomic(tmp_path / "x.bin", b"\\x00\\x01")  # doctest: +SKIP
    """
    with atomic_file(path, sync_dir=sync_dir) as out:
        out.write(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str, /) -> Path:
    """Replace ``path`` with ``text`` as UTF-8, atomically (see :func:`atomic_file`).

    Example:
        >>> write_text_atomic(tmp_path / "run.json", '{"seed": 1}')  # doctest: +SKIP
    """
    return write_bytes_atomic(path, text.encode("utf-8"))
