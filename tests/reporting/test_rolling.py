"""The decimated rolling Sharpe kernel against a plain per-window loop and bucket loop."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.reporting._rolling_nb import CHUNK, _prefix_sums_nb, rolling_sharpe_minmax_nb


def rolling_sharpe_reference(equity, initial, window, root):
    """Plain Python: mean / std (ddof 1) * root of each full window of bar returns; NaN if none."""
    r, prev = [], initial
    for e in equity:
        r.append(e / prev - 1.0 if prev > 0.0 else 0.0)
        prev = e
    out = [math.nan] * len(r)
    for i in range(window - 1, len(r)):
        w = r[i - window + 1 : i + 1]
        mean = sum(w) / window
        var = sum((v - mean) ** 2 for v in w) / (window - 1)
        if var > 0.0:
            out[i] = mean / math.sqrt(var) * root
    return out


def decimated_reference(sharpe, n_buckets):
    """Plain Python: the bars with a value, or the first, the last, and each bucket's
    first argmin and argmax among them."""
    live = [i for i, v in enumerate(sharpe) if math.isfinite(v)]
    n = len(sharpe)
    if n <= 2 * n_buckets + 2 or not live:
        return live
    keep = {live[0], live[-1]}
    for b in range(n_buckets):
        mine = [i for i in range(b * n // n_buckets, (b + 1) * n // n_buckets) if i in live]
        if mine:
            keep.add(min(mine, key=lambda i: (sharpe[i], i)))
            keep.add(max(mine, key=lambda i: (sharpe[i], -i)))
    return sorted(keep)


def kernel(equity, initial, window, root, n_buckets):
    idx = np.empty(2 * n_buckets + 2, dtype=np.int64)
    val = np.empty(2 * n_buckets + 2)
    k = rolling_sharpe_minmax_nb(equity, initial, window, root, n_buckets, idx, val)
    return idx[:k], val[:k]


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("n", "window", "n_buckets", "flat", "seed"),
    [
        (3_000, 50, 40, 100, 1),  # buckets of 75 bars, several chunks
        (3_000, 700, 40, 0, 2),  # the first Sharpe after several buckets
        (1_000, 50, 499, 100, 3),  # few bars: every bar with a Sharpe is kept
        (2 * CHUNK + 7, 20, 30, 2 * CHUNK - 30, 4),  # flat past a chunk's end
        (5_000, 10, 7, 0, 5),  # a short window, wide buckets
        (999, 300, 998, 999, 6),  # flat throughout: no Sharpe at all
    ],
)
def test_kernel_matches_the_plain_window_and_bucket_loops(n, window, n_buckets, flat, seed):
    r = np.random.default_rng(seed).standard_normal(n) * 0.01
    r[:flat] = 0.0  # equity flat at the initial cash: no Sharpe until the window sees a move
    equity = 100.0 * np.cumprod(1.0 + r)
    sharpe = rolling_sharpe_reference(equity.tolist(), 100.0, window, 3.0)
    idx, got = kernel(equity, 100.0, window, 3.0, n_buckets)
    assert idx.tolist() == decimated_reference(sharpe, n_buckets)
    np.testing.assert_allclose(got, np.asarray(sharpe)[idx], rtol=1e-8)


def test_a_long_run_keeps_the_extremes_of_the_full_series():
    """Against numpy's per-window Sharpe of every bar (a sliding window view)."""
    r = np.random.default_rng(8).standard_normal(200_000) * 0.01
    equity = 100.0 * np.cumprod(1.0 + r)
    windows = np.lib.stride_tricks.sliding_window_view(r, 500)
    full = windows.mean(axis=1) / windows.std(axis=1, ddof=1) * 2.0
    idx, got = kernel(equity, 100.0, 500, 2.0, 1_999)
    assert len(idx) <= 4_000
    assert idx[0] == 499
    assert idx[-1] == r.size - 1
    assert got.max() == pytest.approx(full.max(), rel=1e-9)
    assert got.min() == pytest.approx(full.min(), rel=1e-9)
    assert idx[np.argmax(got)] == 499 + np.argmax(full)
    assert idx[np.argmin(got)] == 499 + np.argmin(full)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), max_size=40))
def test_prefix_sums_match_a_running_total(values):
    a, b = np.array(values), -2.0 * np.array(values)
    _prefix_sums_nb(a, b)
    total, want = 0.0, []
    for v in values:  # a plain running total
        total += v
        want.append(total)
    np.testing.assert_allclose(a, want, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(b, -2.0 * np.array(want), rtol=1e-12, atol=2e-9)
