"""The one-pass equity, drawdown and price decimation against plain loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peak_trade.reporting._decimate_nb import all_finite_nb
from peak_trade.reporting._series_nb import (
    CHUNK,
    DRAWDOWN,
    EQUITY,
    PRICE,
    run_series_minmax_nb,
)
from tests.reporting.test_decimate import decimate_reference


def drawdown_reference(equity, initial):
    """Plain Python: each bar's equity over the running peak (from ``initial``), minus 1."""
    out, peak = [], initial
    for e in equity:
        peak = max(peak, e)
        out.append(e / peak - 1.0)
    return out


def check(equity, price, initial, max_points):
    n_buckets = (max_points - 2) // 2
    size = min(equity.size, 2 * n_buckets + 2)
    idx, val = np.empty((3, size), dtype=np.int64), np.empty((3, size))
    counts = np.empty(3, dtype=np.int64)
    assert run_series_minmax_nb(equity, price, initial, n_buckets, idx, val, counts) == -1
    series = {
        EQUITY: equity.tolist(),
        DRAWDOWN: drawdown_reference(equity.tolist(), initial),
        PRICE: price.tolist(),
    }
    for row, values in series.items():
        k = counts[row]
        assert idx[row, :k].tolist() == decimate_reference(values, max_points), row
        assert val[row, :k].tolist() == [values[i] for i in idx[row, :k]], row


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 700).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.floats(0.0, 1e6)),
            hnp.arrays(np.float64, n, elements=st.floats(1.0, 1e3)),
        )
    ),
    st.integers(4, 60),
)
def test_kernel_matches_the_plain_loops(arrays, max_points):
    equity, price = arrays
    check(equity, price, 100.0, max_points)


@pytest.mark.smoke
@pytest.mark.parametrize(("n", "max_points"), [(3 * CHUNK + 5, 40), (20_011, 4_000), (50_000, 26)])
def test_walks_over_several_chunks_per_bucket(n, max_points):
    rng = np.random.default_rng(n)
    equity = 100.0 * np.cumprod(1.0 + rng.standard_normal(n) * 0.01)
    price = 50.0 * np.cumprod(1.0 + rng.standard_normal(n) * 0.01)
    check(equity, price, 100.0, max_points)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("which", [EQUITY, PRICE])
def test_the_first_non_finite_bar_is_reported(bad, which):
    arrays = [np.full(5_000, 100.0), np.full(5_000, 100.0)]
    arrays[0 if which == EQUITY else 1][2_345] = bad
    idx, val, counts = np.empty((3, 42), dtype=np.int64), np.empty((3, 42)), np.empty(3, np.int64)
    assert run_series_minmax_nb(*arrays, 100.0, 20, idx, val, counts) == 2_345


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 40)))
def test_all_finite_matches_numpy(values):
    assert all_finite_nb(values) == bool(np.isfinite(values).all())


def test_the_first_of_equal_drawdowns_is_kept_though_the_equities_differ():
    """1.0 and the next float up share one drawdown under a 1e6 peak: the earlier bar wins."""
    equity = np.full(3 * CHUNK, 5e5)
    equity[0] = 1e6
    equity[CHUNK + 100] = np.nextafter(1.0, 2.0)
    equity[CHUNK + 300] = 1.0
    assert equity[CHUNK + 100] / 1e6 - 1.0 == equity[CHUNK + 300] / 1e6 - 1.0
    check(equity, np.ones(equity.size), 100.0, 4)
    check(equity, np.ones(equity.size), 100.0, 8)
