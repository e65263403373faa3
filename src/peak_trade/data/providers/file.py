"""OHLCV from CSV, Parquet or Arrow IPC files, found by symbol and read by :func:`read_ohlcv`."""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import polars as pl

from peak_trade.core.errors import ConfigError, DataContractError, ProviderError
from peak_trade.data.contracts import check_ohlcv
from peak_trade.data.normalize import Duplicates
from peak_trade.data.providers._window import cut_window
from peak_trade.data.reader import (
    LoadedFile,
    check_timeframe,
    infer_calendar,
    load_ohlcv_file,
)
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["EXTENSIONS", "FileProvider", "path_safe_symbol"]

_log = logging.getLogger(__name__)

#: File extensions a pattern's ``{ext}`` is filled with, and the format each one is.
EXTENSIONS = {"parquet": "parquet", "arrow": "ipc", "feather": "ipc", "ipc": "ipc", "csv": "csv"}
_FIELDS = {"symbol", "timeframe", "ext"}
_DUPLICATES = ("error", "keep_last", "keep_first")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def path_safe_symbol(symbol: str, /) -> str:
    """The symbol as used in file names: every character other than ``A-Z a-z
    0-9 . _ -`` becomes ``-``.

    Raises:
        ProviderError: The result is empty, ``.`` or ``..`` (not transient).

    Example:
        >>> path_safe_symbol("BTC/USDT:USDT")
        'BTC-USDT-USDT'
    """
    safe = _UNSAFE.sub("-", symbol) if isinstance(symbol, str) else ""
    if safe in ("", ".", ".."):
        msg = f"symbol {symbol!r} does not make a usable file name"
        raise ProviderError(msg, transient=False, hint="pass a symbol such as 'BTC/USDT'")
    return safe


