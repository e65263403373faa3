"""Kernel inputs of the strategy families: polars columns as contiguous numpy arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["close_arrays"]


def close_arrays(data: pl.DataFrame, /) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``close`` as float64 (a null reads as NaN) and where it is not null."""
    close = data.get_column("close").cast(pl.Float64)
    values = np.ascontiguousarray(close.to_numpy(), dtype=np.float64)
    present = np.ascontiguousarray(close.is_not_null().to_numpy(), dtype=np.bool_)
    return values, present
