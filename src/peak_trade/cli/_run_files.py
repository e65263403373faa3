"""The files of a run directory: atomic writes, the completion marker, comparison.

A run is written into ``<output_dir>/<run_id>.partial/`` and renamed to
``<output_dir>/<run_id>/`` after the marker :data:`MARKER` (written last) lists
the SHA-256 of every other file. A directory without the marker, or still named
``*.partial``, is not a complete run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Final

import polars as pl

from peak_trade.core._atomic import fsync_dir, write_text_atomic
from peak_trade.core.errors import PeakTradeError, jsonable
from peak_trade.data._cache_lock import lock_path
from peak_trade.data.cache_atomic import atomic_write

__all__ = [
    "COMPARED",
    "COMPARED_SWEEP",
    "MARKER",
    "PARTIAL_SUFFIX",
    "compare_runs",
    "finish_run",
    "sha256_file",
    "start_run",
    "write_frame",
    "write_json",
]

MARKER: Final = "_COMPLETE"
PARTIAL_SUFFIX: Final = ".partial"
#: The files that must be byte-identical between two runs of one config.
COMPARED: Final = ("equity.arrow", "trades.parquet", "stats.json", "config.toml")
#: The same for two sweeps of one config.
COMPARED_SWEEP: Final = ("sweep.parquet", "config.toml")


def start_run(root: Path, run_id: str) -> Path:
    """Create and return ``root/<run_id>.partial``, the directory a run writes into.

    Raises:
        PeakTradeError: The directory cannot be created.
    """
    partial = root / (run_id + PARTIAL_SUFFIX)
    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        msg = f"cannot create the run directory `{partial}`: {exc.strerror or exc}"
        hint = "check `run.output_dir` and its permissions"
        raise PeakTradeError(msg, hint=hint, context={"path": str(partial)}, cause=exc) from exc
    return partial


def write_frame(df: pl.DataFrame, path: Path, /) -> Path:
    """Write ``df`` through :func:`~peak_trade.data.cache_atomic.atomic_write`.

    Arrow IPC (``.arrow``, uncompressed) or Parquet (zstd), with the cache's fixed
    encoder options, so the same frame gives the same bytes. No sidecar: the run's
    marker holds every file's SHA-256.

    Example:
        >>> write_frame(pl.DataFrame({"a": [1]}), tmp_path / "x.arrow")  # doctest: +SKIP
    """
    atomic_write(df, path)
    lock_path(path).unlink(missing_ok=True)  # the run directory is private to this writer
    return path


def write_json(data: Any, path: Path, /) -> Path:
    """Write key-sorted JSON atomically; non-finite floats become strings.

    Example:
        >>> write_json({"b": 1, "a": float("nan")}, tmp_path / "s.json")  # doctest: +SKIP
    """
    return write_text_atomic(path, json.dumps(jsonable(data), indent=2, sort_keys=True) + "\n")


def sha256_file(path: Path, /) -> str:
    """The hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def finish_run(partial: Path, final: Path, /) -> Path:
    """Write the marker (SHA-256 of every file) last, then rename ``partial`` to ``final``.

    Raises:
        PeakTradeError: ``final`` already exists.

    Example:
        >>> finish_run(out / "id.partial", out / "id")  # doctest: +SKIP
    """
    files = sorted(p.name for p in partial.iterdir() if p.is_file() and p.name != MARKER)
    write_json({"files": {name: sha256_file(partial / name) for name in files}}, partial / MARKER)
    if final.exists():
        msg = f"run directory `{final}` already exists"
        raise PeakTradeError(msg, hint="remove it or choose another output_dir")
    os.replace(partial, final)
    fsync_dir(final.parent)
    return final


def compare_runs(expected: Path, got: Path, /, *, names: tuple[str, ...] = COMPARED) -> list[str]:
    """The ``names`` (default :data:`COMPARED`) whose bytes differ (or that are missing).

    Example:
        >>> compare_runs(run_a, run_b)  # doctest: +SKIP
        []
    """
    differ = []
    for name in names:
        a, b = expected / name, got / name
        if not (a.is_file() and b.is_file()) or a.read_bytes() != b.read_bytes():
            differ.append(name)
    return differ
