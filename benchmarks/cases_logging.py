"""Gate cases for structured logging (issue 4, section 4).

The fair JSON comparison (``docs/observability.md``, "Cost"): both sides turn the
same log event into one JSON line with the same content, ``ts``, ``level``,
``logger``, ``event``, ``run_id``, ``trace_id`` and 5 fields:

- ours: ``JsonFormatter.format`` on a ``LogRecord`` made by a ``peak_trade.*``
  logger inside ``run_context`` (the ids are stamped when the record is made);
- structlog as a user configures it for such lines: ``add_log_level``,
  ``TimeStamper(fmt="iso", utc=True, key="ts")`` and ``JSONRenderer`` on an event
  dict that already holds the event, logger name, ids and fields (what its bound
  logger builds before the processors run).

Neither side pays for making its record or event dict. Every call takes the next
of ``POOL`` prepared events whose field values are all different (paths, row
counts, durations), with event names drawn from a run's handful and timestamps
1 ms apart, so no cache of whole lines can help either side.

Both figures are per-call costs of a few hundred nanoseconds to microseconds, so
each timed sample runs the call ``inner`` times.
"""

from __future__ import annotations

import functools
import itertools
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

from benchmarks.gatekit import RatioCase

EXTRA = {
    "path": "/data/cache/BTC-USDT_1m.arrow",
    "rows": 1_000_000,
    "algorithm": "xxh3_128",
    "seconds": 0.0421,
    "symbol": "BTC/USDT",
}
IDS = {"run_id": "3f1c2a9e-7b5d-4c1e-9a2f-0d8e6b4c2a10", "trace_id": "sweep-0001"}
# The events one run repeats (docs/observability.md, "Events").
EVENTS = (
    "cache.write",
    "cache.read",
    "backtest.run",
    "grid.run",
    "provider.retry",
    "contract.failed",
    "breaker.state_change",
    "provider.file_read",
)
POOL = 4096
LOGGER = "peak_trade.bench.logging"
START = 1_780_000_000.0  # 2026-05-28, a Thursday


def _fields(rng: random.Random) -> dict[str, Any]:
    """The 5 fields of a ``cache.write``-like event, drawn afresh: 3 str, an int, a float."""
    coin = rng.choice(("BTC", "ETH", "SOL"))
    return {
        "path": f"/data/cache/{coin}-USDT_{rng.randrange(10**6)}.arrow",
        "rows": rng.randrange(10**7),
        "algorithm": rng.choice(("xxh3_128", "sha256")),
        "seconds": rng.random() * 3,
        "symbol": rng.choice(("BTC/USDT", "ETH/USDT", "SOL/USDT")),
    }


def event_pool(
    *,
    bound: Mapping[str, Any] | None = None,
    spacing_s: float = 1e-3,
    unique_events: bool = False,
    size: int = POOL,
) -> tuple[list[logging.LogRecord], list[dict[str, Any]]]:
    """``size`` distinct events, as our records and as structlog event dicts.

    Args:
        bound: Fields bound with ``run_context`` besides the ids (structlog's event
            dicts hold them too).
        spacing_s: Seconds between the records' timestamps; ``1.1`` puts every
            record in a new second.
        unique_events: Give every record its own event name, so no two lines
            share their fixed part.
        size: How many events.
    """
    from peak_trade.core.logging import ContextFilter, run_context

    stamp = ContextFilter()  # what the library's handler does to a record it passes on

    rng = random.Random(20260528)
    logger = logging.getLogger(LOGGER)
    extra_bound = dict(bound or {})
    records: list[logging.LogRecord] = []
    events: list[dict[str, Any]] = []
    with run_context(**IDS, **extra_bound):
        for i in range(size):
            fields = _fields(rng)
            event = f"event.{i}" if unique_events else EVENTS[rng.randrange(len(EVENTS))]
            record = logger.makeRecord(
                LOGGER, logging.INFO, __file__, 1, event, (), None, extra=fields
            )
            stamp.filter(record)
            record.created = START + i * spacing_s
            records.append(record)
            events.append({"event": event, "logger": LOGGER, **IDS, **extra_bound, **fields})
    return records, events


