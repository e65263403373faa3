"""Checking a finished run or sweep directory against its ``_COMPLETE`` marker.

The marker, written last by :func:`~peak_trade.cli._run_files.finish_run`, maps
every other file of the directory to its SHA-256. A file that is missing, whose
digest differs, or that the marker does not list is a problem; so is a marker
that cannot be read. ``peak-trade verify`` prints them and ``reproduce`` refuses
to rerun from a directory that has any.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path

from peak_trade.cli._run_files import MARKER, sha256_file
from peak_trade.core.errors import CacheCorruptionError, ConfigError

__all__ = ["check_run_dir", "require_intact"]

_HEX = frozenset("0123456789abcdef")


def _not_a_run(run_dir: Path) -> ConfigError:
    msg = f"`{run_dir}` is not a complete run directory (no `{MARKER}` marker)"
    hint = "pass a directory `peak-trade run` or `peak-trade sweep` finished, e.g. runs/<run_id>"
    return ConfigError(msg, hint=hint, context={"path": str(run_dir)})


def _marker(run_dir: Path) -> dict[str, str]:
    """The marker's ``file -> sha256``; a missing marker is a ConfigError, a bad one corrupt."""
    path = run_dir / MARKER
    if not run_dir.is_dir() or not path.is_file():
        raise _not_a_run(run_dir)
    try:
        raw = json.loads(path.read_bytes())["files"]
        if not isinstance(raw, dict):
            raise TypeError("`files` is not a mapping")
        files: dict[str, str] = {}
        for name, digest in raw.items():
            if not (isinstance(digest, str) and len(digest) == 64 and set(digest) <= _HEX):
                raise TypeError(f"`files` has no SHA-256 hex digest for {name!r}")
            files[name] = digest
    except (ValueError, TypeError, KeyError) as exc:
        msg = f"`{path}` is damaged and cannot vouch for the run: {exc}"
        raise CacheCorruptionError(
            msg,
            hint="the run directory was changed after it was written; rerun the config",
            context={"path": str(path), "file": MARKER},
            cause=exc,
        ) from exc
    return files


def check_run_dir(run_dir: Path, /) -> tuple[list[str], list[tuple[str, str]]]:
    """The files that match the marker, and ``(file, reason)`` for each that does not.

    Raises:
        ConfigError: ``run_dir`` has no marker (not a complete run).
        CacheCorruptionError: The marker itself is damaged.

    Example:
        >>> check_run_dir(Path("runs/3f1c..."))  # doctest: +SKIP
        (['config.toml', 'equity.arrow', ...], [])
    """
    files = _marker(run_dir)
    ok: list[str] = []
    bad: list[tuple[str, str]] = []
    for name, expected in sorted(files.items()):
        path = run_dir / name
        if Path(name).name != name or not path.is_file():
            bad.append((name, "missing"))
            continue
        actual = sha256_file(path)
        if hmac.compare_digest(actual, expected):
            ok.append(name)
        else:
            bad.append(
                (name, f"SHA-256 {actual[:16]}... differs from {expected[:16]}... in {MARKER}")
            )
    listed = set(files) | {MARKER}
    for path in sorted(run_dir.iterdir()):
        if path.name not in listed:
            bad.append((path.name, f"not listed in {MARKER}"))
    return ok, bad


def require_intact(run_dir: Path, /) -> int:
    """The number of files checked; ``CacheCorruptionError`` naming the first bad one.

    Raises:
        ConfigError: ``run_dir`` has no marker.
        CacheCorruptionError: The marker is damaged, or a file is missing, differs
            or is not listed (``context["files"]`` has every problem).
    """
    ok, bad = check_run_dir(run_dir)
    if bad:
        name, reason = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        msg = f"`{run_dir / name}` fails the run's checksum: {reason}{more}"
        raise CacheCorruptionError(
            msg,
            hint=f"the run directory changed after it was written; `peak-trade verify {run_dir}` "
            "lists every file",
            context={"path": str(run_dir), "file": name, "files": dict(bad)},
        )
    return len(ok)
