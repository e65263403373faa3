"""The min/max decimation kernel against a plain argmin/argmax-per-bucket loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peak_trade.core.errors import PeakTradeError
from peak_trade.reporting.decimate import decimate_indices


def decimate_reference(values, max_points):
    """Plain Python: first index, each bucket's first argmin and argmax, last index."""
    n = len(values)
    n_buckets = (max_points - 2) // 2
    if n <= 2 * n_buckets + 2:
        return list(range(n))
    keep = {0, n - 1}
    for b in range(n_buckets):
        lo, hi = b * n // n_buckets, (b + 1) * n // n_buckets
        chunk = list(values[lo:hi])
        keep.add(lo + chunk.index(min(chunk)))
        keep.add(lo + chunk.index(max(chunk)))
    return sorted(keep)


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 700),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    ),
    st.integers(4, 60),
)
def test_kernel_matches_the_plain_reference(values, max_points):
    got = decimate_indices(values, max_points=max_points)
    assert got.tolist() == decimate_reference(values, max_points)
    assert len(got) <= max_points


@pytest.mark.smoke
def test_a_long_walk_keeps_its_exact_extremes_in_4000_points():
    walk = np.cumsum(np.random.default_rng(0).standard_normal(1_000_003))
    keep = decimate_indices(walk)
    assert len(keep) <= 4_000
    assert walk[keep].max() == walk.max()
    assert walk[keep].min() == walk.min()
    assert keep[0] == 0
    assert keep[-1] == walk.size - 1


@pytest.mark.parametrize(("bad", "where"), [(np.nan, 3), (np.inf, 5)])
def test_non_finite_values_are_refused_with_their_index(bad, where):
    values = np.arange(10.0)
    values[where] = bad
    with pytest.raises(PeakTradeError, match=f"first at index {where}"):
        decimate_indices(values)


def test_too_few_points_is_refused():
    with pytest.raises(PeakTradeError, match="at least 4"):
        decimate_indices(np.arange(10.0), max_points=3)
