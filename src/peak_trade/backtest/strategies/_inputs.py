"""Kernel inputs of the strategy families: polars columns as contiguous numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["MatrixInputs", "close_arrays", "matrix_inputs"]


def close_arrays(data: pl.DataFrame, /) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``close`` as float64 (a null reads as NaN) and where it is not null."""
    close = data.get_column("close").cast(pl.Float64)
    values = np.ascontiguousarray(close.to_numpy(), dtype=np.float64)
    present = np.ascontiguousarray(close.is_not_null().to_numpy(), dtype=np.bool_)
    return values, present


@dataclass(frozen=True, slots=True)
class MatrixInputs:
    """What a family's ``signal_matrix`` kernel needs, per distinct window length."""

    close: npt.NDArray[np.float64]
    present: npt.NDArray[np.bool_]
    lengths: list[int]  # the distinct window lengths, ascending: one indicator row each
    rows: npt.NDArray[np.int64]  # for each combination, its row in ``lengths``
    out: npt.NDArray[np.float64]  # bars x combinations, zeros, Fortran order


def matrix_inputs(
    data: pl.DataFrame, resolved: Sequence[dict[str, Any]], key: str, /
) -> MatrixInputs | None:
    """The kernel inputs of ``resolved`` combinations windowed by ``key``; None when empty."""
    if not resolved or data.height == 0:
        return None
    windows = [int(c[key]) for c in resolved]
    lengths = sorted(set(windows))
    index = {w: r for r, w in enumerate(lengths)}
    close, present = close_arrays(data)
    out = np.zeros((data.height, len(resolved)), dtype=np.float64, order="F")
    rows = np.array([index[w] for w in windows], dtype=np.int64)
    return MatrixInputs(close, present, lengths, rows, out)
