"""The CSV path: sniff a small head, then one typed read of the needed columns."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from peak_trade.core.errors import DataContractError
from peak_trade.data.reader._detected import Detected
from peak_trade.data.reader._lines import first_bad_line
from peak_trade.data.reader._sniff import HEAD_BYTES, VALUE_NAMES, match_columns, sniff_csv
from peak_trade.data.reader._times import detect_time, parse_times

__all__ = ["read_csv_bars"]


def _head(path: Path) -> tuple[bytes, bool]:
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES + 1)
    return head[:HEAD_BYTES], len(head) <= HEAD_BYTES


def read_csv_bars(
    path: Path,
    /,
    *,
    columns: Mapping[str, str] | None,
    timestamp: str | None,
    format: str | None,
    tz: str,
    delimiter: str | None,
) -> tuple[pl.DataFrame, Detected]:
    """The six canonical columns of a CSV file (not yet ordered or validated).

    Raises:
        DataContractError: Layout undetectable or ambiguous, or a bad line (named).
    """
    head, complete = _head(path)
    sniffed = sniff_csv(head, path=str(path), complete=complete, delimiter=delimiter)
    header = sniffed.header
    if not sniffed.rows:
        msg = f"{path}: the file has a header but no rows"
        raise DataContractError(msg, hint="write at least one bar", context={"path": str(path)})
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        msg = f"{path}: line 1: the header repeats the names {dupes}"
        raise DataContractError(
            msg, hint="rename the repeated columns", context={"path": str(path)}
        )
    roles = match_columns(header, path=str(path), columns=columns, timestamp=timestamp)
    position = {name: i for i, name in enumerate(header)}
    time_col = roles["timestamp"]
    tpos = position[time_col]
    sample = [row[tpos] for row in sniffed.rows if len(row) > tpos]
    spec = detect_time(
        sample, path=str(path), column=time_col.strip() or "(unnamed)", format=format
    )
    names = [f"c{i}" for i in range(len(header))]
    schema: dict[str, pl.DataType] = {n: pl.String() for n in names}
    if spec.kind == "epoch":
        integral = all("." not in v for v in sample)
        schema[names[tpos]] = pl.Int64() if integral else pl.Float64()
    padded = any(v != v.strip() for row in sniffed.rows for v in row)
    for role in VALUE_NAMES:  # padded cells (`1.5 `) are read as text and stripped
        schema[names[position[roles[role]]]] = pl.String() if padded else pl.Float64()
    if padded:
        schema[names[tpos]] = pl.String()
    wanted = [names[position[roles[r]]] for r in ("timestamp", *VALUE_NAMES)]
    # Every column is read: polars checks the field count of a row only when the
    # projection is whole, and a row with a stray delimiter must not shift silently.
    ordered = {header[position[roles[r]]]: position[roles[r]] for r in ("timestamp", *VALUE_NAMES)}

    def slow(cause: BaseException | None = None) -> None:
        """Raise the first bad line's error; with no cause, a clean file passes."""
        err = first_bad_line(
            path,
            delimiter=sniffed.delimiter,
            width=len(header),
            columns=ordered,
            time_spec=spec,
            tz=tz,
        )
        if err is not None:
            raise err from cause
        if cause is not None:
            msg = f"{path}: the CSV reader refused the file: {cause}"
            raise DataContractError(
                msg, hint="check the quoting and encoding", context={"path": str(path)}
            ) from cause

    try:
        raw = pl.read_csv(
            path,
            separator=sniffed.delimiter,
            has_header=False,
            skip_rows=1,
            schema=schema,
            glob=False,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError) as exc:
        slow(exc)
        raise  # unreachable: slow raised
    if raw.null_count().sum_horizontal().item():  # blank lines read as empty rows: drop them
        raw = raw.filter(~pl.all_horizontal(pl.all().is_null()))
    if padded:
        raw = raw.with_columns(
            pl.col(wanted[0]).str.strip_chars(),
            *(pl.col(n).str.strip_chars().cast(pl.Float64, strict=False) for n in wanted[1:]),
        )
        if spec.kind == "epoch":
            raw = raw.with_columns(pl.col(wanted[0]).cast(pl.Float64, strict=False))
    stamps = parse_times(raw.get_column(wanted[0]), spec, tz=tz)
    if stamps.null_count() or raw.select(wanted).null_count().sum_horizontal().item():
        slow()  # a bad or missing cell: always a bad line
    elif raw.get_column(names[-1]).null_count():
        slow()  # the last column is empty: a short line, or truly empty last cells
    df = raw.select(
        stamps.alias("timestamp"),  # the extra columns are dropped here
        *(pl.col(n).alias(r) for n, r in zip(wanted[1:], VALUE_NAMES, strict=True)),
    )
    extra = tuple(h for h in header if h not in roles.values())
    detected = Detected(
        path=str(path),
        kind="csv",
        columns=roles,
        time=spec,
        tz=tz,
        delimiter=sniffed.delimiter,
        extra=extra,
    )
    return df, detected
