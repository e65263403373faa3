"""Benchmark-suite plumbing: the gate's table, its time shares and its JSON report.

``pytest benchmarks -m gate`` records one :class:`~benchmarks.gatekit.GateRow` per
gated figure; at the end of the session this prints the table (figure, ratio,
budget, verdict, warmup and seconds), checks that each area stayed near its share
of the ~2 minute gate, and writes the rows as JSON when ``--gate-json PATH`` is given.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from pathlib import Path

import pytest

from benchmarks.gatekit import GateRow, format_table

# The whole gate should take about 2 minutes on a 2-core machine; each area
# (cases_<area>.py) gets about 20 s of it. Shares are enforced loosely: a session
# fails only when an area takes more than twice its share or the gate more than
# 1.5x its total, so a busy machine does not fail the build, a runaway case does.
# Shares count the timed rounds, which the cases' sizes and rounds decide. Setup is
# counted apart: building each area's data (``cases()``) and each case's untimed
# warmup calls. On a cold numba cache (a fresh clone) setup is mostly JIT compile,
# ours and vectorbt's, paid once and gone when the cache is warm (GitHub Actions
# keeps it, see docs/ci.md): in a fresh venv on the 2-core machine the engine area's
# warmup took 51 s against 2.4 s of timed rounds, and setup as a whole about 230 s.
# Setup has its own loose ceiling, about 1.5x that, so a compile time that runs away
# still fails the gate.
AREA_SHARE_S = 20.0
AREA_SLACK = 2.0
TOTAL_BUDGET_S = 120.0
TOTAL_SLACK = 1.5
SETUP_LIMIT_S = 360.0

GATE_ROWS = pytest.StashKey[list[GateRow]]()
AREA_BUILD_S = pytest.StashKey[dict[str, float]]()
OVERRUNS = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gate-json",
        metavar="PATH",
        default=None,
        help="write the performance gate's figures to PATH as JSON",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[GATE_ROWS] = []
    config.stash[AREA_BUILD_S] = {}
    config.stash[OVERRUNS] = []


@pytest.fixture
def gate_rows(request: pytest.FixtureRequest) -> list[GateRow]:
    """The session's gate rows; each gate test appends the row it measured."""
    return request.config.stash[GATE_ROWS]


@pytest.fixture
def gate_build_seconds(request: pytest.FixtureRequest) -> dict[str, float]:
    """Seconds each area's ``cases()`` took to build its data, by area."""
    return request.config.stash[AREA_BUILD_S]


def _area_seconds(config: pytest.Config) -> dict[str, float]:
    """Seconds of timed rounds by area: what counts against each area's share."""
    totals = dict.fromkeys(config.stash[AREA_BUILD_S], 0.0)
    for row in config.stash[GATE_ROWS]:
        totals[row.area] = totals.get(row.area, 0.0) + row.measured_s
    return totals


def _setup_seconds(config: pytest.Config) -> float:
    """Seconds of setup: every area's ``cases()`` build and every case's warmup calls."""
    builds = sum(config.stash[AREA_BUILD_S].values())
    return builds + sum(row.warmup_s for row in config.stash[GATE_ROWS])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not config.stash[GATE_ROWS]:
        return
    areas = _area_seconds(config)
    overruns = config.stash[OVERRUNS]
    for area, seconds in sorted(areas.items()):
        if seconds > AREA_SHARE_S * AREA_SLACK:
            overruns.append(
                f"area `{area}` took {seconds:.1f} s; its share is {AREA_SHARE_S:.0f} s "
                f"(fails above {AREA_SHARE_S * AREA_SLACK:.0f} s): make its cases smaller"
            )
    total = sum(areas.values())
    if total > TOTAL_BUDGET_S * TOTAL_SLACK:
        overruns.append(
            f"the gate took {total:.1f} s; its budget is {TOTAL_BUDGET_S:.0f} s "
            f"(fails above {TOTAL_BUDGET_S * TOTAL_SLACK:.0f} s)"
        )
    setup = _setup_seconds(config)
    if setup > SETUP_LIMIT_S:
        overruns.append(
            f"the gate's setup (cases() builds and warmup calls) took {setup:.1f} s "
            f"(fails above {SETUP_LIMIT_S:.0f} s): a kernel's compile time or a case's "
            "data has grown"
        )
    if overruns and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    path = config.getoption("--gate-json")
    if path:
        report = {
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
            },
            "figures": [{**asdict(r), "verdict": r.verdict} for r in config.stash[GATE_ROWS]],
            "area_seconds": areas,
            "build_seconds": config.stash[AREA_BUILD_S],
            "setup_seconds": setup,
            "overruns": overruns,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    rows = config.stash[GATE_ROWS]
    if not rows:
        return
    terminalreporter.section("performance gate")
    terminalreporter.write_line(format_table(sorted(rows, key=lambda r: (r.area, r.name))))
    areas = _area_seconds(config)
    shares = ", ".join(f"{a} {s:.1f} s" for a, s in sorted(areas.items()))
    terminalreporter.write_line(
        f"seconds of timed rounds by area: {shares}; total {sum(areas.values()):.1f} s; "
        f"setup (cases() builds + warmup calls, mostly JIT compile on a cold cache) "
        f"{_setup_seconds(config):.1f} s more"
    )
    failed = [r.name for r in rows if r.verdict == "FAIL"]
    if failed:
        terminalreporter.write_line(f"over budget: {', '.join(failed)}", red=True)
    for line in config.stash[OVERRUNS]:
        terminalreporter.write_line(f"time share exceeded: {line}", red=True)
