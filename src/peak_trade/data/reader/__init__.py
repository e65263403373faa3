"""One reader for OHLCV files: CSV, Parquet and Arrow IPC into the canonical frame.

A CSV is sniffed from a small head (BOM, delimiter, header, time format), then
read once with a typed schema; only when that read fails does a slow pass find
the first bad line. Parquet and IPC files are read by their schema (and pandas
index metadata). Every path ends in :func:`validate_ohlcv`'s strict contract.

Every name loads its module on first use: the backtest's ``infer_calendar`` does not
load the CSV and Parquet readers (nor pyarrow).
"""

from typing import TYPE_CHECKING

from peak_trade._lazy import lazy_getattr

if TYPE_CHECKING:
    from peak_trade.data.reader._detected import Detected
    from peak_trade.data.reader._read import EXTENSIONS, LoadedFile, load_ohlcv_file, read_ohlcv
    from peak_trade.data.reader._timeframe import Calendar, check_timeframe, infer_calendar

_LAZY = {
    "Detected": "peak_trade.data.reader._detected",
    **dict.fromkeys(
        ["EXTENSIONS", "LoadedFile", "load_ohlcv_file", "read_ohlcv"],
        "peak_trade.data.reader._read",
    ),
    **dict.fromkeys(
        ["Calendar", "check_timeframe", "infer_calendar"], "peak_trade.data.reader._timeframe"
    ),
}
__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "EXTENSIONS",
    "Calendar",
    "Detected",
    "LoadedFile",
    "check_timeframe",
    "infer_calendar",
    "load_ohlcv_file",
    "read_ohlcv",
]
