"""The performance gate: every ``RatioCase`` of ``benchmarks/cases_*.py`` against its budget.

Each ``cases_<area>.py`` module exposes ``cases() -> list[RatioCase]``; a new module
joins the gate by existing. Each case becomes one test, named after the case and
marked ``gate``. A test measures the candidate against its in-run reference
(A B A B, medians, :func:`benchmarks.gatekit.judge`) and fails when the ratio is
over the case's ``max_ratio`` in ``benchmarks/budgets.toml``, or when the case has
no budget. ``benchmarks/conftest.py`` prints the table at the end.

Run it with ``pytest benchmarks -m gate``.
"""

from __future__ import annotations

import functools
import importlib
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.gatekit import GateRow, RatioCase, judge, load_budgets

pytestmark = pytest.mark.gate

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class _Area:
    name: str
    cases: tuple[RatioCase, ...]
    build_s: float


@functools.cache
def _areas() -> tuple[_Area, ...]:
    """Import every ``cases_*.py`` and build its cases once per session."""
    areas = []
    seen: dict[str, str] = {}
    for path in sorted(HERE.glob("cases_*.py")):
        area = path.stem.removeprefix("cases_")
        module = importlib.import_module(f"benchmarks.{path.stem}")
        start = time.perf_counter()
        cases = tuple(module.cases())
        build_s = time.perf_counter() - start
        for case in cases:
            if not isinstance(case, RatioCase):
                msg = f"{path.name}: cases() must return RatioCase objects; got {case!r}"
                raise TypeError(msg)
            if case.name in seen:
                msg = (
                    f"gate case {case.name!r} is defined by both cases_{seen[case.name]}.py "
                    f"and {path.name}; budget names must be unique"
                )
                raise ValueError(msg)
            seen[case.name] = area
        areas.append(_Area(area, cases, build_s))
    return tuple(areas)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "gate_case" not in metafunc.fixturenames:
        return
    if metafunc.config.getoption("benchmark_only", default=False):
        # --benchmark-only skips every test without the benchmark fixture anyway;
        # do not spend time building the gate's data for nothing.
        skip = pytest.mark.skip(reason="gate cases do not run with --benchmark-only")
        metafunc.parametrize("gate_case", [pytest.param(None, id="gate", marks=skip)])
        return
    params = [pytest.param((area, case), id=case.name) for area in _areas() for case in area.cases]
    metafunc.parametrize("gate_case", params)


@pytest.fixture(scope="session")
def budgets() -> dict[str, float]:
    return load_budgets()


def test_gate(
    gate_case: tuple[_Area, RatioCase],
    budgets: dict[str, float],
    gate_rows: list[GateRow],
    gate_build_seconds: dict[str, float],
) -> None:
    area, case = gate_case
    gate_build_seconds[area.name] = area.build_s
    if case.name not in budgets:
        pytest.fail(
            f"gate case {case.name!r} (cases_{area.name}.py) has no budget: add\n"
            f"    # <why this number, and the issue target it matches>\n"
            f"    [{case.name}]\n    max_ratio = <X>\n"
            f"to benchmarks/budgets.toml",
            pytrace=False,
        )
    row = judge(case, budgets[case.name], area=area.name)
    gate_rows.append(row)
    assert row.verdict == "PASS", (
        f"{case.name}: ratio {row.ratio:.2f} is over its budget {row.max_ratio:.2f} "
        f"(candidate {row.candidate_s * 1e3:.3f} ms vs reference "
        f"{row.reference_s * 1e3:.3f} ms, medians of A B rounds, confirmed twice)"
    )