class FileProvider:
    """Read OHLCV files named after the symbol (and optionally the timeframe).

    A file is either listed in ``files`` (symbol -> path) or found by filling
    ``pattern`` with the path-safe symbol (see :func:`path_safe_symbol`;
    ``BTC/USDT`` becomes ``BTC-USDT``), the timeframe and, when the pattern has
    ``{ext}``, each extension in :data:`EXTENSIONS`; exactly one must exist.
    Each file goes through :func:`read_ohlcv` (with ``columns``, ``timestamp``,
    ``format``, ``tz`` and ``delimiter``), ``duplicates`` resolves repeated
    times, a given timeframe must match the bars' modal spacing, and the
    bars are cut to ``[start, end)``.

    Args:
        root: Directory the pattern and relative ``files`` are resolved against.
        pattern: Relative path with ``{symbol}`` and optionally ``{timeframe}``
            and ``{ext}``, e.g. ``"{symbol}.csv"`` or ``"{symbol}/{timeframe}.{ext}"``.
        files: Symbol -> file; when given, ``pattern`` is not used.
        columns: As in :func:`read_ohlcv`.
        timestamp: As in :func:`read_ohlcv`.
        format: As in :func:`read_ohlcv`.
        tz: As in :func:`read_ohlcv`.
        delimiter: As in :func:`read_ohlcv`.
        duplicates: ``"error"``, ``"keep_last"`` or ``"keep_first"``.

    Example:
        >>> FileProvider("data", pattern="{symbol}.csv").fetch_ohlcv("AAPL")  # doctest: +SKIP
        shape: (2_515, 6)
    """

    def __init__(
        self,
        root: str | Path = ".",
        *,
        pattern: str = "{symbol}_{timeframe}.{ext}",
        files: Mapping[str, str | Path] | None = None,
        columns: Mapping[str, str] | None = None,
        timestamp: str | None = None,
        format: str | None = None,
        tz: str = "UTC",
        delimiter: str | None = None,
        duplicates: Duplicates = "error",
    ) -> None:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
        if "symbol" not in fields or not fields <= _FIELDS:
            msg = f"`pattern` must use `{{symbol}}` and only {sorted(_FIELDS)}; got {pattern!r}"
            raise ConfigError(
                msg,
                hint="write it like '{symbol}.csv' or '{symbol}_{timeframe}.{ext}'",
                context={"fields": sorted(fields)},
            )
        if duplicates not in _DUPLICATES:
            msg = f"`duplicates` must be one of {list(_DUPLICATES)}; got {duplicates!r}"
            raise ConfigError(msg, hint='e.g. duplicates="keep_last"')
        self.root = Path(root)
        self.pattern = pattern
        self.files = {k: Path(v) for k, v in files.items()} if files is not None else None
        self.options: dict[str, Any] = {
            "columns": dict(columns) if columns is not None else None,
            "timestamp": timestamp,
            "format": format,
            "tz": tz,
            "delimiter": delimiter,
        }
        self.duplicates: Duplicates = duplicates

    def __repr__(self) -> str:
        return f"FileProvider({str(self.root)!r}, pattern={self.pattern!r})"

    def path_for(self, symbol: str, timeframe: str | None = None) -> Path:
        """The one existing file for ``symbol`` (and ``timeframe`` if the pattern uses it).

        Raises:
            ProviderError: No file or more than one file matches (not transient).

        Example:
            >>> FileProvider("data").path_for("BTC/USDT", "1h")  # doctest: +SKIP
            PosixPath('data/BTC-USDT_1h.parquet')
        """
        context: dict[str, Any] = {"symbol": symbol, "timeframe": timeframe, "root": str(self.root)}
        if self.files is not None:
            listed = self.files.get(symbol)
            if listed is None:
                msg = f"no file listed for {symbol!r}; listed: {sorted(self.files)}"
                raise ProviderError(msg, transient=False, hint="add it to `files`", context=context)
            path = listed if listed.is_absolute() else self.root / listed
            if not path.is_file():
                msg = f"the file listed for {symbol!r} does not exist: {str(path)!r}"
                raise ProviderError(msg, transient=False, hint="check the path", context=context)
            return path
        if timeframe is not None:
            parse_timeframe(timeframe)
        elif "{timeframe}" in self.pattern:
            msg = f"`pattern` {self.pattern!r} uses {{timeframe}} but no timeframe was given"
            raise ConfigError(msg, hint="declare the timeframe, or drop it from the pattern")
        safe = path_safe_symbol(symbol)
        exts = EXTENSIONS if "{ext}" in self.pattern else {"": ""}
        candidates = [
            self.root / self.pattern.format(symbol=safe, timeframe=timeframe, ext=ext)
            for ext in exts
        ]
        found = [p for p in candidates if p.is_file()]
        if not found:
            msg = f"no file for {symbol!r} under {str(self.root)!r}"
            raise ProviderError(
                msg,
                transient=False,
                hint=f"expected one of {[p.name for p in candidates]}",
                context={**context, "tried": [str(p) for p in candidates]},
            )
        if len(found) > 1:
            msg = f"{len(found)} files match {symbol!r}: {[str(p) for p in found]}"
            raise ProviderError(
                msg,
                transient=False,
                hint="keep one format per symbol and timeframe; delete the stale file",
                context={**context, "found": [str(p) for p in found]},
            )
        return found[0]

    def load(self, symbol: str, timeframe: str | None = None) -> LoadedFile:
        """The symbol's file read and detected, duplicates resolved, not yet judged.

        Example:
            >>> FileProvider("data").load("BTC/USDT", "1h").detected.timeframe  # doctest: +SKIP
            '1h'
        """
        path = self.path_for(symbol, timeframe)
        try:
            loaded = load_ohlcv_file(path, **self.options)
        except DataContractError as exc:
            exc.context.setdefault("path", str(path))
            exc.context.setdefault("symbol", symbol)
            raise
        if self.duplicates != "error" and not loaded.report.ok:
            keep: Literal["first", "last"] = "last" if self.duplicates == "keep_last" else "first"
            frame = loaded.frame.unique(subset="timestamp", keep=keep, maintain_order=True)
            if frame.height != loaded.frame.height:
                report = check_ohlcv(frame, strict=True, require_tz=True)
                loaded = LoadedFile(frame, loaded.detected, report, lambda i: f"record {i + 1}")
        return loaded

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """The bars of ``symbol`` in ``[start, end)``, checked against ``timeframe``.

        Raises:
            ProviderError: The file is missing or ambiguous (never transient).
            DataContractError: The file is unreadable, its layout cannot be
                detected, a line is bad, the bars break the strict contract or
                their spacing disagrees with ``timeframe``; ``context["path"]``
                names the file.

        Example:
            >>> FileProvider("data").fetch_ohlcv("ETH/USDT", "1d")  # doctest: +SKIP
        """
        loaded = self.load(symbol, timeframe)
        path = loaded.detected.path
        if not loaded.report.ok:
            err = loaded.failure()
            err.context.setdefault("symbol", symbol)
            raise err
        df = loaded.frame
        if timeframe is not None:
            check_timeframe(timeframe, infer_calendar(df.get_column("timestamp")), path=path)
        df = cut_window(df, start, end)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("provider.file_read", extra={"path": path, "rows": df.height})
        return df
