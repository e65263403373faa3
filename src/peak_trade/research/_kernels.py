"""Numba kernels of the research layer; numpy arrays and scalars only."""

from __future__ import annotations

from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def start_pool_nb(n: int) -> int:
    """Reference: sum(range(n)); a parallel loop that starts numba's threading layer."""
    total = 0
    for i in prange(n):
        total += i
    return total
