"""Damages to stored bytes, each drawn from a seeded ``random.Random``.

Every damage changes the file: a flip XORs a byte with a non-zero mask, a
truncation keeps fewer bytes, garbage adds at least one byte. Half of the flips
land in the first or last 512 bytes, where Arrow IPC and Parquet keep their
schema, footer and first batch header, so few cases find the structural bugs.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Literal

__all__ = ["KINDS", "Kind", "damage_bytes", "damage_file", "swap"]

Kind = Literal["flip", "truncate", "append", "zero", "swap"]
KINDS: tuple[Kind, ...] = ("flip", "truncate", "append", "zero", "swap")
_EDGE = 512


def _position(rng: random.Random, size: int) -> int:
    if rng.random() < 0.5 or size <= 2 * _EDGE:
        return rng.randrange(size)
    offset = rng.randrange(_EDGE)
    return offset if rng.random() < 0.5 else size - 1 - offset


def damage_bytes(raw: bytes, kind: Kind, rng: random.Random) -> bytes:
    """``raw`` with one damage of ``kind`` (not ``swap``, which needs a second file)."""
    if kind == "zero" or not raw:
        return b""
    if kind == "truncate":
        return raw[: rng.randrange(1, len(raw))] if len(raw) > 1 else b""
    if kind == "append":
        return raw + rng.randbytes(rng.randint(1, 64))
    data = bytearray(raw)
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        data[_position(rng, len(data))] ^= rng.randint(1, 255)
    return bytes(data)


def damage_file(path: Path, kind: Kind, rng: random.Random) -> None:
    """Damage ``path`` in place."""
    path.write_bytes(damage_bytes(path.read_bytes(), kind, rng))


def swap(path: Path, other: Path) -> None:
    """Put ``other``'s bytes in place of ``path``'s (a sidecar or file of another version)."""
    shutil.copyfile(other, path)
