"""Gate cases for structured logging (issue 4, section 4).

Both figures are per-call costs of a few hundred nanoseconds to microseconds, so
each timed sample runs the call ``inner`` times.
"""

from __future__ import annotations

import logging
from typing import Any

from benchmarks.gatekit import RatioCase

EXTRA = {
    "path": "/data/cache/BTC-USDT_1m.arrow",
    "rows": 1_000_000,
    "algorithm": "xxh3_128",
    "seconds": 0.0421,
    "symbol": "BTC/USDT",
}


def _record() -> logging.LogRecord:
    """A real ``peak_trade.*`` record with 5 extra fields and bound ids."""
    from peak_trade.core.logging import run_context

    logger = logging.getLogger("peak_trade.bench.logging")
    with run_context(run_id="3f1c2a9e-7b5d-4c1e-9a2f-0d8e6b4c2a10", trace_id="sweep-0001"):
        return logger.makeRecord(
            logger.name, logging.INFO, __file__, 1, "cache.write", (), None, extra=EXTRA
        )


def structlog_event(record: logging.LogRecord) -> dict[str, Any]:
    """The event dict structlog's renderer would get for the same log line."""
    return {
        "ts": "2026-01-01T00:00:00.000000Z",
        "level": record.levelname,
        "logger": record.name,
        "event": record.getMessage(),
        "run_id": record.__dict__["run_id"],
        "trace_id": record.__dict__["trace_id"],
        **EXTRA,
    }


def json_vs_structlog_case() -> RatioCase | None:
    """Our JSON formatter on a record vs structlog's JSONRenderer on the same event."""
    try:
        from structlog.processors import JSONRenderer
    except ImportError:  # structlog is a benchmark-only peer
        return None
    from peak_trade.core.logging import JsonFormatter

    record = _record()
    formatter = JsonFormatter()
    renderer = JSONRenderer()
    event = structlog_event(record)
    return RatioCase(
        "logging_json_format_vs_structlog",
        candidate=lambda: formatter.format(record),
        reference=lambda: renderer(None, "info", event),
        rounds=31,
        warmup=2,
        inner=2000,
    )


def debug_off_case() -> RatioCase:
    """A disabled library ``debug`` vs the same call on a plain stdlib logger."""
    import peak_trade.core.logging  # noqa: F401  # installs the record factory

    ours = logging.getLogger("peak_trade.bench.debug_off")
    plain = logging.getLogger("bench_plain_stdlib.debug_off")
    for logger in (ours, plain):
        logger.setLevel(logging.INFO)

    return RatioCase(
        "logging_debug_off_vs_stdlib",
        candidate=lambda: ours.debug("bench.event", extra=EXTRA),
        reference=lambda: plain.debug("bench.event", extra=EXTRA),
        rounds=31,
        warmup=2,
        inner=40_000,
    )


def cases() -> list[RatioCase]:
    """Every logging gate case (the structlog one only when structlog is installed)."""
    found = [debug_off_case(), json_vs_structlog_case()]
    return [case for case in found if case is not None]
