"""The progress line of ``peak-trade sweep``: one line on a terminal, nothing otherwise.

On a terminal the line reads ``combos 1,200/5,000 | symbols 3/10 | 850 rows/s |
ETA 4s | retried 0`` and is redrawn in place. Off a terminal it draws nothing:
the sweep's own ``sweep.progress`` INFO event (every 10 s, the same fields)
goes to the log.
"""

from __future__ import annotations

import sys
from typing import TextIO

from peak_trade.research.sweep import SweepProgress

__all__ = ["SweepLine", "render"]


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return (
        f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
    )


def render(event: SweepProgress, /) -> str:
    """The progress line of one event.

    Example:
        >>> e = SweepProgress(3, 10, 0, "A", 0, 50, 2.0, 4.7, 150, 500, 1, 4, 75.0, 1)
        >>> render(e)
        'combos 150/500 | symbols 1/4 | 75 rows/s | ETA 5s | retried 1'
    """
    return (
        f"combos {event.combos_done:,}/{event.combos_total:,} | "
        f"symbols {event.symbols_done:,}/{event.symbols_total:,} | "
        f"{event.rows_per_s:,.0f} rows/s | ETA {_eta(event.eta_s)} | retried {event.retried}"
    )


class SweepLine:
    """Redraw :func:`render` in place on ``stream`` when ``enabled`` (stdout is a terminal).

    Example:
        >>> line = SweepLine(enabled=False)
        >>> line(SweepProgress(1, 1, 0, "A", 0, 2, 1.0, 0.0)); line.close()
    """

    def __init__(self, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = sys.stdout.isatty() if enabled is None else enabled
        self._drawn = False

    def __call__(self, event: SweepProgress, /) -> None:
        if self._enabled:
            self._stream.write("\r" + render(event) + "\x1b[K")
            self._stream.flush()
            self._drawn = True

    def close(self) -> None:
        """End the line (when one was drawn)."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
