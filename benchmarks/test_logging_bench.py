"""Structured-logging costs, side by side (issue 4, section 4).

Run: ``pytest benchmarks/test_logging_bench.py --benchmark-group-by=group``; the
ratios, measured A B A B: ``python -m benchmarks.cases_logging``.

- ``debug_off``: a library ``logger.debug`` with debug disabled (target <= 1 us),
  next to the same call on a plain stdlib logger.
- ``json <variant>``: our JSON formatter next to structlog's processors producing
  the same line (``add_log_level``, ``TimeStamper``, ``JSONRenderer``), every call
  on a new event with fresh values (``benchmarks/cases_logging.py`` says why this is
  the fair comparison). The variants add a bound field, put every line in a new
  second, give every line its own event name, or hand structlog's renderer a
  ready-made ``ts`` and ``level`` (stricter than fair).
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from benchmarks.cases_logging import EXTRA, VARIANTS, event_pool, json_sides

# isoformat() leaves out the microseconds when they are 0.
_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
ROUNDS = 200
ITERATIONS = 1_000


def _pedantic(benchmark, fn):
    benchmark.pedantic(fn, rounds=ROUNDS, iterations=ITERATIONS, warmup_rounds=5)


@pytest.mark.benchmark(group="debug_off")
def test_peak_trade_debug_off(benchmark):
    import peak_trade.core.logging  # noqa: F401  # installs the stamping handler

    logger = logging.getLogger("peak_trade.bench.debug_off")
    logger.setLevel(logging.INFO)
    _pedantic(benchmark, lambda: logger.debug("bench.event", extra=EXTRA))


@pytest.mark.benchmark(group="debug_off")
def test_stdlib_debug_off(benchmark):
    logger = logging.getLogger("bench_plain_stdlib.debug_off")
    logger.setLevel(logging.INFO)
    _pedantic(benchmark, lambda: logger.debug("bench.event", extra=EXTRA))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("side", ["peak_trade", "structlog"])
def test_json_line(benchmark, variant, side):
    pytest.importorskip("structlog")
    benchmark.group = f"json {variant}"
    ours, theirs = json_sides(**VARIANTS[variant])
    _pedantic(benchmark, ours if side == "peak_trade" else theirs)


def _same_content(ours: str, theirs: str) -> None:
    a, b = json.loads(ours), json.loads(theirs)
    assert set(a) == set(b)
    assert a["level"] == b["level"].upper()
    assert _ISO_UTC.fullmatch(a["ts"])
    assert _ISO_UTC.fullmatch(b["ts"])
    assert {k: v for k, v in a.items() if k not in ("ts", "level")} == {
        k: v for k, v in b.items() if k not in ("ts", "level")
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_both_sides_write_the_same_lines(variant):
    """Each JSON pair turns the same events into lines with the same content."""
    pytest.importorskip("structlog")
    ours, theirs = json_sides(**VARIANTS[variant])
    for _ in range(50):
        _same_content(ours(), theirs())


def test_the_event_pool_has_fresh_values_on_every_line():
    records, events = event_pool(size=512)
    assert len({(r.path, r.rows, r.seconds) for r in records}) == 512
    assert len({r.created for r in records}) == 512
    assert [(r.msg, r.path, r.rows) for r in records] == [
        (e["event"], e["path"], e["rows"]) for e in events
    ]


def test_logging_gate_cases_do_the_same_work():
    """The gated JSON pair writes lines with the same content; debug-off is gated too."""
    from benchmarks.cases_logging import cases

    found = {case.name: case for case in cases()}
    assert "logging_debug_off_vs_stdlib" in found
    json_case = found.get("logging_json_format_vs_structlog")
    if json_case is not None:
        for _ in range(20):
            _same_content(json_case.candidate(), json_case.reference())
