"""A one-line progress bar with an ETA, on stderr, only when stdout is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["ProgressBar"]

_WIDTH = 24


class ProgressBar:
    """Draw ``[#####-----] 3/6 ETA 2s label`` on one line, redrawn in place.

    Silent unless ``enabled`` (by default: stdout is a TTY), so piped output and
    logs stay clean.

    Args:
        total: Number of steps.
        stream: Where to draw; stderr by default.
        enabled: Draw or not; None means "stdout is a terminal".
        clock: Monotonic time source, in seconds.

    Example:
        >>> bar = ProgressBar(2, enabled=False)
        >>> bar.advance("BTC/USDT ma_crossover"); bar.close()
    """

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = sys.stdout.isatty() if enabled is None else enabled
        self._clock = clock
        self._started = clock()

    def advance(self, label: str = "") -> None:
        """Count one finished step and redraw."""
        self.update(self.done + 1, label)

    def update(self, done: int, label: str = "", *, total: int | None = None) -> None:
        """Set the finished steps (and the total, when it became known) and redraw."""
        if total is not None:
            self.total = max(total, 1)
        self.done = min(done, self.total)
        if self._enabled:
            self._stream.write("\r" + self.render(label) + "\x1b[K")
            self._stream.flush()

    def render(self, label: str = "") -> str:
        """The bar as text (without the carriage return).

        Example:
            >>> ProgressBar(4, enabled=False, clock=lambda: 0.0).render()
            '[------------------------] 0/4 ETA ?'
        """
        filled = _WIDTH * self.done // self.total
        elapsed = self._clock() - self._started
        eta = "?" if self.done == 0 else f"{elapsed / self.done * (self.total - self.done):.0f}s"
        text = f"[{'#' * filled}{'-' * (_WIDTH - filled)}] {self.done}/{self.total} ETA {eta}"
        return f"{text} {label}" if label else text

    def close(self) -> None:
        """End the line (when drawing)."""
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()
