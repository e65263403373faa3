"""Fuzz readers of the cache: `atomic_read` (verified or not) and `OhlcvCache`."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz._case import Outcome, classify, copy_into, frame, hurt
from tests.fuzz._damage import KINDS, Kind

_ALGOS = ("xxh3", "sha256", "hmac-sha256")
_KEY_ENV = "PEAK_TRADE_CACHE_KEY"
_SUFFIX = {"ipc": "arrow", "parquet": "parquet"}
_COMPRESSIONS = {
    "ipc": ("uncompressed", "lz4", "zstd"),
    "parquet": ("zstd", "snappy", "uncompressed"),
}

# atomic_read, verified or not ---------------------------------------------------------


def prepare_atomic(fmt: str, *, checksum: bool) -> Callable[[Path], Any]:
    def prepare(root: Path) -> Any:
        from peak_trade.data.cache_atomic import atomic_write

        os.environ.setdefault(_KEY_ENV, "fuzz-key")
        variants = _ALGOS if checksum else _COMPRESSIONS[fmt]
        for tag, seed in (("main", 1), ("alt", 2)):
            for variant in variants:
                path = root / tag / f"{variant}.{_SUFFIX[fmt]}"
                if checksum:
                    atomic_write(frame(seed), path, checksum=variant)  # type: ignore[arg-type]
                else:
                    atomic_write(frame(seed), path, compression=variant)
        return (root, variants, frame(1))

    return prepare


def run_atomic(*, verify: bool) -> Callable[[int, random.Random, Any, Path], Outcome]:
    def run(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
        from peak_trade.data.cache_atomic import atomic_read

        root, variants, expected = state
        variant = variants[i % len(variants)]
        name = next(p.name for p in (root / "main").iterdir() if p.stem == variant)
        data = copy_into(root / "main" / name, work)
        sidecar = (root / "main" / f"{name}.{variant}") if verify else None
        if sidecar is not None:
            copy_into(sidecar, work)
        kind = rng.choice(KINDS)
        target = "sidecar" if verify and rng.random() < 0.3 else "data"
        victim = work / (f"{name}.{variant}" if target == "sidecar" else name)
        hurt(victim, kind, rng, root / "alt" / victim.name)
        outcome = classify(lambda: atomic_read(data, verify_checksum=verify), expected)
        return f"{variant}/{target}", kind, outcome

    return run


def judge_verified(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "error:CacheCorruptionError":
        return None
    if outcome == "frame:same" and target.endswith("sidecar") and kind == "flip":
        return None  # e.g. a space flipped to a tab: the sidecar still parses and matches
    return "a verified read must raise CacheCorruptionError for changed bytes"


def judge_unverified(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:CacheCorruptionError", "frame:same", "frame:other"):
        return None
    return "an unverified read must give CacheCorruptionError or a frame"


# OhlcvCache --------------------------------------------------------------------------

_KEYS = (("binance", "BTC/EUR", "1h"), ("kraken", "ETH/EUR", "1h"))


def prepare_cache(root: Path) -> Any:
    from peak_trade.data.cache import OhlcvCache
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    frames = {}
    for fmt in ("arrow", "parquet"):
        cache = OhlcvCache(root / fmt, format=fmt)  # type: ignore[arg-type]
        for n, key in enumerate(_KEYS):
            frames[fmt, key] = synthetic_ohlcv(1_000, seed=n)
            cache.put(key, frames[fmt, key])
    return root, frames


def _cache_case(
    i: int, rng: random.Random, state: Any, work: Path, *, manifest: bool
) -> tuple[Any, tuple[str, str, str], Kind, str]:
    from peak_trade.data.cache import OhlcvCache

    root, frames = state
    fmt = ("arrow", "parquet")[i % 2]
    shutil.copytree(root / fmt, work)
    cache = OhlcvCache(work, format=fmt)  # type: ignore[arg-type]
    n = rng.randrange(len(_KEYS))
    key, other = _KEYS[n], _KEYS[1 - n]
    targets = ("data", "sidecar", "manifest") if manifest else ("data", "sidecar")
    target = rng.choice(targets)
    kind = rng.choice(KINDS)
    if target == "manifest":
        victim, spare = work / "manifest.json", root / ("parquet" if fmt == "arrow" else "arrow")
        hurt(victim, kind, rng, spare / "manifest.json")
    else:
        data, spare = cache.path_for(key), cache.path_for(other)
        if target == "sidecar":
            data, spare = data.with_name(data.name + ".xxh3"), spare.with_name(spare.name + ".xxh3")
        hurt(data, kind, rng, spare)
    return cache, (fmt, target, str(n)), kind, frames[fmt, key]


def run_cache_get(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    cache, (fmt, target, n), kind, expected = _cache_case(i, rng, state, work, manifest=False)
    outcome = classify(lambda: cache.get(_KEYS[int(n)]), expected)
    return f"{fmt}/{target}", kind, outcome


def run_verify_all(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    cache, (fmt, target, _), kind, _ = _cache_case(i, rng, state, work, manifest=True)

    def verdict() -> str:
        return "report:clean" if cache.verify_all().clean else "report:dirty"

    return f"{fmt}/{target}", kind, classify(verdict)


def judge_verify_all(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "report:dirty":
        return None
    if outcome == "error:CacheCorruptionError" and target.endswith("manifest"):
        return None
    if outcome == "report:clean" and kind == "flip" and not target.endswith("data"):
        return None  # a flip that leaves the sidecar or manifest meaning the same
    return "verify_all must report the damaged entry (or refuse a damaged manifest)"
