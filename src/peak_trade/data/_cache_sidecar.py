"""The checksum sidecar: its one-line format, and reading and writing it safely.

A sidecar ``<path>.<algo>`` holds one line::

    ptcache/1 <algo> <size>:<hexdigest>[ <size>:<hexdigest>]

The first ``size:digest`` pair describes the current file. A second pair is
present only while a write is swapping files in: it describes the previous
file, so a crash between the renames never makes good data look corrupt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from peak_trade.core._atomic import write_bytes_atomic
from peak_trade.core.errors import CacheCorruptionError

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "Entry",
    "Sidecar",
    "find_sidecar",
    "parse_sidecar",
    "read_sidecar",
    "remove_sidecars",
    "render_sidecar",
    "sidecar_path",
    "write_sidecar",
]

Algorithm = Literal["xxh3", "sha256", "hmac-sha256"]
# Strongest first: when several sidecars exist (only inside an interrupted switch of
# algorithm), a reader trusts the strongest one.
ALGORITHMS: tuple[Algorithm, ...] = ("hmac-sha256", "sha256", "xxh3")
_HEX_LEN = {"xxh3": 32, "sha256": 64, "hmac-sha256": 64}
_MAGIC = "ptcache/1"
_MAX_BYTES = 1024
assert set(get_args(Algorithm)) == set(ALGORITHMS)


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted version of the data file: its byte size and hex digest."""

    size: int
    digest: str


@dataclass(frozen=True, slots=True)
class Sidecar:
    """A parsed sidecar: the algorithm and the accepted versions, newest first."""

    algo: Algorithm
    entries: tuple[Entry, ...]
    text: str


def sidecar_path(path: Path, algo: Algorithm) -> Path:
    """``bars.arrow`` -> ``bars.arrow.xxh3``."""
    return path.with_name(f"{path.name}.{algo}")


def render_sidecar(algo: Algorithm, entries: list[Entry]) -> str:
    """The sidecar line for ``entries`` (newest first)."""
    pairs = " ".join(f"{e.size}:{e.digest}" for e in entries)
    return f"{_MAGIC} {algo} {pairs}\n"


def _bad(side: Path, what: str, text: str) -> CacheCorruptionError:
    msg = f"checksum sidecar {str(side)!r} is malformed: {what}"
    return CacheCorruptionError(
        msg,
        hint="rewrite the entry with atomic_write(...) to regenerate the data and its sidecar",
        context={"path": str(side), "got": text[:200]},
    )


def parse_sidecar(side: Path, algo: Algorithm, text: str) -> Sidecar:
    """Parse one sidecar line; anything off raises ``CacheCorruptionError``."""
    tokens = text.split()
    if not text.endswith("\n") or text.count("\n") != 1:
        raise _bad(side, "expected exactly one newline-terminated line", text)
    if len(tokens) not in (3, 4) or tokens[0] != _MAGIC:
        raise _bad(side, f"expected `{_MAGIC} <algo> <size>:<digest>`", text)
    if tokens[1] != algo:
        raise _bad(side, f"names algorithm {tokens[1]!r} but its suffix says {algo!r}", text)
    entries = []
    for token in tokens[2:]:
        size, sep, digest = token.partition(":")
        valid_hex = len(digest) == _HEX_LEN[algo] and all(c in "0123456789abcdef" for c in digest)
        if not (sep and size.isdigit() and size.isascii() and valid_hex):
            raise _bad(side, f"bad `<size>:<digest>` pair {token[:80]!r}", text)
        entries.append(Entry(int(size), digest))
    return Sidecar(algo, tuple(entries), text)


def read_sidecar(path: Path, algo: Algorithm) -> Sidecar | None:
    """The parsed sidecar of ``path`` for ``algo``, or None when it does not exist."""
    side = sidecar_path(path, algo)
    try:
        with side.open("rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise _bad(side, "not ASCII text", repr(raw[:80])) from exc
    if len(raw) > _MAX_BYTES:
        raise _bad(side, f"longer than {_MAX_BYTES} bytes", text)
    return parse_sidecar(side, algo, text)


def find_sidecar(path: Path) -> Sidecar | None:
    """The strongest sidecar present for ``path``, or None."""
    for algo in ALGORITHMS:
        found = read_sidecar(path, algo)
        if found is not None:
            return found
    return None


def write_sidecar(path: Path, algo: Algorithm, entries: list[Entry], *, sync_dir: bool) -> None:
    """Atomically replace the sidecar (the core atomic write; directory fsync if ``sync_dir``)."""
    data = render_sidecar(algo, entries).encode("ascii")
    write_bytes_atomic(sidecar_path(path, algo), data, sync_dir=sync_dir)


def remove_sidecars(path: Path, *, keep: Algorithm | None = None) -> bool:
    """Delete every sidecar of ``path`` except ``keep``; True when one was removed."""
    removed = False
    for algo in ALGORITHMS:
        if algo != keep:
            try:
                sidecar_path(path, algo).unlink()
            except FileNotFoundError:
                continue
            removed = True
    return removed
