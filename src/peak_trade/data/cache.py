"""``OhlcvCache``: a directory of checksummed OHLCV frames with a manifest.

Each entry is one file written by :func:`~peak_trade.data.cache_atomic.atomic_write`
(Arrow IPC or Parquet, with a checksum sidecar). ``put`` runs the strict data
contract first, then writes the file and its ``manifest.json`` record while
holding the store lock, so the manifest always describes the files on disk
unless a crash falls between the two (which ``verify_all`` reports).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import polars as pl

from peak_trade.core._atomic import fsync_dir
from peak_trade.core._frames import short_repr, to_polars
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError
from peak_trade.data._cache_keys import CacheKey, decode_stem, encode_key, key_label
from peak_trade.data._cache_lock import path_lock
from peak_trade.data._cache_manifest import (
    MANIFEST,
    CacheReport,
    entry_record,
    facts,
    load_manifest,
    store_manifest,
)
from peak_trade.data._cache_sidecar import (
    ALGORITHMS,
    Algorithm,
    read_sidecar,
    remove_sidecars,
    sidecar_path,
)
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.data.contracts import validate_ohlcv

__all__ = ["CacheKey", "CacheReport", "OhlcvCache"]

_log = logging.getLogger(__name__)
_SUFFIX = {"arrow": ".arrow", "parquet": ".parquet"}


class OhlcvCache:
    """A store of OHLCV frames under ``root``, one checksummed file per key.

    Args:
        root: The store directory (created on first write).
        format: ``"arrow"`` (Arrow IPC, fastest to read) or ``"parquet"``.
        checksum: Sidecar algorithm for every entry, or None for none.

    Example:
        >>> import tempfile
        >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
        >>> cache = OhlcvCache(tempfile.mkdtemp())
        >>> _ = cache.put(("binance", "BTC/EUR", "1h"), synthetic_ohlcv(24))
        >>> cache.get(("binance", "BTC/EUR", "1h")).height
        24
    """

    __slots__ = ("_checksum", "_format", "_root", "_suffix")

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        format: Literal["arrow", "parquet"] = "arrow",
        checksum: Algorithm | None = "xxh3",
    ) -> None:
        if not is_one_of(format, _SUFFIX):
            msg = f"unknown cache format {short_repr(format)}; expected 'arrow' or 'parquet'"
            raise ConfigError(msg, hint='use format="arrow"', context={"got": short_repr(format)})
        if checksum is not None and not is_one_of(checksum, ALGORITHMS):
            got = short_repr(checksum)
            msg = f"unknown checksum {got}; expected None or one of {list(ALGORITHMS)}"
            raise ConfigError(msg, hint='use checksum="xxh3"', context={"got": got})
        self._root = Path(root)
        self._format = format
        self._checksum: Algorithm | None = checksum
        self._suffix = _SUFFIX[format]

    def __repr__(self) -> str:
        return (
            f"OhlcvCache({str(self._root)!r}, format={self._format!r}, checksum={self._checksum!r})"
        )

    @property
    def root(self) -> Path:
        """The store directory."""
        return self._root

    @property
    def checksum(self) -> Algorithm | None:
        """The sidecar algorithm of every entry, or None when entries have none."""
        return self._checksum

    def path_for(self, key: CacheKey, /) -> Path:
        """The file that holds ``key`` (always directly inside ``root``).

        Example:
            >>> OhlcvCache("/c").path_for("BTC/EUR").name
            's-BTC%2FEUR.arrow'
        """
        return self._root / (encode_key(key) + self._suffix)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot create cache root {str(self._root)!r}: {exc}"
            raise CacheError(msg, hint="check the path and its permissions", cause=exc) from exc
        with path_lock(self._root / MANIFEST):
            yield

    def put(self, key: CacheKey, df: Any, /, *, validate: bool = True) -> Path:
        """Store ``df`` under ``key`` after the strict OHLCV contract gate.

        Raises:
            DataContractError: ``validate`` is on and the frame breaks the contract.
            CacheError: Bad key, or the write failed.

        Example:
            >>> import tempfile
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> OhlcvCache(tempfile.mkdtemp()).put("spot", synthetic_ohlcv(3)).name
            's-spot.arrow'
        """
        path = self.path_for(key)
        df = to_polars(df)  # any frame kind, as everywhere (docs/errors.md)
        if validate:
            validate_ohlcv(df, strict=True, require_tz=True)
        with self._locked():
            atomic_write(df, path, checksum=self._checksum)
            side = None if self._checksum is None else read_sidecar(path, self._checksum)
            digest = None if side is None else side.entries[0].digest
            entries = load_manifest(self._root)
            record = entry_record(key_label(key), path.name, self._checksum, digest, df)
            entries[path.name] = record
            store_manifest(self._root, entries)
        return path

    def get(self, key: CacheKey, /, *, verify: bool = True) -> pl.DataFrame:
        """The frame stored under ``key``, checksum-verified unless ``verify=False``.

        Raises:
            CacheError: No entry for ``key`` (``context["reason"] == "missing"``).
            CacheCorruptionError: The entry fails its checksum or cannot be decoded.

        Example:
            >>> import tempfile
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> cache = OhlcvCache(tempfile.mkdtemp(), format="parquet")
            >>> _ = cache.put("k", synthetic_ohlcv(5))
            >>> cache.get("k").height
            5
        """
        path = self.path_for(key)
        try:
            return atomic_read(path, verify_checksum=verify and self._checksum is not None)
        except FileNotFoundError as exc:
            msg = f"no cache entry for key {key!r} (file {path.name!r})"
            raise CacheError(
                msg,
                hint="check cache.exists(key) first, or put the frame",
                context={"key": repr(key), "path": str(path), "reason": "missing"},
                cause=exc,
            ) from exc

    def exists(self, key: CacheKey, /) -> bool:
        """True when a file is stored under ``key``.

        Example:
            >>> OhlcvCache("/nonexistent").exists("k")
            False
        """
        return self.path_for(key).is_file()

    def delete(self, key: CacheKey, /) -> bool:
        """Remove ``key``'s file, its sidecars and its manifest record; True if it existed.

        Example:
            >>> import tempfile
            >>> OhlcvCache(tempfile.mkdtemp()).delete("absent")
            False
        """
        path = self.path_for(key)
        with self._locked(), path_lock(path):
            try:
                path.unlink()
                existed = True
            except FileNotFoundError:
                existed = False
            removed = remove_sidecars(path)
            entries = load_manifest(self._root)
            recorded = entries.pop(path.name, None) is not None
            if recorded:
                store_manifest(self._root, entries)
            elif existed or removed:
                fsync_dir(self._root)
        return existed

    def _files(self) -> list[str]:
        try:
            return sorted(p.name for p in self._root.iterdir())
        except FileNotFoundError:
            return []

    def keys(self) -> list[CacheKey]:
        """Every key with a stored file, in file-name order.

        Example:
            >>> OhlcvCache("/nonexistent").keys()
            []
        """
        found = []
        for name in self._files():
            if name.endswith(self._suffix):
                key = decode_stem(name[: -len(self._suffix)])
                if key is not None:
                    found.append(key)
        return found

    def _check_entry(self, name: str, record: dict[str, object]) -> str | None:
        """Why the entry ``name`` is corrupt, or None when it verifies."""
        path = self._root / name
        algo = record.get("algorithm")
        try:
            df = atomic_read(path, verify_checksum=algo is not None)
        except CacheCorruptionError as exc:
            return exc.message
        if algo is not None:
            side = read_sidecar(path, algo)  # type: ignore[arg-type]  # an algorithm we wrote
            if side is None or side.entries[0].digest != record.get("digest"):
                return "the sidecar digest differs from the manifest's"
        got = facts(df)
        wrong = [k for k, v in got.items() if record.get(k) != v]
        return f"manifest disagrees on {wrong}" if wrong else None

    def verify_all(self) -> CacheReport:
        """Check every entry against its checksum and the manifest.

        Example:
            >>> import tempfile
            >>> OhlcvCache(tempfile.mkdtemp()).verify_all().clean
            True
        """
        ok: list[str] = []
        corrupt: list[tuple[str, str]] = []
        missing: list[str] = []
        with self._locked():
            entries = load_manifest(self._root)
            names = set(self._files())
            accounted = {MANIFEST, MANIFEST + ".lock"}
            for name, record in sorted(entries.items()):
                if name not in names:
                    missing.append(name)
                    continue
                accounted.update({name, name + ".lock"})
                accounted.update(sidecar_path(Path(name), a).name for a in ALGORITHMS)
                reason = self._check_entry(name, record)
                if reason is None:
                    ok.append(name)
                else:
                    corrupt.append((name, reason))
            orphaned = sorted(n for n in names - accounted if not n.endswith(".lock"))
        report = CacheReport(
            tuple(ok), tuple(corrupt), tuple(missing), tuple(orphaned), len(entries)
        )
        if not report.clean and _log.isEnabledFor(logging.WARNING):
            _log.warning(
                "cache.corrupt",
                extra={
                    "path": str(self._root),
                    "corrupt": len(corrupt),
                    "missing": len(missing),
                    "orphaned": len(orphaned),
                },
            )
        return report
