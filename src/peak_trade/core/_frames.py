"""The one conversion of user frames and series into polars, used by every layer.

Accepted frames: polars DataFrame or LazyFrame, pyarrow Table or RecordBatch, and
pandas DataFrame. Accepted series: polars Series, pyarrow Array or ChunkedArray, and
pandas Series. Neither pandas nor pyarrow is imported here: a pandas or pyarrow
object can only exist when the user has already loaded its library (pyarrow costs
~25 ms of every start; it is imported only to convert a pandas object).
"""

from __future__ import annotations

import sys
from typing import Any

import polars as pl

from peak_trade.core.errors import DataContractError

__all__ = ["FRAME_KINDS", "SERIES_KINDS", "is_frame", "short_repr", "to_polars", "to_series"]

FRAME_KINDS = (
    "a polars DataFrame or LazyFrame, a pyarrow Table or a pandas DataFrame"
    " (a DatetimeIndex becomes the `timestamp` column)"
)
SERIES_KINDS = "a polars Series, a pyarrow Array or a pandas Series"
_REPR_LIMIT = 60


def _pandas() -> Any:
    return sys.modules.get("pandas")


def _arrow_kind(obj: Any, *names: str) -> bool:
    """True when ``obj`` is one of pyarrow's ``names`` (False while pyarrow is not loaded)."""
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(obj, tuple(getattr(pa, name) for name in names))


def is_frame(obj: Any, /) -> bool:
    """True for every kind :func:`to_polars` accepts.

    Example:
        >>> is_frame(pl.DataFrame()), is_frame([1, 2])
        (True, False)
    """
    if isinstance(obj, pl.DataFrame | pl.LazyFrame) or _arrow_kind(obj, "Table", "RecordBatch"):
        return True
    pd = _pandas()
    return pd is not None and isinstance(obj, pd.DataFrame)


def short_repr(obj: Any, /) -> str:
    """A one-line description of ``obj`` for error messages, never a whole frame.

    Frames and series give their kind and shape; other values a ``repr`` cut at 60
    characters.

    Example:
        >>> short_repr(pl.DataFrame({"a": [1, 2]}))
        'polars DataFrame (2 rows x 1 columns)'
    """
    kind = f"{type(obj).__module__.split('.')[0]} {type(obj).__name__}"
    if isinstance(obj, pl.LazyFrame):
        return f"{kind} ({len(obj.collect_schema())} columns)"
    shape = getattr(obj, "shape", None)
    if is_frame(obj) and isinstance(shape, tuple) and len(shape) == 2:
        return f"{kind} ({shape[0]} rows x {shape[1]} columns)"
    if _series_kind(obj) or (type(obj).__module__ == "numpy" and shape is not None):
        length = shape if isinstance(shape, tuple) else (len(obj),)
        dtype = getattr(obj, "dtype", getattr(obj, "type", "?"))
        return f"{kind} (shape {tuple(length)}, dtype {dtype})"
    if isinstance(obj, list | tuple) and any(is_frame(x) or _series_kind(x) for x in obj):
        items = ", ".join(short_repr(x) for x in obj[:2])
        more = ", ..." if len(obj) > 2 else ""
        return f"{type(obj).__name__} of {len(obj)} [{items}{more}]"
    text = repr(obj)
    if "\n" in text or len(text) > _REPR_LIMIT:
        text = text.replace("\n", " ")[: _REPR_LIMIT - 3] + "..."
    return text


def _series_kind(obj: Any) -> bool:
    if isinstance(obj, pl.Series) or _arrow_kind(obj, "Array", "ChunkedArray"):
        return True
    pd = _pandas()
    return pd is not None and isinstance(obj, pd.Series)


def _pandas_frame(obj: Any, timestamp: str) -> pl.DataFrame:
    import pyarrow as pa  # a dependency; loaded here, where a pandas frame is converted

    pd = sys.modules["pandas"]
    frame = obj
    index = obj.index
    if isinstance(index, pd.DatetimeIndex):
        frame = obj.reset_index(names=index.name or timestamp)
    elif any(name is not None for name in index.names):
        frame = obj.reset_index()  # a named index is data: keep it as columns
    table = pa.Table.from_pandas(frame, preserve_index=False)
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)  # a Table always gives a DataFrame
    return result


def _conversion_error(obj: Any, exc: Exception) -> DataContractError:
    where = type(obj).__name__
    msg = f"could not turn the {where} into polars: {exc}"
    return DataContractError(
        msg,
        hint="check the query or the column types (plain numbers, strings, datetimes)",
        context={"input_type": where},
        cause=exc,
    )


def _failures() -> tuple[type[Exception], ...]:
    """The conversion errors to wrap; pyarrow's only once pyarrow is loaded."""
    pa = sys.modules.get("pyarrow")
    arrow = (pa.ArrowException,) if pa is not None else ()
    return (pl.exceptions.PolarsError, *arrow, ValueError, TypeError)


def to_polars(obj: Any, /, *, timestamp: str = "timestamp") -> pl.DataFrame:
    """Collect or convert ``obj`` into an eager polars DataFrame.

    A pandas DatetimeIndex becomes a column (named after the index, or
    ``timestamp``); any other named index is kept as columns; an unnamed one
    (the default ``RangeIndex``) is dropped.

    Args:
        obj: A polars DataFrame or LazyFrame, a pyarrow Table or RecordBatch, or a
            pandas DataFrame.
        timestamp: Name given to a pandas DatetimeIndex without a name.

    Raises:
        TypeError: ``obj`` is not a frame; the message lists the accepted kinds.
        DataContractError: A LazyFrame's query or a conversion failed.

    Example:
        >>> to_polars(pl.LazyFrame({"a": [1]})).shape
        (1, 1)
    """
    if isinstance(obj, pl.DataFrame):
        return obj
    if not is_frame(obj):
        msg = f"expected {FRAME_KINDS}; got {short_repr(obj)}"
        raise TypeError(msg)
    try:
        if isinstance(obj, pl.LazyFrame):
            return obj.collect()
        if _arrow_kind(obj, "Table", "RecordBatch"):
            result = pl.from_arrow(obj)
            assert isinstance(result, pl.DataFrame)  # a Table always gives a DataFrame
            return result
        return _pandas_frame(obj, timestamp)
    except _failures() as exc:
        raise _conversion_error(obj, exc) from exc


def to_series(obj: Any, /) -> pl.Series | None:
    """``obj`` as a polars Series if it is a series kind, else None.

    A pandas Series keeps its values only (its index is dropped).

    Raises:
        DataContractError: The conversion failed.

    Example:
        >>> to_series(pa.array([1.0, 2.0])).to_list()
        [1.0, 2.0]
    """
    if isinstance(obj, pl.Series):
        return obj
    if not _series_kind(obj):
        return None
    try:
        if _arrow_kind(obj, "Array", "ChunkedArray"):
            result = pl.from_arrow(obj)
        else:
            import pyarrow as pa  # a dependency; loaded here, where a pandas series is converted

            name = obj.name if isinstance(obj.name, str) else ""
            result = pl.Series(name, pa.Array.from_pandas(obj))
    except _failures() as exc:
        raise _conversion_error(obj, exc) from exc
    assert isinstance(result, pl.Series)  # an Array always gives a Series
    return result
