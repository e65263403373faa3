"""Same-run ratio measurement for the performance gate.

A gated figure is the ratio of a candidate's time to an in-run reference doing
the same work. The two sides alternate (A B A B ...) so that machine noise hits
both alike, and the ratio of the medians is compared with a budget from
``benchmarks/budgets.toml``: :func:`judge` measures a case (twice when it fails)
and returns a :class:`GateRow`, whose :func:`verdict` is PASS or FAIL;
:func:`format_table` prints the rows (``benchmarks/conftest.py`` does, at the end
of ``pytest benchmarks -m gate``).
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "GateRow",
    "RatioCase",
    "RatioResult",
    "Verdict",
    "format_table",
    "judge",
    "load_budgets",
    "measure_ratio",
    "verdict",
]

Verdict = Literal["PASS", "FAIL"]

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
    """The medians of both sides, their ratio (candidate / reference) and the wall
    seconds the untimed warmup calls took (JIT compile, the peer's compile, caches)."""

    name: str
    candidate_s: float
    reference_s: float
    warmup_s: float = 0.0

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
    warm_start = clock()
    for _ in range(case.warmup):
        case.candidate()
        case.reference()
    warmup_s = clock() - warm_start
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
    return RatioResult(case.name, statistics.median(a), statistics.median(b), warmup_s)


def load_budgets(path: Path = BUDGETS_PATH) -> dict[str, float]:
    """Map each gated figure's name to its maximum allowed ratio."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    return {name: float(entry["max_ratio"]) for name, entry in raw.items()}


def verdict(ratio: float, max_ratio: float) -> Verdict:
    """The gate's decision: PASS while the ratio is at most its budget.

    Example:
        >>> verdict(1.5, 1.2), verdict(1.0, 1.2)
        ('FAIL', 'PASS')
    """
    return "PASS" if ratio <= max_ratio else "FAIL"


@dataclass(frozen=True, slots=True)
class GateRow:
    """One line of the gate's table: a measured figure and what the gate made of it."""

    area: str
    name: str
    ratio: float
    max_ratio: float
    seconds: float
    candidate_s: float
    reference_s: float
    warmup_s: float = 0.0

    @property
    def measured_s(self) -> float:
        """Wall seconds spent on the timed rounds: ``seconds`` less the warmup calls."""
        return self.seconds - self.warmup_s

    @property
    def verdict(self) -> Verdict:
        return verdict(self.ratio, self.max_ratio)


def _fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def format_table(rows: Sequence[GateRow]) -> str:
    """The gate's table: figure, medians, ratio, budget, verdict, warmup and wall seconds.

    ``warmup`` is the untimed first calls (mostly JIT compile on a cold numba cache);
    ``secs`` is the figure's whole wall time, warmup included.

    Example:
        >>> print(format_table([GateRow("a", "x", 1.1, 1.2, 0.5, 2e-3, 1e-3)]))  # doctest: +SKIP
    """
    header = (
        "area",
        "figure",
        "candidate",
        "reference",
        "ratio",
        "budget",
        "verdict",
        "warmup",
        "secs",
    )
    body = [
        (
            r.area,
            r.name,
            _fmt_time(r.candidate_s),
            _fmt_time(r.reference_s),
            f"{r.ratio:.2f}",
            f"{r.max_ratio:.2f}",
            r.verdict,
            f"{r.warmup_s:.1f}",
            f"{r.seconds:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
        for line in (header, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def judge(
    case: RatioCase,
    max_ratio: float,
    *,
    area: str = "",
    clock: Callable[[], float] = time.perf_counter,
) -> GateRow:
    """Measure ``case`` and judge it against ``max_ratio``; a failure is measured twice.

    A FAIL is confirmed by a second full measurement and the smaller ratio is kept,
    so one noisy burst on a shared machine does not fail the gate, while a real
    slowdown (which shows in both) still does.

    Example:
        >>> judge(RatioCase("x", lambda: None, lambda: None), 1.5).verdict  # doctest: +SKIP
        'PASS'
    """
    start = clock()
    result = measure_ratio(case, clock=clock)
    warmup_s = result.warmup_s
    if verdict(result.ratio, max_ratio) == "FAIL":
        again = measure_ratio(case, clock=clock)
        warmup_s += again.warmup_s
        result = min(result, again, key=lambda r: r.ratio)
    return GateRow(
        area=area,
        name=case.name,
        ratio=result.ratio,
        max_ratio=max_ratio,
        seconds=clock() - start,
        candidate_s=result.candidate_s,
        reference_s=result.reference_s,
        warmup_s=warmup_s,
    )
