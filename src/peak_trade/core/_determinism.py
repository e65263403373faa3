"""Rerun a function with the same seed and compare its outputs by content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peak_trade.core._digest import digest_outputs
from peak_trade.core._frames import short_repr
from peak_trade.core._seeding import check_seed, set_global_seed
from peak_trade.core.errors import ConfigError, PeakTradeError

__all__ = ["assert_deterministic", "verify_determinism"]

#: More reruns than this is a typo, not a check: refused rather than run for ever.
_MAX_RUNS = 10_000


def _first_difference(
    fn: Callable[..., Any], seed: int, runs: int, kwargs: dict[str, Any]
) -> tuple[int, str, str | None, str | None] | None:
    """(run, path, first digest, other digest) of the first mismatch, or None."""
    if not callable(fn):
        msg = f"`fn` must be a callable to rerun; got {short_repr(fn)}"
        raise TypeError(msg)
    check_seed(seed, "seed")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 2 <= runs <= _MAX_RUNS:
        msg = f"`runs` must be an int from 2 to {_MAX_RUNS}; got {short_repr(runs)}"
        raise ConfigError(msg, hint="pass e.g. runs=2", context={"runs": short_repr(runs)})
    first: dict[str, str] | None = None
    for run in range(runs):
        set_global_seed(seed)
        digests = digest_outputs(fn(**kwargs))
        if first is None:
            first = digests
            continue
        for path, digest in first.items():
            if digests.get(path) != digest:
                return run, path, digest, digests.get(path)
        for path, digest in digests.items():
            if path not in first:
                return run, path, None, digest
    return None


def verify_determinism(
    fn: Callable[..., Any], /, *, seed: int, runs: int = 2, **kwargs: Any
) -> bool:
    """Run ``fn(**kwargs)`` ``runs`` times, reseeding each time; True if outputs match.

    Outputs are compared by content digest: frames and series (polars, pandas,
    pyarrow) by their data (exact bits for numbers), numpy arrays and bytes by
    their bytes, mappings and sequences item by item, and
    other values through :func:`stable_hash`; never through ``str()``. The global
    RNGs are left seeded with ``seed``.

    Example:
        >>> import numpy as np
        >>> verify_determinism(lambda n: np.random.random(n), seed=1, n=3)
        True
    """
    return _first_difference(fn, seed, runs, kwargs) is None


def assert_deterministic(
    fn: Callable[..., Any], /, *, seed: int, runs: int = 2, **kwargs: Any
) -> None:
    """Like :func:`verify_determinism`, but raise on the first output that differs.

    Raises:
        PeakTradeError: ``context`` holds ``path`` (e.g. ``output['trades']``),
            ``run`` and both ``digests``.

    Example:
        >>> import random
        >>> assert_deterministic(lambda: random.random(), seed=1)
    """
    found = _first_difference(fn, seed, runs, kwargs)
    if found is None:
        return
    run, path, expected, got = found
    msg = f"`{path}` differs between run 0 and run {run} with seed={seed}"
    raise PeakTradeError(
        msg,
        hint=(
            "look for unseeded RNGs (random.Random(), default_rng() without a seed), "
            "time- or thread-order-dependent values, or iteration over sets of strings"
        ),
        context={"path": path, "run": run, "seed": seed, "digests": [expected, got]},
    )
