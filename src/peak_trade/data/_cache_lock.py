"""An advisory, exclusive lock per cached path: ``flock`` on ``<path>.lock``.

``flock`` locks belong to an open file description, so two threads that each
open the lock file exclude each other just as two processes do. The lock file
is left in place on purpose: deleting it while another writer has it open (or
is about to open it) would let two writers hold "the" lock on different inodes.
The kernel drops the lock when its holder dies, even after ``kill -9``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["lock_path", "path_lock"]


def lock_path(path: Path) -> Path:
    """``bars.arrow`` -> ``bars.arrow.lock``."""
    return path.with_name(f"{path.name}.lock")


@contextmanager
def path_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive advisory lock of ``path`` for the block (blocking)."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last fd of the description releases the lock
