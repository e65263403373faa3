"""Numba kernels of the strategy families; numpy arrays and scalars only.

The plain references live in tests/backtest/strategies/ (explicit window sums).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def running_sma_nb(close: Floats, windows: Ints) -> Floats:
    """Reference: for each window w, mean(close[i-w+1 : i+1]) via a running sum; NaN in warm-up."""
    n = close.shape[0]
    running = np.empty(n)
    total = 0.0
    for i in range(n):
        total += close[i]
        running[i] = total
    out = np.empty((windows.shape[0], n))
    for k in range(windows.shape[0]):
        w = windows[k]
        div = float(w)
        for i in range(min(w - 1, n)):
            out[k, i] = np.nan
        if w - 1 < n:
            out[k, w - 1] = (running[w - 1] - 0.0) / div
        for i in range(w, n):
            out[k, i] = (running[i] - running[i - w]) / div
    return out


@njit(cache=True, nogil=True)
def crossover_matrix_nb(
    smas: Floats, windows: Ints, fast: Ints, slow: Ints, margin: float, out: Floats
) -> None:
    """Reference: out[i, j] = 1.0 if fast[i] > slow[i] + margin * |slow[i]| after warm-up."""
    n = smas.shape[1]
    for j in range(fast.shape[0]):
        fast_sma = smas[fast[j]]
        slow_sma = smas[slow[j]]
        warm = min(windows[slow[j]] - 1, n)
        for i in range(warm):
            out[i, j] = 0.0
        for i in range(warm, n):
            out[i, j] = 1.0 if fast_sma[i] > slow_sma[i] + margin * abs(slow_sma[i]) else 0.0


@njit(cache=True, nogil=True)
def crossover_signal_nb(close: Floats, fast: int, slow: int, margin: float, out: Floats) -> None:
    """Reference: crossover_matrix_nb over running_sma_nb for one (fast, slow), same arithmetic."""
    # The running sums of the last `slow` bars in a ring (a power of two above
    # `slow`), instead of the whole running-sum array and one SMA row per window.
    size = 1
    while size <= slow:
        size *= 2
    mask = size - 1
    ring = np.zeros(size)  # slot (w - 1 - w) & mask reads 0.0, as running_sma_nb's "- 0.0"
    div_fast = float(fast)
    div_slow = float(slow)
    total = 0.0
    for i in range(close.shape[0]):
        total += close[i]
        ring[i & mask] = total
        if i < slow - 1:
            out[i] = 0.0
            continue
        fast_sma = (total - ring[(i - fast) & mask]) / div_fast
        slow_sma = (total - ring[(i - slow) & mask]) / div_slow
        out[i] = 1.0 if fast_sma > slow_sma + margin * abs(slow_sma) else 0.0


@njit(cache=True, nogil=True)
def momentum_matrix_nb(
    close: Floats,
    present: npt.NDArray[np.bool_],
    lookbacks: Ints,
    entries: Floats,
    exits: Floats,
    out: Floats,
) -> None:
    """Reference: hold(close[i] / close[i-n] - 1 > entry, < exit) per column; NaN as +max."""
    bars = close.shape[0]
    for j in range(lookbacks.shape[0]):
        n = lookbacks[j]
        state = 0.0
        for i in range(bars):
            if i >= n and present[i] and present[i - n]:  # a null change keeps the state
                change = close[i] / close[i - n] - 1.0
                # polars orders NaN above every number: a NaN change enters, as there.
                if change > entries[j] or change != change:
                    state = 1.0
                elif change < exits[j]:
                    state = 0.0
            out[i, j] = state


@njit(cache=True, nogil=True, error_model="numpy")
def polars_lt_nb(a: float, b: float) -> bool:
    """Reference: polars' ``a < b``, where NaN orders above every number and equals NaN."""
    if a != a:
        return False
    return b != b or a < b


@njit(cache=True, nogil=True, error_model="numpy")
def polars_gt_nb(a: float, b: float) -> bool:
    """Reference: polars' ``a > b``, where NaN orders above every number and equals NaN."""
    if a != a:
        return b == b
    return b == b and a > b


