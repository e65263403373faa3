"""The one-pass equity and drawdown decimation against plain loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peak_trade.reporting._drawdown_nb import CHUNK, equity_drawdown_minmax_nb
from tests.reporting.test_decimate import decimate_reference


def drawdown_reference(equity, initial):
    """Plain Python: each bar's equity over the running peak (from ``initial``), minus 1."""
    out, peak = [], initial
    for e in equity:
        peak = max(peak, e)
        out.append(e / peak - 1.0)
    return out


def kernel(equity, initial, n_buckets):
    size = max(equity.size, 2 * n_buckets + 2)
    eq_idx, dd_idx = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    eq_val, dd_val = np.empty(size), np.empty(size)
    k_eq, k_dd, bad = equity_drawdown_minmax_nb(
        equity, initial, n_buckets, eq_idx, eq_val, dd_idx, dd_val
    )
    assert bad == -1
    return eq_idx[:k_eq], eq_val[:k_eq], dd_idx[:k_dd], dd_val[:k_dd]


def check(equity, initial, max_points):
    n_buckets = (max_points - 2) // 2
    dd = drawdown_reference(equity.tolist(), initial)
    eq_idx, eq_val, dd_idx, dd_val = kernel(equity, initial, n_buckets)
    assert eq_idx.tolist() == decimate_reference(equity.tolist(), max_points)
    assert eq_val.tolist() == equity[eq_idx].tolist()
    assert dd_idx.tolist() == decimate_reference(dd, max_points)
    assert dd_val.tolist() == [dd[i] for i in dd_idx]


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(0, 700), elements=st.floats(1.0, 1e6)),
    st.integers(4, 60),
)
def test_kernel_matches_the_plain_loops(equity, max_points):
    check(equity, 100.0, max_points)


@pytest.mark.smoke
@pytest.mark.parametrize(("n", "max_points"), [(3 * CHUNK + 5, 40), (20_011, 4_000), (50_000, 26)])
def test_a_walk_over_several_chunks_per_bucket(n, max_points):
    equity = 100.0 * np.cumprod(1.0 + np.random.default_rng(n).standard_normal(n) * 0.01)
    check(equity, 100.0, max_points)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_the_first_non_finite_bar_is_reported(bad):
    equity = np.full(5_000, 100.0)
    equity[2_345] = bad
    out = np.empty(5_000, dtype=np.int64), np.empty(5_000)
    assert equity_drawdown_minmax_nb(equity, 100.0, 20, *out, *out)[2] == 2_345
