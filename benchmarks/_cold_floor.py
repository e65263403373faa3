"""The floor of a cold start: one cached numba kernel, loaded in a fresh process.

``benchmarks/cases_cold_start.py`` times a process that imports numpy, polars and
numba and calls :func:`total_nb` with numba's on-disk cache warm. Loading any cached
kernel first builds numba's CPU target (its typing and lowering registries, and
``scipy.linalg`` when scipy is installed), which every peak_trade backtest pays too.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["total_nb"]


@njit(cache=True, nogil=True)
def total_nb(values: npt.NDArray[np.float64]) -> float:  # pragma: no cover - jitted
    """Sum of ``values``; reference: ``float(values.sum())``."""
    total = 0.0
    for v in values:
        total += v
    return total
