"""Numba kernels for numba's own random state (per thread, apart from numpy's).

Jitted code draws from a Mersenne Twister that ``numpy.random.seed`` called from
Python never touches, so it can only be seeded from inside jitted code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["random_draws_nb", "seed_numba_nb"]


@njit(cache=True, nogil=True)
def seed_numba_nb(seed: int) -> None:
    """Reference: numpy.random.RandomState(seed), for numba's state in this thread."""
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def random_draws_nb(n: int) -> npt.NDArray[np.float64]:
    """Reference: numpy.random.RandomState(seed).random_sample(n) after seed_numba_nb(seed)."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = np.random.random()
    return out
