"""The sweep's receiving end: progress events, the summary, and the chunk collector.

The collector writes each finished chunk to ``output`` as it arrives and keeps it
only when the sweep collects its result. It counts combinations, symbols, rows
per second and Ray's retries for the progress events, and records the symbols
whose data failed to load (their other tasks are skipped; the sweep raises at
the end, after the other symbols finished).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from peak_trade.core.errors import CacheError, DataContractError, PeakTradeError
from peak_trade.research._chunks import ChunkTask
from peak_trade.research._sink import write_chunk

__all__ = ["Collector", "Progress", "SweepProgress", "SweepSummary"]

_log = logging.getLogger("peak_trade.research.sweep")
#: Seconds between two ``sweep.progress`` INFO events.
LOG_EVERY_S = 10.0


@dataclass(frozen=True, slots=True)
class SweepProgress:
    """A chunk was computed (and written): counts, timing and the ETA.

    Chunks found done in ``output`` are not reported one by one; each event
    counts them in ``resumed`` and ``done``.

    Args:
        done: Chunks finished so far, resumed ones included.
        total: Chunks in the sweep.
        resumed: Chunks loaded from ``output`` instead of computed.
        symbol: The finished chunk's symbol.
        chunk: The finished chunk's index within its symbol.
        rows: Its rows (combinations).
        elapsed_s: Seconds since the sweep started computing.
        eta_s: Estimated seconds left, from the computed chunks' pace; None
            before the first computed chunk.
        combos_done: Symbol x combination rows finished, resumed ones included.
        combos_total: Symbol x combination rows in the sweep.
        symbols_done: Symbols whose chunks are all finished.
        symbols_total: Symbols in the sweep.
        rows_per_s: Computed rows per second since the sweep started computing.
        retried: Tasks Ray re-ran after a worker or node died, so far.
    """

    done: int
    total: int
    resumed: int
    symbol: str
    chunk: int
    rows: int
    elapsed_s: float
    eta_s: float | None
    combos_done: int = 0
    combos_total: int = 0
    symbols_done: int = 0
    symbols_total: int = 0
    rows_per_s: float = 0.0
    retried: int = 0

    def fields(self) -> dict[str, object]:
        """The fields a progress log event carries."""
        return {
            "combos_done": self.combos_done,
            "combos_total": self.combos_total,
            "symbols_done": self.symbols_done,
            "symbols_total": self.symbols_total,
            "rows_per_s": round(self.rows_per_s, 1),
            "eta_s": None if self.eta_s is None else round(self.eta_s, 1),
            "retried": self.retried,
            "done": self.done,
            "total": self.total,
        }


Progress = Callable[[SweepProgress], None]


@dataclass(frozen=True, slots=True)
class SweepSummary:
    """What ``sweep(..., collect=False)`` returns: the result stays in ``path``.

    Args:
        rows: Result rows written (resumed chunks included).
        chunks: Chunk files of the sweep.
        computed: Chunks computed by this call (the rest were resumed).
        seconds: Wall time of the call's computing part.
        path: The output directory (``pl.scan_parquet(path / "part-*.parquet")``).
        retried: Tasks Ray re-ran after a worker or node died.
    """

    rows: int
    chunks: int
    computed: int
    seconds: float
    path: Path
    retried: int = 0


def symbol_scoped(exc: PeakTradeError) -> bool:
    """True for a failure of one symbol's data (its file), not of the sweep itself."""
    return isinstance(exc, CacheError | DataContractError)


class Collector:
    """Receives finished chunks: writes them, keeps them (if collecting), reports progress."""

    def __init__(
        self,
        out_dir: Path | None,
        tasks: Sequence[ChunkTask],
        found: Sequence[tuple[int, int]],
        *,
        keep: bool,
        progress: Progress | None,
        clock: Callable[[], float],
    ) -> None:
        self.frames: dict[tuple[int, int], pl.DataFrame] = {}
        self.failures: dict[str, PeakTradeError] = {}
        self.rows = 0
        self.retried = 0
        self._out, self._keep, self._total = out_dir, keep, len(tasks)
        self._progress, self._clock = progress, clock
        self._left = Counter(t.symbol for t in tasks)
        self._symbols = len(self._left)
        self._combos = sum(len(t.combos) for t in tasks)
        by_order = {t.order: t for t in tasks}
        for order in found:
            self._finish(by_order[order].symbol)
            self.rows += len(by_order[order].combos)
        self._resumed = len(found)
        self._done = len(found)
        self._resumed_rows = self.rows
        self._started = clock()
        self._logged = self._started

    def _finish(self, symbol: str) -> None:
        self._left[symbol] -= 1
        if self._left[symbol] == 0:
            del self._left[symbol]

    def elapsed(self) -> float:
        """Seconds since the collector was made (the sweep started computing)."""
        return float(self._clock() - self._started)

    def skips(self, task: ChunkTask, /) -> bool:
        """True when the task's symbol already failed to load."""
        return task.symbol in self.failures

    def failed(self, task: ChunkTask, exc: PeakTradeError, /) -> bool:
        """Record a symbol's data failure (True: keep going); False for any other error."""
        if not symbol_scoped(exc):
            return False
        self.failures.setdefault(task.symbol, exc)
        if _log.isEnabledFor(logging.WARNING):
            _log.warning(
                "sweep.symbol_failed",
                extra={"symbol": task.symbol, "error": type(exc).__name__, "reason": str(exc)},
            )
        return True

    def note_retries(self, count: int, /) -> None:
        """Count tasks the executor saw re-run."""
        self.retried += count

    def __call__(self, task: ChunkTask, frame: pl.DataFrame, /) -> None:
        if self._out is not None:
            write_chunk(self._out, task, frame)
        if self._keep:
            self.frames[task.order] = frame
        self._done += 1
        self.rows += frame.height
        self._finish(task.symbol)
        now = self._clock()
        elapsed = now - self._started
        computed = self._done - self._resumed
        eta = elapsed / computed * (self._total - self._done) if computed else None
        rate = (self.rows - self._resumed_rows) / elapsed if elapsed > 0 else 0.0
        event = SweepProgress(
            self._done, self._total, self._resumed, task.symbol, task.index, frame.height,
            elapsed, eta, self.rows, self._combos, self._symbols - len(self._left),
            self._symbols, rate, self.retried,
        )  # fmt: skip
        if now - self._logged >= LOG_EVERY_S or self._done == self._total:
            self._logged = now
            if _log.isEnabledFor(logging.INFO):
                _log.info("sweep.progress", extra=event.fields())
        if self._progress is not None:
            self._progress(event)

    def raise_failures(self, order: Sequence[str]) -> None:
        """Raise the first failed symbol's error (in sweep order), naming all of them."""
        if not self.failures:
            return
        failed = [s for s in order if s in self.failures]
        first = self.failures[failed[0]]
        first.context["failed_symbols"] = failed
        raise first
