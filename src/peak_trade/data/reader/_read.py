"""The reader's front function: one file, sniffed or typed, into the canonical frame."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data.contracts import ContractReport, check_ohlcv
from peak_trade.data.normalize import OHLCV_COLUMNS
from peak_trade.data.reader._columnar import read_columnar_bars
from peak_trade.data.reader._csv import read_csv_bars
from peak_trade.data.reader._detected import Detected
from peak_trade.data.reader._lines import record_lines
from peak_trade.data.reader._order import contract_failure, in_time_order, locate
from peak_trade.data.reader._timeframe import infer_calendar

__all__ = ["EXTENSIONS", "LoadedFile", "load_ohlcv_file", "read_ohlcv"]

#: File suffixes the reader knows, and the format each one is read as.
EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "ipc",
    ".ipc": "ipc",
    ".feather": "ipc",
}


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A file's bars in time order (not yet judged), what was detected, and the
    report of the strict contract."""

    frame: pl.DataFrame
    detected: Detected
    report: ContractReport
    where: Callable[[int], str]  # row of ``frame`` -> "line N" (CSV) or "record N"

    def failure(self) -> DataContractError:
        """The line-naming error for a report with violations."""
        return contract_failure(self.report, path=self.detected.path, where=self.where)


def _check_options(source: Any, tz: Any, delimiter: Any, columns: Any) -> Path:
    if not isinstance(source, str | Path):
        msg = f"`source` must be a path (str or Path); got {type(source).__name__}"
        raise ConfigError(msg, hint='e.g. read_ohlcv("AAPL.csv")')
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        msg = f"`tz` must be an IANA time zone such as 'UTC'; got {tz!r}"
        raise ConfigError(msg, hint='e.g. tz="America/New_York"', cause=exc) from exc
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        msg = f"`delimiter` must be one character; got {delimiter!r}"
        raise ConfigError(msg, hint="e.g. delimiter=';'")
    if columns is not None and not (
        isinstance(columns, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items())
    ):
        msg = f"`columns` must map file column names to canonical ones; got {columns!r}"
        raise ConfigError(msg, hint='e.g. columns={"Close": "close"}')
    wrong = sorted(set((columns or {}).values()) - set(OHLCV_COLUMNS))
    if wrong:
        msg = f"`columns` maps onto {wrong}, which are not canonical names {list(OHLCV_COLUMNS)}"
        raise ConfigError(msg, hint='e.g. columns={"Close": "close", "Time": "timestamp"}')
    path = Path(source)
    if path.suffix.lower() not in EXTENSIONS:
        msg = f"{path}: cannot tell the format from the suffix {path.suffix!r}"
        raise ConfigError(msg, hint=f"use one of {sorted(EXTENSIONS)}", context={"path": str(path)})
    if not path.is_file():
        msg = f"{path}: no such file"
        raise ConfigError(msg, hint="check the path", context={"path": str(path)})
    return path


def load_ohlcv_file(
    source: str | Path,
    /,
    *,
    columns: Mapping[str, str] | None = None,
    timestamp: str | None = None,
    format: str | None = None,
    tz: str = "UTC",
    delimiter: str | None = None,
    calendar: bool = False,
) -> LoadedFile:
    """Read and detect like :func:`read_ohlcv`, but return the contract report
    instead of raising on it (``validate-data`` prints it). ``calendar`` also
    infers the timeframe (``detected.timeframe``) when the bars are valid.

    Raises:
        ConfigError: An option is invalid or the file does not exist.
        DataContractError: The layout cannot be detected, or a line is unreadable.

    Example:
        >>> load_ohlcv_file("AAPL.csv").detected.timeframe  # doctest: +SKIP
        '1d'
    """
    path = _check_options(source, tz, delimiter, columns)
    kind = EXTENSIONS[path.suffix.lower()]
    try:
        if kind == "csv":
            df, detected = read_csv_bars(
                path,
                columns=columns,
                timestamp=timestamp,
                format=format,
                tz=tz,
                delimiter=delimiter,
            )
        else:
            df, detected = read_columnar_bars(
                path, kind=kind, columns=columns, timestamp=timestamp, format=format, tz=tz
            )
    except OSError as exc:
        msg = f"{path}: cannot read the file ({exc.strerror or exc})"
        raise DataContractError(msg, hint="check the file", context={"path": str(path)}) from exc
    if df.height == 0:
        msg = f"{path}: the file has a header but no rows"
        raise DataContractError(msg, hint="write at least one bar", context={"path": str(path)})
    df, reversed_ = in_time_order(df)
    report = check_ohlcv(df, strict=True, require_tz=True)
    lines = None
    if kind == "csv" and detected.delimiter is not None:
        sep = detected.delimiter
        lines = lambda: record_lines(path, delimiter=sep)  # noqa: E731 - read only on failure
    where = locate(kind, lines, reversed_=reversed_, n=df.height)
    ts = df.get_column("timestamp")
    found = infer_calendar(ts) if calendar and report.ok else None
    detected = replace(
        detected,
        rows=df.height,
        first=_moment(ts[0] if report.ok else ts.min()),  # ok: sorted, the ends bound it
        last=_moment(ts[-1] if report.ok else ts.max()),
        timeframe=found.timeframe if found is not None else None,
        reversed=reversed_,
    )
    return LoadedFile(df, detected, report, where)


def _moment(value: object) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def read_ohlcv(
    source: str | Path,
    /,
    *,
    columns: Mapping[str, str] | None = None,
    timestamp: str | None = None,
    format: str | None = None,
    tz: str = "UTC",
    delimiter: str | None = None,
    symbol: str | None = None,
) -> pl.DataFrame:
    """Read an OHLCV file (CSV, Parquet, Arrow IPC) into the canonical frame.

    With no options the layout is detected: header names in any case and with
    stray spaces; the time column by name (``timestamp``, ``time``, ``date``,
    ``datetime``, ``open_time``, ``Gmt time``), unnamed first column or pandas
    index; time values as ISO 8601 (with or without offset), dates, day-first
    and month-name forms or epoch s/ms/us/ns by magnitude; the CSV delimiter
    among ``,`` ``;`` tab ``|``; a BOM, CRLF, a missing final newline. Extra
    columns are ignored. A newest-first file is reversed. The result passes
    ``validate_ohlcv(strict=True, require_tz=True)``.

    Args:
        source: Path of a ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or
            ``.arrow``/``.ipc``/``.feather`` file.
        columns: File column name -> canonical name, e.g. ``{"Close": "close"}``.
        timestamp: The file's time column.
        format: strftime format of the time text, e.g. ``"%d.%m.%Y %H:%M:%S%.f"``.
        tz: Time zone of naive times; the result is converted to UTC.
        delimiter: The CSV delimiter.
        symbol: Name used in log records and error context only.

    Raises:
        ConfigError: An option is invalid or the file does not exist.
        DataContractError: Detection is ambiguous (the message names the
            candidates and the option that settles it), a line is bad (named
            by its 1-based line number, header = line 1), or the bars break the
            contract.

    Example:
        >>> read_ohlcv("AAPL.csv").columns  # doctest: +SKIP
        ['timestamp', 'open', 'high', 'low', 'close', 'volume']
    """
    try:
        loaded = load_ohlcv_file(
            source, columns=columns, timestamp=timestamp, format=format, tz=tz, delimiter=delimiter
        )
    except DataContractError as exc:
        if symbol is not None:
            exc.context.setdefault("symbol", symbol)
        raise
    if not loaded.report.ok:
        err = loaded.failure()
        if symbol is not None:
            err.context["symbol"] = symbol
        raise err
    return loaded.frame
