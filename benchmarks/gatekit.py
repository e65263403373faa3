"""Same-run ratio measurement for the performance gate.

A gated figure is the ratio of a candidate's time to an in-run reference doing
the same work. The two sides alternate (A B A B ...) so that machine noise hits
both alike, and the ratio of the medians is compared with a budget from
``benchmarks/budgets.toml``.
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RatioCase", "RatioResult", "load_budgets", "measure_ratio"]

BUDGETS_PATH = Path(__file__).with_name("budgets.toml")


@dataclass(frozen=True, slots=True)
class RatioCase:
    """One gated figure.

    Args:
        name: Key of its budget in ``budgets.toml``.
        candidate: The code under test (side A), called with no arguments.
        reference: The in-run reference doing the same work (side B).
        rounds: How many A B pairs to time.
        warmup: Untimed calls of each side first (JIT compile, caches).
        inner: Calls per timed sample, for very short operations.
    """

    name: str
    candidate: Callable[[], object]
    reference: Callable[[], object]
    rounds: int = 7
    warmup: int = 1
    inner: int = 1


@dataclass(frozen=True, slots=True)
class RatioResult:
    """The medians of both sides and their ratio (candidate / reference)."""

    name: str
    candidate_s: float
    reference_s: float

    @property
    def ratio(self) -> float:
        return self.candidate_s / self.reference_s


def _time(fn: Callable[[], object], inner: int, clock: Callable[[], float]) -> float:
    start = clock()
    for _ in range(inner):
        fn()
    return (clock() - start) / inner


def measure_ratio(
    case: RatioCase, *, clock: Callable[[], float] = time.perf_counter
) -> RatioResult:
    """Time both sides alternately and return the medians.

    Example:
        >>> r = measure_ratio(RatioCase("x", lambda: sum(range(99)), lambda: sum(range(99))))
        >>> 0.1 < r.ratio < 10
        True
    """
    for _ in range(case.warmup):
        case.candidate()
        case.reference()
    a: list[float] = []
    b: list[float] = []
    for i in range(case.rounds):
        # Alternate which side goes first so neither always runs on a warm cache.
        if i % 2 == 0:
            a.append(_time(case.candidate, case.inner, clock))
            b.append(_time(case.reference, case.inner, clock))
        else:
            b.append(_time(case.reference, case.inner, clock))
            a.append(_time(case.candidate, case.inner, clock))
    return RatioResult(case.name, statistics.median(a), statistics.median(b))


def load_budgets(path: Path = BUDGETS_PATH) -> dict[str, float]:
    """Map each gated figure's name to its maximum allowed ratio."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    return {name: float(entry["max_ratio"]) for name, entry in raw.items()}
