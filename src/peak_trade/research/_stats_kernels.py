"""Numba kernels of the overfitting statistics (wrappers in ``research/stats.py``)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: ``pbo_nb`` metrics.
METRIC_SHARPE = 0
METRIC_MEAN = 1


@njit(cache=True, nogil=True)
def block_sums_nb(returns: Floats, n_blocks: int, sums: Floats, squares: Floats) -> None:
    """Reference: returns[b*L:(b+1)*L].sum(0) and (**2).sum(0) per block, L = rows // n_blocks."""
    n_cols = returns.shape[1]
    length = returns.shape[0] // n_blocks
    for b in range(n_blocks):
        for j in range(n_cols):
            sums[b, j] = 0.0
            squares[b, j] = 0.0
        for i in range(b * length, (b + 1) * length):
            for j in range(n_cols):
                r = returns[i, j]
                sums[b, j] += r
                squares[b, j] += r * r


@njit(cache=True, nogil=True)
def metric_nb(total: float, square: float, count: int, metric: int) -> float:
    """Reference: mean, or mean / std (ddof 1); 0 for 0/0 and +-inf for x/0."""
    mean = total / count
    if metric == METRIC_MEAN:
        return mean
    var = (square - count * mean * mean) / (count - 1)
    if var > 0.0:
        return mean / math.sqrt(var)
    if mean == 0.0:
        return 0.0
    return math.inf if mean > 0.0 else -math.inf


@njit(cache=True, nogil=True)
def pbo_nb(
    sums: Floats,
    squares: Floats,
    halves: Ints,
    block_len: int,
    metric: int,
    logits: Floats,
    is_best: Floats,
    oos_best: Floats,
) -> None:
    """Reference: the brute-force CSCV loop in tests/research/test_stats.py."""
    n_blocks, n_cols = sums.shape
    half = halves.shape[1]
    count_in = half * block_len
    count_out = (n_blocks - half) * block_len
    all_sum = np.zeros(n_cols)
    all_sq = np.zeros(n_cols)
    for b in range(n_blocks):
        for j in range(n_cols):
            all_sum[j] += sums[b, j]
            all_sq[j] += squares[b, j]
    in_sum = np.empty(n_cols)
    in_sq = np.empty(n_cols)
    oos = np.empty(n_cols)
    for c in range(halves.shape[0]):
        for j in range(n_cols):
            in_sum[j] = 0.0
            in_sq[j] = 0.0
        for h in range(half):
            b = halves[c, h]
            for j in range(n_cols):
                in_sum[j] += sums[b, j]
                in_sq[j] += squares[b, j]
        best = 0
        best_value = -math.inf
        for j in range(n_cols):
            v = metric_nb(in_sum[j], in_sq[j], count_in, metric)
            if v > best_value or j == 0:
                best = j
                best_value = v
            oos[j] = metric_nb(all_sum[j] - in_sum[j], all_sq[j] - in_sq[j], count_out, metric)
        chosen = oos[best]
        below = 0
        equal = 0
        for j in range(n_cols):
            if oos[j] < chosen:
                below += 1
            elif oos[j] == chosen:
                equal += 1
        rank = below + (equal + 1) / 2.0
        omega = rank / (n_cols + 1)
        logits[c] = math.log(omega / (1.0 - omega))
        is_best[c] = best_value
        oos_best[c] = chosen


@njit(cache=True, nogil=True)
def psr_nb(
    sr: Floats, n_obs: Floats, skew: Floats, kurtosis: Floats, sr_star: Floats, out: Floats
) -> None:
    """Reference: Phi((sr - sr*) sqrt(n - 1) / sqrt(1 - g3 sr + (g4 - 1) / 4 sr^2)) per row."""
    for i in range(sr.shape[0]):
        s = sr[i]
        den = 1.0 - skew[i] * s + (kurtosis[i] - 1.0) / 4.0 * s * s
        if not (den > 0.0) or not (n_obs[i] >= 2.0) or math.isnan(s) or math.isnan(sr_star[i]):
            out[i] = np.nan
            continue
        z = (s - sr_star[i]) * math.sqrt(n_obs[i] - 1.0) / math.sqrt(den)
        out[i] = 0.5 * math.erfc(-z / math.sqrt(2.0))
