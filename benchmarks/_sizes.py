"""One knob for the headline suite's sizes: ``PEAK_TRADE_BENCH_ROWS``.

Each headline benchmark has its issue's size (10M bars, 100k bars, ...). Setting
``PEAK_TRADE_BENCH_ROWS`` caps every one of them, so that CI can run the whole
suite once at a small size (``.ci/run``) and a user can try it quickly.
"""

from __future__ import annotations

import os


def headline_rows(default: int) -> int:
    """``default``, or ``PEAK_TRADE_BENCH_ROWS`` when that is set and smaller."""
    cap = os.environ.get("PEAK_TRADE_BENCH_ROWS")
    return default if cap is None else min(default, int(cap))
