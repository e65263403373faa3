"""OHLCV from CSV, Parquet or Arrow IPC files laid out by symbol and timeframe."""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from peak_trade.core.errors import ConfigError, DataContractError, ProviderError
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.normalize import Duplicates, EpochUnit, normalize_ohlcv
from peak_trade.data.providers._window import cut_window
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["EXTENSIONS", "FileProvider", "path_safe_symbol"]

_log = logging.getLogger(__name__)

#: File extensions looked for, and the reader each one uses.
EXTENSIONS = {"parquet": "parquet", "arrow": "ipc", "feather": "ipc", "ipc": "ipc", "csv": "csv"}
_FIELDS = {"symbol", "timeframe", "ext"}
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
    """Read OHLCV files named after the symbol and the timeframe.

    A file is found by filling ``pattern`` with the path-safe symbol (see
    :func:`path_safe_symbol`; ``BTC/USDT`` becomes ``BTC-USDT``), the timeframe
    and each extension in :data:`EXTENSIONS`; exactly one must exist. The frame
    goes through :func:`normalize_ohlcv` (with ``column_map``, ``timestamp_unit``
    and ``duplicates``), is cut to ``[start, end)`` and must pass the strict
    contract with UTC times.

    A CSV must end with a newline: a file that does not is taken to be
    half-written and rejected rather than read short.

    Args:
        root: Directory the pattern is relative to.
        pattern: Relative path with the fields ``{symbol}``, ``{timeframe}`` and
            ``{ext}``, e.g. ``"{symbol}/{timeframe}.{ext}"``.
        column_map: Passed to :func:`normalize_ohlcv`.
        timestamp_unit: Passed to :func:`normalize_ohlcv`.
        duplicates: Passed to :func:`normalize_ohlcv`.

    Example:
        >>> FileProvider("data").fetch_ohlcv("BTC/USDT", "1h")  # doctest: +SKIP
        shape: (8_760, 6)
    """

    def __init__(
        self,
        root: str | Path,
        *,
        pattern: str = "{symbol}_{timeframe}.{ext}",
        column_map: Mapping[str, str] | None = None,
        timestamp_unit: EpochUnit | None = None,
        duplicates: Duplicates = "error",
    ) -> None:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
        if fields != _FIELDS:
            msg = f"`pattern` must use exactly the fields {sorted(_FIELDS)}; got {pattern!r}"
            raise ConfigError(
                msg,
                hint="write it like '{symbol}_{timeframe}.{ext}'",
                context={"fields": sorted(fields)},
            )
        self.root = Path(root)
        self.pattern = pattern
        self.column_map = dict(column_map) if column_map is not None else None
        self.timestamp_unit: EpochUnit | None = timestamp_unit
        self.duplicates: Duplicates = duplicates

    def __repr__(self) -> str:
        return f"FileProvider({str(self.root)!r}, pattern={self.pattern!r})"

    def path_for(self, symbol: str, timeframe: str) -> Path:
        """The one existing file for ``symbol`` and ``timeframe``.

        Raises:
            ProviderError: No file or more than one file matches (not transient).

        Example:
            >>> FileProvider("data").path_for("BTC/USDT", "1h")  # doctest: +SKIP
            PosixPath('data/BTC-USDT_1h.parquet')
        """
        parse_timeframe(timeframe)
        safe = path_safe_symbol(symbol)
        candidates = [
            self.root / self.pattern.format(symbol=safe, timeframe=timeframe, ext=ext)
            for ext in EXTENSIONS
        ]
        found = [p for p in candidates if p.is_file()]
        context = {"symbol": symbol, "timeframe": timeframe, "root": str(self.root)}
        if not found:
            msg = f"no file for {symbol!r} at {timeframe!r} under {str(self.root)!r}"
            raise ProviderError(
                msg,
                transient=False,
                hint=f"expected one of {[p.name for p in candidates]}",
                context={**context, "tried": [str(p) for p in candidates]},
            )
        if len(found) > 1:
            msg = f"{len(found)} files match {symbol!r} at {timeframe!r}: {[str(p) for p in found]}"
            raise ProviderError(
                msg,
                transient=False,
                hint="keep one format per symbol and timeframe; delete the stale file",
                context={**context, "found": [str(p) for p in found]},
            )
        return found[0]

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """The bars of ``symbol`` at ``timeframe`` in ``[start, end)``.

        Raises:
            ProviderError: The file is missing, ambiguous, half-written or
                unreadable (never transient).
            DataContractError: The data cannot be normalised or breaks the
                strict contract; ``context["path"]`` names the file.

        Example:
            >>> FileProvider("data").fetch_ohlcv("ETH/USDT", "1d")  # doctest: +SKIP
        """
        path = self.path_for(symbol, timeframe)
        raw = _read(path)
        try:
            df = normalize_ohlcv(
                raw,
                column_map=self.column_map,
                timestamp_unit=self.timestamp_unit,
                duplicates=self.duplicates,
            )
            df = cut_window(df, start, end)
            validate_ohlcv(df, strict=True, require_tz=True)
        except DataContractError as exc:
            exc.context.setdefault("path", str(path))
            raise
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("provider.file_read", extra={"path": str(path), "rows": df.height})
        return df


def _read(path: Path) -> pl.DataFrame:
    kind = EXTENSIONS[path.suffix.lstrip(".")]
    try:
        if kind == "csv":
            _check_complete_csv(path)
            return pl.read_csv(path, infer_schema_length=10_000, glob=False)
        if kind == "parquet":
            return pl.read_parquet(path, glob=False)
        return pl.read_ipc(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        msg = f"could not read {kind} file {str(path)!r}: {exc}"
        raise ProviderError(
            msg,
            transient=False,
            hint="the file may be truncated or not of that format; rewrite it",
            context={"path": str(path), "format": kind},
            cause=exc,
        ) from exc


def _check_complete_csv(path: Path) -> None:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        last = b""
        if size:
            fh.seek(size - 1)
            last = fh.read(1)
    if last != b"\n":
        problem = "is empty" if not size else "does not end with a newline"
        msg = f"CSV file {str(path)!r} {problem}; it looks half-written"
        raise ProviderError(
            msg,
            transient=False,
            hint="wait for the writer to finish, or rewrite the file",
            context={"path": str(path), "bytes": size},
        )
