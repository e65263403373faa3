"""The kernels of the risk stats (numpy in, scalars out).

The ``return_*`` kernels take the equity (or price) itself and form each bar's
return on the fly, with ``bar_returns_nb``'s formula, so no returns array is
written. Their loops index slices with loop counters (never ``i - 1``, which
numba wraps for negative values) so that LLVM vectorises the divisions, and the
sums allow reassociation (``fastmath={"reassoc"}``): the same sums as the plain
loops up to the rounding of the order of the additions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = [
    "CHUNK",
    "bar_returns_nb",
    "returns_into_nb",
    "return_power_sums_nb",
    "return_bands_nb",
    "return_bands_sums_nb",
    "searchsorted_sorted_nb",
]


@njit(cache=True, nogil=True)
def bar_returns_nb(
    equity: npt.NDArray[np.float64], initial: float, out: npt.NDArray[np.float64]
) -> None:
    """Reference: equity / [initial, equity[:-1]] - 1, and 0.0 where that previous is <= 0."""
    prev = initial
    for i in range(equity.shape[0]):
        e = equity[i]
        out[i] = e / prev - 1.0 if prev > 0.0 else 0.0
        prev = e


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})
def return_power_sums_nb(
    equity: npt.NDArray[np.float64], initial: float, shift: float
) -> tuple[float, float, float, float, float, float]:
    """Reference: r[r>0].sum(), -r[r<0].sum(), (d**k).sum() k=1..4 (d = bar returns - shift)."""
    n = equity.shape[0]
    if n == 0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    first = equity[0] / initial - 1.0 if initial > 0.0 else 0.0
    cur = equity[1:]
    prv = equity[:-1]
    gain = first if first > 0.0 else 0.0
    loss = -first if first < 0.0 else 0.0
    d = first - shift
    s1 = d
    s2 = d * d
    s3 = s2 * d
    s4 = s2 * s2
    for t in range(cur.shape[0]):
        p = prv[t]
        q = cur[t] / p - 1.0  # computed even where p <= 0 (no trap): the select is branch-free
        v = q if p > 0.0 else 0.0
        gain += v if v > 0.0 else 0.0
        loss += -v if v < 0.0 else 0.0
        d = v - shift
        d2 = d * d
        s1 += d
        s2 += d2
        s3 += d2 * d
        s4 += d2 * d2
    return gain, loss, s1, s2, s3, s4


#: Returns formed per chunk (a vector loop) before the serial work on them.
CHUNK = 512


@njit(cache=True, nogil=True, error_model="numpy")
def returns_into_nb(
    equity: npt.NDArray[np.float64],
    initial: float,
    start: int,
    stop: int,
    out: npt.NDArray[np.float64],
) -> None:
    """Reference: out[:stop - start] = bar_returns(equity, initial)[start:stop]."""
    if start >= stop:
        return
    first = start
    if start == 0:
        out[0] = equity[0] / initial - 1.0 if initial > 0.0 else 0.0
        first = 1
    cur = equity[first:stop]
    prv = equity[first - 1 : stop - 1]
    dst = out[first - start : stop - start]
    for t in range(cur.shape[0]):
        p = prv[t]
        q = cur[t] / p - 1.0  # computed even where p <= 0 (no trap): a branch-free select
        dst[t] = q if p > 0.0 else 0.0


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _below_above_nb(r: npt.NDArray[np.float64], lo: float, hi: float) -> tuple[int, float, int]:
    """Reference: ((r < lo).sum(), r[r < lo].sum(), (r > hi).sum())."""
    below = 0
    above = 0
    total = 0.0
    for t in range(r.shape[0]):
        v = r[t]
        below += v < lo
        above += v > hi
        total += v if v < lo else 0.0
    return below, total, above


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _power_sums_into_nb(
    r: npt.NDArray[np.float64], shift: float, sums: npt.NDArray[np.float64]
) -> None:
    """Reference: sums += (r[r>0].sum(), -r[r<0].sum(), (d**k).sum() k=1..4) with d = r - shift."""
    gain = 0.0
    loss = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    for t in range(r.shape[0]):
        v = r[t]
        gain += v if v > 0.0 else 0.0
        loss += -v if v < 0.0 else 0.0
        d = v - shift
        d2 = d * d
        s1 += d
        s2 += d2
        s3 += d2 * d
        s4 += d2 * d2
    sums[0] += gain
    sums[1] += loss
    sums[2] += s1
    sums[3] += s2
    sums[4] += s3
    sums[5] += s4


@njit(cache=True, nogil=True)
def return_bands_nb(
    equity: npt.NDArray[np.float64],
    initial: float,
    cuts: npt.NDArray[np.float64],
    low_band: npt.NDArray[np.float64],
    high_band: npt.NDArray[np.float64],
) -> tuple[int, int, int, float, int]:
    """Reference: with r = bar_returns and c = cuts, low_band[:a] = r[(c[0] <= r) & (r <= c[1])],
    high_band[:b] = r[(c[2] <= r) & (r <= c[3])]; (a, b, (r < c[0]).sum(), r[r < c[0]].sum(),
    (r > c[3]).sum()).

    ``return_bands_sums_nb`` without the power sums.
    """
    return return_bands_sums_nb(equity, initial, cuts, 0.0, low_band, high_band, np.zeros(0))


@njit(cache=True, nogil=True)
def return_bands_sums_nb(
    equity: npt.NDArray[np.float64],
    initial: float,
    cuts: npt.NDArray[np.float64],
    shift: float,
    low_band: npt.NDArray[np.float64],
    high_band: npt.NDArray[np.float64],
    sums: npt.NDArray[np.float64],
) -> tuple[int, int, int, float, int]:
    """Reference: return_bands_nb's outputs, and sums[:] = return_power_sums_nb(equity,
    initial, shift) if ``sums`` has 6 slots (one pass over the equity for both).

    The returns are formed a chunk at a time; each chunk's sum below ``c[0]`` is
    added to the total with compensation (Neumaier).
    """
    with_sums = sums.shape[0] == 6
    sums[:] = 0.0
    c0, c1, c2, c3 = cuts[0], cuts[1], cuts[2], cuts[3]
    n = equity.shape[0]
    buf = np.empty(CHUNK)
    a = 0
    b = 0
    below = 0
    above = 0
    total = 0.0
    comp = 0.0
    for j0 in range(0, n, CHUNK):
        j1 = min(j0 + CHUNK, n)
        r = buf[: j1 - j0]
        returns_into_nb(equity, initial, j0, j1, r)
        k_below, x, k_above = _below_above_nb(r, c0, c3)
        if with_sums:
            _power_sums_into_nb(r, shift, sums)
        below += k_below
        above += k_above
        t = total + x
        comp += (total - t) + x if abs(total) >= abs(x) else (x - t) + total
        total = t
        a, b = _scatter_bands_nb(r, c0, c1, c2, c3, low_band, high_band, a, b)
    return a, b, below, total + comp, above


#: Returns per block of the band scatter, which tests each block as a whole first.
BLOCK = 32


@njit(cache=True, nogil=True, inline="always")
def _scatter_bands_nb(
    r: npt.NDArray[np.float64],
    c0: float,
    c1: float,
    c2: float,
    c3: float,
    low_band: npt.NDArray[np.float64],
    high_band: npt.NDArray[np.float64],
    a: int,
    b: int,
) -> tuple[int, int]:
    """Reference: appends r[(c0 <= r) & (r <= c1)] to low_band at a and r[(c2 <= r) & (r <= c3)]
    to high_band at b; returns the new ends.

    Each block of ``BLOCK`` returns is tested as a whole first (a vector loop);
    a block with no return in either band skips the scatter. The scatter is
    branch-free: it writes every return of the block and moves a band's end
    only past those inside the band (a later write overwrites the others).
    """
    for j0 in range(0, r.shape[0], BLOCK):
        block = r[j0 : j0 + BLOCK]
        hits = 0
        for t in range(block.shape[0]):
            v = block[t]
            hits += ((v >= c0) & (v <= c1)) | ((v >= c2) & (v <= c3))
        if hits:
            for t in range(block.shape[0]):
                v = block[t]
                low_band[a] = v
                a += (v >= c0) & (v <= c1)
                high_band[b] = v
                b += (v >= c2) & (v <= c3)
    return a, b


@njit(cache=True, nogil=True)
def searchsorted_sorted_nb(
    stamps: npt.NDArray[np.int64], keys: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> None:
    """Reference: np.searchsorted(stamps, keys) (left), for any keys and ascending stamps.

    Each search starts where the key would sit if the stamps were evenly spaced:
    for evenly spaced bars that guess is the answer, and the guesses do not wait
    on each other, so their loads from a long ``stamps`` overlap. Elsewhere it
    gallops from the guess towards the answer, then bisects.
    """
    n = stamps.shape[0]
    if n == 0:
        out[:] = 0
        return
    t0 = stamps[0]
    span = stamps[n - 1] - t0
    scale = (n - 1) / span if span > 0 else 0.0
    for k in range(keys.shape[0]):
        key = keys[k]
        if key <= t0:
            out[k] = 0
            continue
        if key > stamps[n - 1]:
            out[k] = n
            continue
        # stamps[0] < key <= stamps[n - 1]: the answer is in [1, n - 1]
        g = min(max(int((key - t0) * scale), 1), n - 1)
        if stamps[g] >= key:
            if stamps[g - 1] < key:
                out[k] = g
                continue
            hi = g - 1  # stamps[hi] >= key: gallop down to a stamp below it
            step = 1
            lo = hi - step
            while lo > 0 and stamps[lo] >= key:
                hi = lo
                step *= 2
                lo = max(hi - step, 0)
        else:
            lo = g  # stamps[lo] < key: gallop up to a stamp at or above it
            step = 1
            hi = min(lo + step, n - 1)
            while stamps[hi] < key:
                lo = hi
                step *= 2
                hi = min(lo + step, n - 1)
        # stamps[lo] < key <= stamps[hi]: bisect
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if stamps[mid] < key:
                lo = mid
            else:
                hi = mid
        out[k] = hi