@njit(cache=True, nogil=True, error_model="numpy")
def wilder_rsi_nb(close: Floats, present: npt.NDArray[np.bool_], w: int, out: Floats) -> None:
    """Reference: rsi.wilder_rsi (seeded Wilder averages, ewm_mean adjust=False); NaN for null."""
    alpha = 1.0 / float(w)
    keep = 1.0 - alpha
    # polars' ewm_mean state (mean, weight, started) of the change and of its size,
    # fed the seed (rolling_mean(w) of the changes) at bar w and the changes after it.
    mean_d = 0.0
    mean_a = 0.0
    weight = 0.0
    started = False
    seed_d = 0.0
    seed_a = 0.0
    comp_d = 0.0
    comp_a = 0.0
    seed_ok = True
    for i in range(close.shape[0]):
        ok = i >= 1 and present[i] and present[i - 1]
        d = close[i] - close[i - 1] if ok else 0.0
        a = abs(d)
        if 1 <= i <= w:  # polars' rolling sum: Kahan-compensated, in bar order
            if ok:
                y = d - comp_d
                t = seed_d + y
                comp_d = (t - seed_d) - y
                seed_d = t
                y = a - comp_a
                t = seed_a + y
                comp_a = (t - seed_a) - y
                seed_a = t
            else:
                seed_ok = False
        if i == w:
            ok = seed_ok
            d = seed_d / float(w)
            a = seed_a / float(w)
        elif i < w:
            ok = False
        if ok and not started:
            started = True
            mean_d = d
            mean_a = a
            weight = 1.0
        elif started:
            weight *= keep  # a null bar ages the averages too (ignore_nulls=False)
            if ok:
                factor = alpha / (weight + alpha)
                mean_d = mean_d + (d - mean_d) * factor
                mean_a = mean_a + (a - mean_a) * factor
                weight = 1.0
        if ok:
            rsi = 50.0 + 50.0 * (mean_d / mean_a)
            out[i] = 50.0 if rsi != rsi else rsi
        else:
            out[i] = np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def hold_outside_matrix_nb(
    values: Floats, which: Ints, lowers: Floats, uppers: Floats, out: Floats
) -> None:
    """Reference: hold(v < lower, v > upper) of row which[j] of values per column; NaN holds."""
    # With one column, values[0] may be out[:, 0] itself: bar i is read before it is written.
    for j in range(which.shape[0]):
        v = values[which[j]]
        state = 0.0
        for i in range(v.shape[0]):
            if v[i] < lowers[j]:  # a NaN (null) compares false both ways: the state holds
                state = 1.0
            elif v[i] > uppers[j]:
                state = 0.0
            out[i, j] = state


@njit(cache=True, nogil=True, error_model="numpy")
def window_sums_nb(close: Floats, start: int, end: int, shift: float) -> tuple[float, float]:
    """Reference: sum(x - shift) and sum((x - shift) ** 2) over close[start:end]."""
    s1 = 0.0
    s2 = 0.0
    for t in range(start, end):
        d = close[t] - shift
        s1 += d
        s2 += d * d
    return s1, s2


@njit(cache=True, nogil=True, error_model="numpy")
def rolling_mean_std_nb(
    close: Floats, present: npt.NDArray[np.bool_], n: int, mean: Floats, std: Floats
) -> None:
    """Reference: mean and population std of close[i-n+1 : i+1]; NaN if null, NaN or inf in it."""
    nulls = 0  # nulls, NaN or inf in the window
    shift = 0.0
    s1 = 0.0
    s2 = 0.0
    fresh = False  # s1 and s2 hold the current window's sums around `shift`
    age = 0
    for i in range(close.shape[0]):
        x = close[i]
        if not present[i] or not np.isfinite(x):
            nulls += 1
        if i >= n and (not present[i - n] or not np.isfinite(close[i - n])):
            nulls -= 1
        if i < n - 1 or nulls > 0:
            fresh = False
            mean[i] = np.nan
            std[i] = np.nan
            continue
        fresh = fresh and age < n  # recompute every n bars: the drift stays bounded
        if fresh:  # slide: add close[i], drop close[i - n]
            d_in = x - shift
            d_out = close[i - n] - shift
            s1 += d_in - d_out
            s2 += d_in * d_in - d_out * d_out
            age += 1
            # The spread cancelled against what left (a jump leaving, or `shift` far
            # from the window): the sums have lost their digits; recompute.
            fresh = s2 - s1 * s1 / n >= 1e-4 * (s2 + d_out * d_out)
        if not fresh:  # sum the window around its first value
            shift = close[i - n + 1]
            s1, s2 = window_sums_nb(close, i - n + 1, i + 1, shift)
            fresh = True
            age = 0
        mean[i] = shift + s1 / n
        var = (s2 - s1 * s1 / n) / n
        std[i] = np.sqrt(var) if var > 0.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def band_hold_matrix_nb(
    close: Floats,
    present: npt.NDArray[np.bool_],
    means: Floats,
    stds: Floats,
    which: Ints,
    periods: Ints,
    num_stds: Floats,
    margin: float,
    out: Floats,
) -> None:
    """Reference: hold(close < mean - k*std, close > mean + k*std) beyond the touch margin."""
    # With one column, means[0] may be out[:, 0] itself: bar i is read before it is written.
    for j in range(which.shape[0]):
        mean = means[which[j]]
        std = stds[which[j]]
        n = periods[j]
        k = num_stds[j]
        nulls = 0
        state = 0.0
        for i in range(close.shape[0]):
            nulls += 0 if present[i] else 1
            if i >= n:
                nulls -= 0 if present[i - n] else 1
            # A window with a null holds the state (null bands); one with NaN or inf
            # has NaN bands, which polars orders above every number.
            if i >= n - 1 and nulls == 0:
                x = close[i]
                touch = margin * (abs(mean[i]) + k * std[i])
                if polars_lt_nb(x, mean[i] - k * std[i] - touch):
                    state = 1.0
                elif polars_gt_nb(x, mean[i] + k * std[i] + touch):
                    state = 0.0
            out[i, j] = state
