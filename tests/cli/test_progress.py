"""The progress bar and the summary table."""

from __future__ import annotations

import io

import pytest

from peak_trade.cli._progress import ProgressBar
from peak_trade.cli._tables import render_table


@pytest.mark.smoke
def test_bar_draws_done_count_and_eta_from_the_clock() -> None:
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar(4, stream=stream, enabled=True, clock=lambda: now[0])
    now[0] = 2.0
    bar.advance("AAA x")
    assert stream.getvalue() == "\r[######------------------] 1/4 ETA 6s AAA x\x1b[K"
    bar.close()
    assert stream.getvalue().endswith("\n")


def test_disabled_bar_writes_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(3, stream=stream, enabled=False)
    for _ in range(5):
        bar.advance("x")
    bar.close()
    assert (stream.getvalue(), bar.done) == ("", 3)


def test_table_right_aligns_numbers_and_shows_none_as_dash() -> None:
    text = render_table(["sym", "ret", "n"], [["AAA", 0.5, 3], ["BBBB", None, 12]])
    assert text.splitlines() == [
        "sym      ret   n",
        "----  ------  --",
        "AAA   0.5000   3",
        "BBBB       -  12",
    ]
