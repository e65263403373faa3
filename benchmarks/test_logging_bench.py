"""Structured-logging costs, side by side (issue 4, section 4).

Run: ``pytest benchmarks/test_logging_bench.py --benchmark-group-by=group``.

- ``debug_off``: a library ``logger.debug`` with debug disabled (target <= 1 us),
  next to the same call on a plain stdlib logger.
- ``json_format``: our JSON formatter on a record with 5 extra fields next to
  structlog's ``JSONRenderer`` on the same event (target: ours <= structlog), and
  next to the structlog processor chain that produces the same line from scratch.
"""

from __future__ import annotations

import logging

import pytest

from benchmarks.cases_logging import EXTRA, _record, structlog_event

ROUNDS = 200
ITERATIONS = 1_000


def _pedantic(benchmark, fn):
    benchmark.pedantic(fn, rounds=ROUNDS, iterations=ITERATIONS, warmup_rounds=5)


@pytest.mark.benchmark(group="debug_off")
def test_peak_trade_debug_off(benchmark):
    import peak_trade.core.logging  # noqa: F401  # installs the record factory

    logger = logging.getLogger("peak_trade.bench.debug_off")
    logger.setLevel(logging.INFO)
    _pedantic(benchmark, lambda: logger.debug("bench.event", extra=EXTRA))


@pytest.mark.benchmark(group="debug_off")
def test_stdlib_debug_off(benchmark):
    logger = logging.getLogger("bench_plain_stdlib.debug_off")
    logger.setLevel(logging.INFO)
    _pedantic(benchmark, lambda: logger.debug("bench.event", extra=EXTRA))


@pytest.mark.benchmark(group="json_format")
def test_peak_trade_json_formatter(benchmark):
    from peak_trade.core.logging import JsonFormatter

    record = _record()
    formatter = JsonFormatter()
    _pedantic(benchmark, lambda: formatter.format(record))


@pytest.mark.benchmark(group="json_format")
def test_peak_trade_json_formatter_memo_miss(benchmark):
    """Worst case for the memo: every line has a new event name."""
    from peak_trade.core.logging import JsonFormatter

    logger = logging.getLogger("peak_trade.bench.logging")
    records = [
        logger.makeRecord(logger.name, logging.INFO, "f", 1, f"event.{i}", (), None, extra=EXTRA)
        for i in range(4096)
    ]
    formatter = JsonFormatter()
    cursor = iter(range(10**9))
    _pedantic(benchmark, lambda: formatter.format(records[next(cursor) % 4096]))


@pytest.mark.benchmark(group="json_format")
def test_peak_trade_json_formatter_bound_fields(benchmark):
    """The slower path: fields bound with run_context are merged through a dict."""
    from peak_trade.core.logging import JsonFormatter, run_context

    logger = logging.getLogger("peak_trade.bench.logging")
    with run_context(run_id="r", trace_id="t", sweep="s-1"):
        record = logger.makeRecord(
            logger.name, logging.INFO, "f", 1, "cache.write", (), None, extra=EXTRA
        )
    formatter = JsonFormatter()
    _pedantic(benchmark, lambda: formatter.format(record))


@pytest.mark.benchmark(group="json_format")
def test_structlog_json_renderer(benchmark):
    processors = pytest.importorskip("structlog.processors")
    renderer = processors.JSONRenderer()
    event = structlog_event(_record())
    _pedantic(benchmark, lambda: renderer(None, "info", event))


@pytest.mark.benchmark(group="json_format")
def test_structlog_chain_for_the_same_line(benchmark):
    """structlog building the same line from scratch: ids, level, time, render."""
    structlog = pytest.importorskip("structlog")
    from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars

    stamper = structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts")
    renderer = structlog.processors.JSONRenderer()

    def render():
        event = {"event": "cache.write", "logger": "peak_trade.bench.logging", **EXTRA}
        event = merge_contextvars(None, "info", event)
        event = structlog.processors.add_log_level(None, "info", event)
        return renderer(None, "info", stamper(None, "info", event))

    bind_contextvars(run_id="3f1c2a9e-7b5d-4c1e-9a2f-0d8e6b4c2a10", trace_id="sweep-0001")
    try:
        _pedantic(benchmark, render)
    finally:
        clear_contextvars()


def test_logging_gate_cases_do_the_same_work():
    """Each gate case's two sides do the same job (same output for the JSON pair)."""
    from benchmarks.cases_logging import cases

    found = {case.name: case for case in cases()}
    assert "logging_debug_off_vs_stdlib" in found
    json_case = found.get("logging_json_format_vs_structlog")
    if json_case is not None:
        import json

        ours = json.loads(json_case.candidate())
        theirs = json.loads(json_case.reference())
        assert set(ours) == set(theirs)
        assert {k: v for k, v in ours.items() if k != "ts"} == {
            k: v for k, v in theirs.items() if k != "ts"
        }
