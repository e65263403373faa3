"""Benchmark reference: a pass that only reads what the end-of-run kernel must read.

This is not library code. ``end_checks_nb`` has to look at every bar's timestamp,
close, position, cash and equity; this kernel reads the same five arrays once and
combines their bits, checking nothing. Its time over the simulation's is the floor for any
end-of-run kernel on this machine: below it, a kernel would not have read its input.
``read_one_nb`` does the same for the one array the per-bar checks add to the
simulation's reads, the timestamps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]


@njit(cache=True, nogil=True)
def read_five_nb(
    timestamps: npt.NDArray[np.int64],
    close: Floats,
    position: Floats,
    cash: Floats,
    equity: Floats,
) -> int:
    """Reference: the XOR of the five arrays' bits (only so that every element is read).

    Integer operations, so the loop vectorises and is bound by memory, not by an
    add latency chain.
    """
    c = close.view(np.int64)
    p = position.view(np.int64)
    k = cash.view(np.int64)
    e = equity.view(np.int64)
    acc = 0
    for i in range(c.shape[0]):
        acc ^= timestamps[i] ^ c[i] ^ p[i] ^ k[i] ^ e[i]
    return acc


@njit(cache=True, nogil=True)
def read_one_nb(timestamps: npt.NDArray[np.int64]) -> int:
    """Reference: the XOR of the timestamps: the read every_bar adds to the simulation."""
    acc = 0
    for i in range(timestamps.shape[0]):
        acc ^= timestamps[i]
    return acc
