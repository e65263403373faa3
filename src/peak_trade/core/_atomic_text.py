"""Crash-safe text writes: a same-directory temp file, fsync, rename, directory fsync."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic"]


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; Windows cannot open a directory, so skip it there."""
    if os.name == "nt":  # pragma: no cover - POSIX CI
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike[str], text: str, /) -> Path:
    """Write ``text`` as UTF-8 so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same directory, are flushed and
    fsynced, then renamed over ``path`` with ``os.replace``; the directory is
    fsynced so the rename survives a power cut. On any failure the temporary file
    is removed and the ``OSError`` propagates; the old file is untouched.

    Example:
        >>> write_text_atomic(tmp_path / "run.json", '{"seed": 1}')  # doctest: +SKIP
    """
    target = Path(path)
    directory = target.parent
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_directory(directory)
    return target
