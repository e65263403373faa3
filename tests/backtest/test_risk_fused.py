"""The bands' pass that also sums the powers, against plain-Python loops over the bar returns."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peak_trade.backtest._risk_nb import return_bands_sums_nb
from peak_trade.backtest.risk_stats import risk_stats
from tests.backtest.test_risk_kernels import plain_returns

equities = hnp.arrays(
    np.float64,
    st.integers(1, 1_500),  # past a few chunks of 512 returns
    elements=st.one_of(st.floats(1.0, 1e6), st.sampled_from([0.0, -5.0])),
)


@pytest.mark.smoke
@settings(max_examples=200, deadline=None)
@given(
    equities,
    st.lists(st.floats(-0.6, 0.6), min_size=4, max_size=4).map(sorted),
    st.sampled_from([0.0, 0.01, -3.0]),
)
def test_bands_and_power_sums_match_plain_loops(equity, cuts, shift):
    r = plain_returns(equity.tolist(), 100.0)
    c0, c1, c2, c3 = cuts
    low, high, sums = np.empty(equity.size), np.empty(equity.size), np.empty(6)
    a, b, below, below_sum, above = return_bands_sums_nb(
        equity, 100.0, np.array(cuts), shift, low, high, sums
    )
    assert low[:a].tolist() == [v for v in r if c0 <= v <= c1]
    assert high[:b].tolist() == [v for v in r if c2 <= v <= c3]
    assert below == sum(1 for v in r if v < c0)
    assert above == sum(1 for v in r if v > c3)
    assert below_sum == pytest.approx(math.fsum(v for v in r if v < c0), rel=1e-15, abs=1e-300)
    want = [
        math.fsum(v for v in r if v > 0.0),
        -math.fsum(v for v in r if v < 0.0),
        *(math.fsum((v - shift) ** k for v in r) for k in (1, 2, 3, 4)),
    ]
    for g, w in zip(sums.tolist(), want, strict=True):
        scale = max(1.0, abs(w), *((abs(v - shift) + 1.0) ** 4 for v in r))
        assert g == pytest.approx(w, rel=1e-9, abs=1e-12 * scale)


def test_an_empty_sums_array_skips_the_sums():
    equity = np.array([101.0, 99.0, 103.0])
    low, high, sums = np.empty(3), np.empty(3), np.empty(0)
    a, b, below, _, above = return_bands_sums_nb(
        equity, 100.0, np.array([-1.0, 1.0, -1.0, 1.0]), 0.0, low, high, sums
    )
    assert (a, b, below, above) == (3, 3, 0, 0)
    assert low.tolist() == pytest.approx([0.01, 99.0 / 101.0 - 1.0, 103.0 / 99.0 - 1.0])


@pytest.mark.parametrize("spikes", [False, True])  # True: the sample's shift is refined
def test_moments_and_omega_of_a_long_series_match_numpy(spikes):
    """Past 100,000 bars the moments come from the bands' pass: same figures as numpy's."""
    rng = np.random.default_rng(9)
    z = rng.standard_normal(200_001) * 0.01 + 0.0002
    if spikes:
        z[:: 200_001 // 20_000] = 0.03  # the strided sample is far off the mean
    equity = 100.0 * np.cumprod(1.0 + z)
    r = np.concatenate([[equity[0] / 100.0 - 1.0], equity[1:] / equity[:-1] - 1.0])
    d = r - r.mean()
    s = risk_stats(equity, 100.0)
    assert s["omega"] == pytest.approx(r[r > 0].sum() / -r[r < 0].sum(), rel=1e-10)
    assert s["skew"] == pytest.approx(np.mean(d**3) / np.mean(d**2) ** 1.5, rel=1e-8)
    assert s["kurtosis"] == pytest.approx(np.mean(d**4) / np.mean(d**2) ** 2 - 3.0, rel=1e-8)
