"""Every reader of stored bytes, fed damaged files in child processes (docs/errors.md).

Each reader gets at least 200 damaged inputs from a fixed seed (byte flips,
truncations, appended garbage, zero length, swapped sidecars or files); a case
passes when the reader answers with the right ``PeakTradeError`` subclass or a
valid frame. A crash (signal) or a foreign exception fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.fuzz._damage import KINDS
from tests.fuzz._harness import run_batch, run_cases
from tests.fuzz._readers import READERS


def _short(outcome: str) -> str:
    return outcome if outcome.startswith(("frame", "report", "exit")) else outcome[:48]


# Two children, each running half of the readers one after another: both cores
# stay busy and the suite pays for two interpreter start-ups, not one per reader.
# The slowest readers are spread over both children.
_SLOW = ("sweep-resume", "reproduce", "reproduce-sweep")


@pytest.fixture(scope="module")
def fuzz_results(
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, Future[dict[str, list[dict[str, object]]]]]]:
    """The selected readers' case records, from two child processes at once."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_reader_survives_damaged_files"
    }
    order = [n for n in dict.fromkeys((*_SLOW, *sorted(READERS))) if n in selected]
    halves = [order[0::2], order[1::2]]
    with ThreadPoolExecutor(2, thread_name_prefix="fuzz-parent") as pool:
        futures = {}
        for half in halves:
            if half:
                future = pool.submit(run_batch, [(n, READERS[n].cases) for n in half])
                futures.update(dict.fromkeys(half, future))
        yield futures


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_survives_damaged_files(
    name: str, fuzz_results: dict[str, Future[dict[str, list[dict[str, object]]]]]
) -> None:
    """No damaged input crashes the reader or escapes the error taxonomy."""
    reader = READERS[name]
    records = fuzz_results[name].result()[name]
    assert len(records) == reader.cases >= 200
    assert {r.get("kind") for r in records} >= set(KINDS)
    bad = []
    for r in records:
        outcome = str(r["outcome"])
        why = reader.judge(str(r.get("target")), str(r.get("kind")), outcome)
        if why is not None:
            bad.append(f"case {r['case']} {r.get('target')}/{r.get('kind')}: {outcome} ({why})")
    tally = Counter(_short(str(r["outcome"])) for r in records)
    shown = "\n".join(bad[:20])
    assert not bad, f"{len(bad)} of {len(records)} cases failed; outcomes {dict(tally)}:\n{shown}"


def test_harness_counts_a_crash_and_resumes_after_it() -> None:
    """A child killed by a signal is a recorded failure, and the cases after it still run."""
    records = run_cases("self-test-crash", 4)
    assert [r["outcome"] for r in records] == [
        "frame:same",
        "crash:signal 11",
        "frame:same",
        "crash:signal 11",
    ]
