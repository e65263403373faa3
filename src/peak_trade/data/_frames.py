"""Turn the frame kinds users hand us into one eager polars DataFrame."""

from __future__ import annotations

import sys
from typing import Any

import polars as pl
import pyarrow as pa

from peak_trade.core.errors import DataContractError

__all__ = ["to_polars"]


def _is_pandas_frame(obj: Any) -> bool:
    # Never import pandas: if the user passed a pandas frame, pandas is already loaded.
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def _pandas_to_polars(obj: Any, timestamp: str) -> pl.DataFrame:
    pd = sys.modules["pandas"]
    frame = obj
    if isinstance(obj.index, pd.DatetimeIndex):
        index_name = obj.index.name or timestamp
        frame = obj.reset_index(names=index_name)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)  # a Table always gives a DataFrame
    return result


def to_polars(obj: Any, /, *, timestamp: str = "timestamp") -> pl.DataFrame:
    """Collect or convert ``obj`` into an eager polars DataFrame.

    Args:
        obj: A polars DataFrame or LazyFrame, a pyarrow Table, or a pandas DataFrame
            (a DatetimeIndex becomes the ``timestamp`` column).
        timestamp: Name given to a pandas DatetimeIndex without a name.

    Raises:
        TypeError: ``obj`` is not a frame.
        DataContractError: A LazyFrame's query or a conversion failed.

    Example:
        >>> to_polars(pl.LazyFrame({"a": [1]})).shape
        (1, 1)
    """
    if isinstance(obj, pl.DataFrame):
        return obj
    where = type(obj).__name__
    try:
        if isinstance(obj, pl.LazyFrame):
            return obj.collect()
        if isinstance(obj, pa.Table):
            result = pl.from_arrow(obj)
            assert isinstance(result, pl.DataFrame)  # a Table always gives a DataFrame
            return result
        if _is_pandas_frame(obj):
            return _pandas_to_polars(obj, timestamp)
    except (pl.exceptions.PolarsError, pa.ArrowException, ValueError, TypeError) as exc:
        msg = f"could not turn the {where} into a polars DataFrame: {exc}"
        raise DataContractError(
            msg,
            hint="check the query or the column types of the input frame",
            context={"input_type": where},
            cause=exc,
        ) from exc
    msg = (
        "expected a polars DataFrame or LazyFrame, a pyarrow Table or a pandas DataFrame; "
        f"got {where}"
    )
    raise TypeError(msg)
