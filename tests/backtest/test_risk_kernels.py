"""The risk stats' kernels against plain-Python loops over the bar returns."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peak_trade.backtest._risk_nb import (
    return_bands_nb,
    return_power_sums_nb,
    searchsorted_sorted_nb,
)

equities = hnp.arrays(
    np.float64,
    st.integers(1, 300),
    elements=st.one_of(st.floats(1.0, 1e6), st.sampled_from([0.0, -5.0])),
)


def plain_returns(equity, initial):
    """Each bar over the one before (the first over ``initial``); 0.0 after a value <= 0."""
    out, prev = [], initial
    for e in equity:
        out.append(e / prev - 1.0 if prev > 0.0 else 0.0)
        prev = e
    return out


@pytest.mark.smoke
@settings(max_examples=200, deadline=None)
@given(equities, st.sampled_from([100.0, 0.0]), st.sampled_from([0.0, 0.01, -3.0]))
def test_return_power_sums_match_plain_sums(equity, initial, shift):
    r = plain_returns(equity.tolist(), initial)
    want = [
        sum(v for v in r if v > 0.0),
        -sum(v for v in r if v < 0.0),
        *(sum((v - shift) ** k for v in r) for k in (1, 2, 3, 4)),
    ]
    got = return_power_sums_nb(equity, initial, shift)
    for g, w in zip(got, want, strict=True):
        scale = max(1.0, abs(w), *((abs(v - shift) + 1.0) ** 4 for v in r))
        assert g == pytest.approx(w, rel=1e-9, abs=1e-12 * scale)


@settings(max_examples=300, deadline=None)
@given(equities, st.lists(st.floats(-0.6, 0.6), min_size=4, max_size=4).map(sorted))
def test_return_bands_copy_count_and_sum_like_plain_loops(equity, cuts):
    r = plain_returns(equity.tolist(), 100.0)
    c0, c1, c2, c3 = cuts
    low, high = np.empty(equity.size), np.empty(equity.size)
    a, b, below, below_sum, above = return_bands_nb(equity, 100.0, np.array(cuts), low, high)
    assert low[:a].tolist() == [v for v in r if c0 <= v <= c1]
    assert high[:b].tolist() == [v for v in r if c2 <= v <= c3]
    assert below == sum(1 for v in r if v < c0)
    assert above == sum(1 for v in r if v > c3)
    assert below_sum == pytest.approx(math.fsum(v for v in r if v < c0), rel=1e-15, abs=1e-300)


def test_return_power_sums_of_a_long_walk_match_numpy():
    """Past the vector width and with a ruined stretch (equity 0 then recovering)."""
    equity = 100.0 * np.cumprod(1.0 + np.random.default_rng(7).standard_normal(10_001) * 0.01)
    equity[5_000:5_003] = 0.0
    r = np.array(plain_returns(equity.tolist(), 100.0))
    d = r - 0.001
    got = return_power_sums_nb(equity, 100.0, 0.001)
    want = (r[r > 0].sum(), -r[r < 0].sum(), *((d**k).sum() for k in (1, 2, 3, 4)))
    assert all(math.isfinite(g) for g in got)
    np.testing.assert_allclose(got, want, rtol=1e-11)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-50, 50), max_size=60).map(sorted),
    st.lists(st.integers(-60, 60), max_size=30),
)
def test_searchsorted_matches_numpy_from_any_guess(stamps, keys):
    """Uneven stamps (repeats, gaps), keys in any order and outside the stamps."""
    stamps, keys = np.array(stamps, dtype=np.int64), np.array(keys, dtype=np.int64)
    out = np.empty(keys.size, dtype=np.int64)
    searchsorted_sorted_nb(stamps, keys, out)
    assert out.tolist() == np.searchsorted(stamps, keys).tolist()


def test_searchsorted_of_evenly_spaced_bars_with_a_gap():
    stamps = np.concatenate([np.arange(0, 5_000, 5), np.arange(90_000, 100_000, 5)])
    keys = np.sort(np.random.default_rng(2).integers(-10, 100_010, 2_000))
    out = np.empty(keys.size, dtype=np.int64)
    searchsorted_sorted_nb(stamps, keys, out)
    assert out.tolist() == np.searchsorted(stamps, keys).tolist()
