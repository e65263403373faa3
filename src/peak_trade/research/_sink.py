"""The result sink: a directory of Parquet chunks, each written atomically.

A chunk file is named by its key and config hash (``part-<symbol>-<index>-<hash>``)
and carries an xxh3 checksum sidecar. On a rerun, chunks that are present and
verify are loaded instead of recomputed; damaged ones are recomputed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from peak_trade.core.errors import CacheCorruptionError, ConfigError
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.research._chunks import ChunkTask, chunk_name

__all__ = ["load_done", "write_chunk"]

_log = logging.getLogger(__name__)
_PATTERN = "part-*.parquet"
_SHOWN = 5


def _stale_error(out_dir: Path, stale: list[str], expected: int) -> ConfigError:
    msg = (
        f"output directory {str(out_dir)!r} holds {len(stale)} chunk file(s) of another "
        f"sweep (different grid, config, invariants, strategy or data), e.g. {stale[:_SHOWN]!r}"
    )
    return ConfigError(
        msg,
        hint="pass a fresh `output` directory, or delete the old part-*.parquet files",
        context={"output": str(out_dir), "stale": stale[:_SHOWN], "expected_chunks": expected},
    )


def load_done(
    out_dir: Path, tasks: Sequence[ChunkTask], /, *, keep: bool = True
) -> dict[tuple[int, int], pl.DataFrame]:
    """The finished chunks found in ``out_dir`` that verify, by their result order.

    With ``keep=False`` each chunk is verified and read, but only its empty
    schema is kept (a sweep that does not collect holds no rows).

    Raises:
        ConfigError: ``out_dir`` holds chunk files of a different sweep.
    """
    by_name = {chunk_name(t.symbol, t.index, t.key): t for t in tasks}
    present = sorted(p.name for p in out_dir.glob(_PATTERN)) if out_dir.is_dir() else []
    stale = [name for name in present if name not in by_name]
    if stale:
        raise _stale_error(out_dir, stale, len(by_name))
    done: dict[tuple[int, int], pl.DataFrame] = {}
    for name in present:
        task = by_name[name]
        try:
            frame = atomic_read(out_dir / name, verify_checksum=True)
        except (CacheCorruptionError, FileNotFoundError) as exc:
            if _log.isEnabledFor(logging.WARNING):
                _log.warning("sweep.chunk_rejected", extra={"path": name, "reason": str(exc)})
            continue
        if frame.height != len(task.combos):
            if _log.isEnabledFor(logging.WARNING):
                reason = f"{frame.height} rows, expected {len(task.combos)}"
                _log.warning("sweep.chunk_rejected", extra={"path": name, "reason": reason})
            continue
        done[task.order] = frame if keep else frame.clear()
    return done


def write_chunk(out_dir: Path, task: ChunkTask, frame: pl.DataFrame, /) -> Path:
    """Write one finished chunk atomically, with an xxh3 checksum sidecar."""
    path = out_dir / chunk_name(task.symbol, task.index, task.key)
    return atomic_write(frame, path, checksum="xxh3")
