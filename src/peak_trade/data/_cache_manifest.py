"""The cache store's ``manifest.json``: one record per entry, written atomically.

The manifest is plain, sorted JSON (never pickle). It is read and rewritten only
under the store lock (``manifest.json.lock``), through the core atomic write
(temp file, fsync, rename, directory fsync), so a crash leaves the old or the
new manifest.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.core._atomic import write_text_atomic
from peak_trade.core.errors import CacheCorruptionError, jsonable

__all__ = ["MANIFEST", "CacheReport", "entry_record", "facts", "load_manifest", "store_manifest"]

MANIFEST = "manifest.json"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class CacheReport:
    """The outcome of ``OhlcvCache.verify_all``.

    Attributes:
        ok: Files that verify and match their manifest record.
        corrupt: ``(file, reason)`` for each file that fails its checksum, cannot
            be decoded, or disagrees with the manifest.
        missing: Files the manifest lists that do not exist.
        orphaned: Files in the root that no manifest record accounts for (data
            written outside the store, stray sidecars, temp files of killed writers).
        checked: How many manifest records were checked.
    """

    ok: tuple[str, ...] = ()
    corrupt: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()
    orphaned: tuple[str, ...] = ()
    checked: int = 0

    @property
    def clean(self) -> bool:
        """True when nothing is corrupt, missing or orphaned."""
        return not (self.corrupt or self.missing or self.orphaned)


def load_manifest(root: Path) -> dict[str, dict[str, Any]]:
    """The manifest's records by file name ({} when there is no manifest yet)."""
    path = root / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw)
        entries = data["entries"]
        if data.get("version") != _VERSION or not isinstance(entries, dict):
            raise TypeError("unexpected version or layout")
    except (ValueError, TypeError, KeyError) as exc:
        msg = f"cache manifest {str(path)!r} is unreadable: {exc}"
        raise CacheCorruptionError(
            msg,
            hint="restore it from a backup, or delete it and re-put the entries",
            context={"path": str(path)},
            cause=exc,
        ) from exc
    return entries


def store_manifest(root: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Replace the manifest atomically (call under the store lock)."""
    text = json.dumps({"version": _VERSION, "entries": entries}, indent=1, sort_keys=True)
    write_text_atomic(root / MANIFEST, text + "\n")


def _bounds(df: pl.DataFrame) -> tuple[Any, Any]:
    if "timestamp" not in df.columns or df.height == 0:
        return None, None
    ts = df.get_column("timestamp")
    return jsonable(ts.first()), jsonable(ts.last())


def entry_record(
    key: str | list[str], file: str, algo: str | None, digest: str | None, df: pl.DataFrame
) -> dict[str, Any]:
    """The manifest record of one entry."""
    return {
        "key": key,
        "file": file,
        "algorithm": algo,
        "digest": digest,
        **facts(df),
        "written_at": dt.datetime.now(dt.UTC).isoformat(),
    }


def facts(df: pl.DataFrame) -> dict[str, Any]:
    """The record fields that must match the stored frame."""
    first, last = _bounds(df)
    schema = {name: str(dtype) for name, dtype in df.schema.items()}
    return {"rows": df.height, "first": first, "last": last, "schema": schema}
