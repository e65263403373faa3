"""Sniffing a CSV head: encoding marks, delimiter, header and the columns' roles."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from peak_trade.core.errors import DataContractError

__all__ = ["HEAD_BYTES", "CsvHead", "match_columns", "sniff_csv"]

#: Bytes of a CSV read to sniff its layout (the rest is read once, typed).
HEAD_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_NAMES = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}
#: Header names (stripped, lowercased) taken as the time column.
TIME_NAMES = (
    "timestamp",
    "time",
    "date",
    "datetime",
    "open_time",
    "gmt time",
    "date_time",
    "",
)
VALUE_NAMES = ("open", "high", "low", "close", "volume")
_PANDAS_INDEX = "__index_level_0__"


@dataclass(frozen=True, slots=True)
class CsvHead:
    """What the head of a CSV file says about its layout."""

    delimiter: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bom: bool

    @property
    def delimiter_name(self) -> str:
        """The delimiter as people name it (``tab``, ``';'``)."""
        return _NAMES.get(self.delimiter, repr(self.delimiter))


def _split(text: str, delimiter: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]


def _pick_delimiter(lines: Sequence[str], path: str) -> str:
    """The delimiter that splits the header into > 1 fields and most lines alike."""
    scores: list[tuple[int, str]] = []
    for d in _DELIMITERS:
        rows = _split("\n".join(lines), d)
        width = len(rows[0]) if rows else 0
        if width > 1 and sum(len(r) == width for r in rows) > 0.5 * len(rows):
            scores.append((width, d))
    if not scores:
        msg = (
            f"{path}: cannot tell the delimiter; none of , ; tab | splits the header and rows alike"
        )
        raise DataContractError(
            msg,
            hint="pass delimiter=',' (or the one the file uses)",
            context={"path": path, "tried": list(_DELIMITERS)},
        )
    if len(scores) > 1:
        names = [_NAMES[d] for _, d in scores]
        msg = f"{path}: delimiter is ambiguous; {', '.join(names)} all split the lines alike"
        raise DataContractError(
            msg,
            hint=f"pass delimiter={scores[0][1]!r} (or the one the file uses)",
            context={"path": path, "candidates": [d for _, d in scores]},
        )
    return scores[0][1]


def sniff_csv(head: bytes, /, *, path: str, complete: bool, delimiter: str | None) -> CsvHead:
    """Decode the head, drop a BOM, pick the delimiter and split the header and rows.

    ``complete`` says the head is the whole file (else its last partial line is
    dropped before sniffing).

    Raises:
        DataContractError: The head is not UTF-8 text, is empty, or has no clear delimiter.
    """
    bom = head.startswith(b"\xef\xbb\xbf")
    try:
        text = head[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(head) - 4:  # a cut multi-byte char at the end is fine
            msg = f"{path}: not UTF-8 text (bad byte at offset {exc.start})"
            raise DataContractError(
                msg, hint="save the file as UTF-8 CSV", context={"path": path}, cause=exc
            ) from exc
        text = head[3 if bom else 0 : exc.start].decode("utf-8")
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        msg = f"{path}: the file is empty"
        raise DataContractError(msg, hint="write a header and rows", context={"path": path})
    sample = lines[:200]
    d = delimiter if delimiter is not None else _pick_delimiter(sample[:50], path)
    rows = _split("\n".join(sample), d)
    return CsvHead(d, tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), bom)


def _key(name: str) -> str:
    return name.strip().lower()


def match_columns(
    names: Sequence[str],
    /,
    *,
    path: str,
    columns: Mapping[str, str] | None,
    timestamp: str | None,
    index: str | None = None,
) -> dict[str, str]:
    """Map canonical names (``timestamp, open, ...``) to the file's column names.

    ``columns`` maps file names to canonical ones and wins; ``timestamp`` names the
    time column; ``index`` is a pandas index column (Parquet/IPC), a time candidate.

    Raises:
        DataContractError: A column is missing, or two columns claim the same role.
    """
    found: dict[str, list[str]] = {}
    explicit = {v: k for k, v in (columns or {}).items()}
    if timestamp is not None:
        explicit["timestamp"] = timestamp
    by_key = {_key(n): n for n in names}
    for target, given in explicit.items():
        source = given if given in names else by_key.get(_key(given), given)
        if source not in names:
            msg = f"{path}: column {source!r} (given for `{target}`) is not in the file"
            raise DataContractError(
                msg,
                hint=f"use one of the file's columns: {list(names)}",
                context={"path": path, "columns": list(names), "missing": source},
            )
        found[target] = [source]
    taken = {v[0] for v in found.values()}
    settled = set(found)
    for name in names:
        if name in taken:
            continue
        key = _key(name)
        if key in VALUE_NAMES and key not in settled:
            found.setdefault(key, []).append(name)
        elif "timestamp" not in explicit and (key in TIME_NAMES or name in (_PANDAS_INDEX, index)):
            found.setdefault("timestamp", []).append(name)
    for target in ("timestamp", *VALUE_NAMES):
        got = found.get(target, [])
        if len(got) > 1:
            option = "timestamp=" if target == "timestamp" else "columns={...: ...}"
            msg = f"{path}: {len(got)} columns could be `{target}`: {got}"
            raise DataContractError(
                msg,
                hint=f"name the one to use with {option}"
                + (f"{got[0]!r}" if target == "timestamp" else ""),
                context={"path": path, "target": target, "candidates": got},
            )
    missing = [t for t in ("timestamp", *VALUE_NAMES) if t not in found]
    if missing:
        msg = f"{path}: no column for {missing}; the file has {list(names)}"
        example = ", ".join(f"{n!r}: {n.strip().lower()!r}" for n in names[:2])
        raise DataContractError(
            msg,
            hint=f"map them with columns={{...}}, e.g. columns={{{example}}}, "
            "and the time column with timestamp='...'",
            context={"path": path, "missing": missing, "columns": list(names)},
        )
    return {t: v[0] for t, v in found.items()}
