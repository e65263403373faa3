"""The slow path: find the first bad line of a CSV the fast typed read refused.

It runs only after the fast read failed or saw a missing cell, so it may be slow;
it reads the file with :mod:`csv`, tracks each record's line (1-based, the header
is line 1) and builds a :class:`DataContractError` naming the line, the column
and the text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from peak_trade.core.errors import DataContractError
from peak_trade.data.reader._times import TimeSpec, parse_times

__all__ = ["first_bad_line", "record_lines"]


def _records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each record after the header with the line it ends on; blank lines (and lines
    of only delimiters) are skipped, as the fast read drops their empty rows."""
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for fields in reader:
            if reader.line_num > 1 and any(f.strip() for f in fields):  # blank lines skipped
                yield reader.line_num, fields


def record_lines(path: Path, /, *, delimiter: str) -> list[int]:
    """The file line of every data record, in file order."""
    return [line for line, _ in _records(path, delimiter)]


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) in (b"\n", b"\r")


def _fail(path: Path, line: int, text: str, hint: str, **context: object) -> DataContractError:
    msg = f"{path}: line {line}{text}"
    return DataContractError(msg, hint=hint, context={"path": str(path), "line": line, **context})


def first_bad_line(
    path: Path,
    /,
    *,
    delimiter: str,
    width: int,
    columns: Mapping[str, int],
    time_spec: TimeSpec,
    tz: str,
) -> DataContractError | None:
    """The error for the first line with a wrong field count, a bad number or a bad
    time; None when every line is good.

    ``columns`` maps the file's column names to their field positions; the time
    column is the one named ``"timestamp"`` in ``roles`` order (first entry).
    """
    lines: list[int] = []
    values: dict[str, list[str]] = {name: [] for name in columns}
    records = _records(path, delimiter)
    for line, fields in records:
        if len(fields) != width:
            last = next(records, None) is None and not _ends_with_newline(path)
            torn = "; the last line is cut short, the file looks half-written" if last else ""
            hint = (
                "wait for the writer to finish, or delete the partial last line"
                if last
                else "fix that line; a quoted field may hold the delimiter"
            )
            return _fail(
                path,
                line,
                f": {len(fields)} fields, expected {width}{torn}",
                hint,
                fields=len(fields),
                expected=width,
            )
        lines.append(line)
        for name, position in columns.items():
            values[name].append(fields[position].strip())
    names = list(columns)
    found: list[tuple[int, int, str, str]] = []  # (line, order, column, problem)
    for order, name in enumerate(names):
        raw = pl.Series(name, values[name], dtype=pl.String)
        if order == 0:
            parsed = parse_times(raw, time_spec, tz=tz)
            what = f"is not a time in the format {time_spec.describe()} (years 1900-2199)"
            if tz != "UTC":
                what += f" (or does not exist, or is ambiguous, in {tz})"
        else:
            parsed = raw.cast(pl.Float64, strict=False)
            what = "is not a number"
        bad = parsed.is_null()
        if bad.any():
            i = int(bad.arg_true()[0])
            text = values[name][i]
            problem = f"{text!r} {what}" if text else "is empty"
            found.append((lines[i], order, name, problem))
    if found:
        line, _, name, problem = min(found)
        return _fail(
            path,
            line,
            f", column {name.strip()}: {problem}",
            "fix or delete that line" + ("" if "time" not in problem else ", or pass format='...'"),
            column=name.strip(),
        )
    return None
