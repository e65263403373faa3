"""The sweep's progress line on a terminal, and its 10 s INFO event otherwise (injected clock)."""

from __future__ import annotations

import io
import logging

import pytest

from peak_trade.cli._sweep_progress import SweepLine, render
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.sweep import SweepProgress, sweep

FRAMES = {s: synthetic_ohlcv(600, seed=1, symbol=s) for s in ("A", "B", "C")}
GRID = {"fast": [3, 5], "slow": [20, 30]}  # 4 combinations, 2 chunks of 2 per symbol


@pytest.mark.smoke
def test_terminal_line_shows_combos_symbols_rate_eta_and_retries():
    stream = io.StringIO()
    line = SweepLine(stream=stream, enabled=True)
    line(SweepProgress(5, 8, 1, "B", 0, 50, 10.0, 75.0, 250, 400, 2, 4, 20.0, 3))
    line.close()
    expected = "combos 250/400 | symbols 2/4 | 20 rows/s | ETA 1m15s | retried 3"
    assert stream.getvalue() == "\r" + expected + "\x1b[K\n"


def test_line_is_silent_off_a_terminal():
    stream = io.StringIO()
    line = SweepLine(stream=stream, enabled=False)
    line(SweepProgress(1, 1, 0, "A", 0, 2, 1.0, 0.0))
    line.close()
    assert stream.getvalue() == ""


def test_eta_over_an_hour_reads_in_hours():
    event = SweepProgress(1, 2, 0, "A", 0, 1, 1.0, 7_380.0, 1, 2, 0, 1, 1.0, 0)
    assert render(event).endswith("ETA 2h03m | retried 0")


def test_events_count_combos_and_symbols_and_info_logs_every_10_s(caplog):
    """Each chunk advances the clock 4 s: INFO at 12 s (10 s passed) and at the last chunk."""
    now = [0.0]

    def clock() -> float:
        return now[0]

    events: list[SweepProgress] = []

    def progress(event: SweepProgress) -> None:
        events.append(event)
        now[0] += 4.0

    with caplog.at_level(logging.INFO, logger="peak_trade.research.sweep"):
        sweep(FRAMES, "ma_crossover", GRID, chunk_size=2, max_workers=1, progress=progress,
              clock=clock)  # fmt: skip
    assert [(e.combos_done, e.symbols_done) for e in events] == [
        (2, 0), (4, 1), (6, 1), (8, 2), (10, 2), (12, 3),
    ]  # fmt: skip
    assert [e.elapsed_s for e in events] == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0]
    assert events[2].rows_per_s == 6 / 8.0
    assert events[2].eta_s == 8.0 / 3 * 3
    logged = [r for r in caplog.records if r.getMessage() == "sweep.progress"]
    assert [r.done for r in logged] == [4, 6]  # type: ignore[attr-defined]  # log extras
    assert logged[0].combos_done == 8  # type: ignore[attr-defined]
