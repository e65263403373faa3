"""What the reader detected in a file, for ``validate-data`` and logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peak_trade.data.reader._times import TimeSpec

__all__ = ["Detected"]


@dataclass(frozen=True, slots=True)
class Detected:
    """The layout of a file as :func:`read_ohlcv` understood it.

    ``lines`` holds each kept row's file line (CSV, 1-based, header is line 1)
    when it was needed; ``reversed`` says a newest-first file was turned around.
    """

    path: str
    kind: str
    columns: dict[str, str]
    time: TimeSpec
    tz: str
    delimiter: str | None = None
    rows: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    timeframe: str | None = None
    reversed: bool = False
    extra: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) pairs describing the detection."""
        out = [("format", self.kind)]
        if self.delimiter is not None:
            out.append(("delimiter", {"\t": "tab"}.get(self.delimiter, repr(self.delimiter))))
        out.append(("time column", f"{self.columns['timestamp']!r} ({self.time.describe()})"))
        out.append(("time zone", self.tz if not self.time.has_offset else "offsets in the file"))
        mapped = {k: v for k, v in self.columns.items() if k != "timestamp" and k != v}
        if mapped:
            out.append(("columns", ", ".join(f"{v!r} -> {k}" for k, v in mapped.items())))
        if self.extra:
            out.append(("ignored", ", ".join(repr(c) for c in self.extra)))
        out.append(
            ("rows", str(self.rows) + (" (newest first; reversed)" if self.reversed else ""))
        )
        if self.first is not None and self.last is not None:
            out.append(("span", f"{self.first.isoformat()} .. {self.last.isoformat()}"))
        out.append(("timeframe", self.timeframe or "unknown (fewer than 2 bars)"))
        return out