def structlog_chain() -> Callable[[dict[str, Any]], Any]:
    """structlog's processors for the same line: level, ISO UTC time, JSON."""
    from structlog.processors import JSONRenderer, TimeStamper, add_log_level

    stamp = TimeStamper(fmt="iso", utc=True, key="ts")
    render = JSONRenderer()

    def chain(event: dict[str, Any]) -> Any:
        return render(None, "info", stamp(None, "info", add_log_level(None, "info", event)))

    return chain


def json_sides(
    *,
    bound: Mapping[str, Any] | None = None,
    spacing_s: float = 1e-3,
    unique_events: bool = False,
    renderer_only: bool = False,
) -> tuple[Callable[[], str], Callable[[], Any]]:
    """(ours, structlog's): each call formats the next event of the same pool.

    ``renderer_only`` hands structlog's ``JSONRenderer`` events that already hold
    ``ts`` and ``level`` (stricter than fair: ours still makes both).
    """
    from structlog.processors import JSONRenderer

    from peak_trade.core.logging import JsonFormatter

    records, events = event_pool(bound=bound, spacing_s=spacing_s, unique_events=unique_events)
    formatter = JsonFormatter()
    chain = structlog_chain()
    if renderer_only:
        for event in events:
            event.update(ts="2026-05-28T20:26:40.123456Z", level="info")
        render = JSONRenderer()
        chain = functools.partial(render, None, "info")
    next_record = itertools.cycle(records).__next__
    next_event = itertools.cycle(events).__next__
    return (lambda: formatter.format(next_record())), (lambda: chain(next_event()))


def json_vs_structlog_case() -> RatioCase | None:
    """Our JSON formatter vs structlog's TimeStamper + JSONRenderer, fresh values each call."""
    try:
        import structlog  # noqa: F401  # a benchmark-only peer
    except ImportError:
        return None
    ours, theirs = json_sides()
    return RatioCase(
        "logging_json_format_vs_structlog",
        candidate=ours,
        reference=theirs,
        rounds=31,
        warmup=2,
        inner=2000,
    )


def debug_off_case() -> RatioCase:
    """A disabled library ``debug`` vs the same call on a plain stdlib logger."""
    import peak_trade.core.logging  # noqa: F401  # installs the library's stamping handler

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


# Not gated: the same comparison in other conditions, printed by
# `python -m benchmarks.cases_logging` (docs/observability.md, "Cost").
VARIANTS: dict[str, dict[str, Any]] = {
    "fair (gated)": {},
    "with a bound field": {"bound": {"strategy": "sma_cross"}},
    "every line a new second": {"spacing_s": 1.1},
    "every line a new event name": {"unique_events": True},
    "structlog renderer only": {"renderer_only": True},
    "renderer only, bound field": {"renderer_only": True, "bound": {"strategy": "sma_cross"}},
}


def variant_cases() -> list[RatioCase]:
    """The JSON comparison under each of ``VARIANTS``."""
    out = []
    for name, options in VARIANTS.items():
        ours, theirs = json_sides(**options)
        out.append(RatioCase(name, ours, theirs, rounds=31, warmup=2, inner=2000))
    return out


def cases() -> list[RatioCase]:
    """Every logging gate case (the structlog one only when structlog is installed)."""
    found = [debug_off_case(), json_vs_structlog_case()]
    return [case for case in found if case is not None]


if __name__ == "__main__":
    from benchmarks.gatekit import measure_ratio

    for case in [debug_off_case(), *variant_cases()]:
        result = measure_ratio(case)
        print(
            f"{case.name:32s} ours {result.candidate_s * 1e6:6.2f} us  "
            f"reference {result.reference_s * 1e6:6.2f} us  ratio {result.ratio:.2f}"
        )
