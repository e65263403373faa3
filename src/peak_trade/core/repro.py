"""Reproducibility: what a run was made of, one seed for every RNG, determinism checks.

A result is only worth something if it can be traced and rerun bit for bit:
:class:`ReproContext` records seed, code and environment; :func:`set_global_seed`
seeds Python, numpy, numba (and torch, if loaded); :func:`verify_determinism`
reruns a function and compares its outputs by content.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import platform as _platform
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from peak_trade.core._atomic import write_text_atomic
from peak_trade.core._determinism import assert_deterministic, verify_determinism
from peak_trade.core._frames import short_repr
from peak_trade.core._hashing import stable_hash
from peak_trade.core._seeding import check_seed, set_global_seed
from peak_trade.core.errors import ConfigError, PeakTradeError

__all__ = [
    "ReproContext",
    "assert_deterministic",
    "set_global_seed",
    "stable_hash",
    "verify_determinism",
]

_GIT_TIMEOUT_S = 2.0
_HEX = re.compile(r"[0-9a-fA-F]+")
# distribution name -> module name, for the versions recorded in every context
_PACKAGES = {
    "peak_trade": ("peak-trade", "peak_trade"),
    "polars": ("polars", "polars"),
    "pyarrow": ("pyarrow", "pyarrow"),
    "numpy": ("numpy", "numpy"),
    "numba": ("numba", "numba"),
}


def _bad(field_name: str, expected: str, got: Any) -> ConfigError:
    msg = f"ReproContext `{field_name}` must be {expected}; got {short_repr(got)}"
    return ConfigError(
        msg,
        hint="build contexts with ReproContext.create() or load them with ReproContext.load()",
        context={"field": field_name, "got": short_repr(got)},
    )


@dataclass(frozen=True, slots=True)
class ReproContext:
    """Everything needed to trace a result back to its run and rerun it.

    Example:
        >>> ctx = ReproContext.create(seed=7, config_dict={"fast": 10})
        >>> ReproContext.from_json(ctx.to_json()) == ctx
        True
    """

    seed: int | None
    git_sha: str | None
    config_hash: str | None
    python_version: str
    platform: str
    run_id: str
    created_at: str
    package_versions: Mapping[str, str | None] = field(hash=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            check_seed(self.seed, "ReproContext.seed")
        for name, limit in (("git_sha", 7), ("config_hash", 1)):
            value = getattr(self, name)
            valid = isinstance(value, str) and _HEX.fullmatch(value) and limit <= len(value) <= 64
            if value is not None and not valid:
                raise _bad(name, f"None or a hex string of {limit} to 64 chars", value)
        for name in ("python_version", "platform", "run_id", "created_at"):
            if not isinstance(getattr(self, name), str):
                raise _bad(name, "a str", getattr(self, name))
        try:
            run_id = str(uuid.UUID(self.run_id))
            created = _dt.datetime.fromisoformat(self.created_at)
        except (TypeError, ValueError, AttributeError) as exc:
            raise _bad("run_id/created_at", "a UUID and an ISO-8601 time", exc) from exc
        if created.tzinfo is None:
            raise _bad("created_at", "an ISO-8601 time with a UTC offset", self.created_at)
        versions = self.package_versions
        if not isinstance(versions, Mapping) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in versions.items()
        ):
            raise _bad("package_versions", "a mapping of str to str or None", versions)
        object.__setattr__(self, "run_id", run_id)
        object.__setattr__(self, "package_versions", MappingProxyType(dict(versions)))

    @classmethod
    def create(
        cls,
        seed: int | None = None,
        config_dict: Mapping[str, Any] | None = None,
        git_sha: str | None = None,
    ) -> ReproContext:
        """A new context for a run starting now, with a fresh uuid4 ``run_id``.

        Args:
            seed: The run's seed (0 to 2**32 - 1), if it has one.
            config_dict: The run's config; stored as its :func:`stable_hash`.
            git_sha: The code's commit; found with ``git rev-parse HEAD`` in the
                working directory when omitted, and ``None`` when there is no git
                or no repository (this never raises and gives up after 2 s).

        Example:
            >>> ctx = ReproContext.create(seed=1)
            >>> ctx.seed, len(ctx.run_id)
            (1, 36)
        """
        config_hash = None if config_dict is None else stable_hash(config_dict, root="config")
        return cls(
            seed=seed,
            git_sha=git_sha if git_sha is not None else _git_sha(),
            config_hash=config_hash,
            python_version=_platform.python_version(),
            platform=_platform.platform(),
            run_id=str(uuid.uuid4()),
            created_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds"),
            package_versions=_package_versions(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON values.

        Example:
            >>> sorted(ReproContext.create(seed=1).to_dict())[:3]
            ['config_hash', 'created_at', 'git_sha']
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["package_versions"] = dict(self.package_versions)
        return out

    def to_json(self) -> str:
        """Pretty, key-sorted JSON (the form :meth:`save` writes).

        Example:
            >>> '"seed": 3' in ReproContext.create(seed=3).to_json()
            True
        """
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ReproContext:
        """Rebuild a context from :meth:`to_dict` output; validates every field.

        Example:
            >>> ctx = ReproContext.create()
            >>> ReproContext.from_dict(ctx.to_dict()) == ctx
            True
        """
        names = {f.name for f in fields(cls)}
        if not isinstance(data, Mapping) or set(data) != names:
            got = sorted(map(str, data)) if isinstance(data, Mapping) else type(data).__name__
            raise _bad("fields", f"a mapping with exactly {sorted(names)}", got)
        return cls(**{name: data[name] for name in names})

    @classmethod
    def from_json(cls, text: str, /) -> ReproContext:
        """Rebuild a context from :meth:`to_json` output.

        Example:
            >>> ctx = ReproContext.create(seed=5)
            >>> ReproContext.from_json(ctx.to_json()).seed
            5
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            msg = f"a ReproContext must be a JSON object; the text does not parse: {exc}"
            raise ConfigError(msg, hint="pass the text ReproContext.to_json() wrote") from exc
        return cls.from_dict(data)

    def save(self, path: str | os.PathLike[str], /) -> Path:
        """Write :meth:`to_json` to ``path`` atomically (old file or new, never half).

        Example:
            >>> ReproContext.create(seed=1).save(tmp_path / "repro.json")  # doctest: +SKIP
        """
        try:
            return write_text_atomic(path, self.to_json())
        except OSError as exc:
            msg = f"cannot write the ReproContext to {os.fspath(path)!r}: {exc}"
            hint = "check that the directory exists and is writable"
            raise PeakTradeError(msg, hint=hint, context={"path": os.fspath(path)}) from exc

    @classmethod
    def load(cls, path: str | os.PathLike[str], /) -> ReproContext:
        """Read a context written by :meth:`save`.

        Example:
            >>> ReproContext.load(tmp_path / "repro.json").seed  # doctest: +SKIP
            1
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"cannot read a ReproContext from {os.fspath(path)!r}: {exc}"
            hint = "pass the path ReproContext.save() wrote"
            raise PeakTradeError(msg, hint=hint, context={"path": os.fspath(path)}) from exc
        return cls.from_json(text)


def _git_sha() -> str | None:
    """HEAD of the working directory's repository, or None; never raises or hangs."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "HEAD"],
            cwd=Path.cwd(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    sha = done.stdout.strip()
    if done.returncode != 0 or not _HEX.fullmatch(sha) or not 7 <= len(sha) <= 64:
        return None
    return sha


@functools.cache
def _package_versions() -> MappingProxyType[str, str | None]:
    from importlib import metadata  # here, not at import: it costs ~25 ms of every start

    found: dict[str, str | None] = {}
    for key, (dist, module) in _PACKAGES.items():
        try:
            found[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[key] = getattr(sys.modules.get(module), "__version__", None)
    return MappingProxyType(found)
