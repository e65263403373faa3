"""PSR, DSR and PBO against the papers' formulas written out with numpy and scipy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from peak_trade.core.errors import ConfigError
from peak_trade.research.stats import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo,
    probabilistic_sharpe_ratio,
)

GAMMA = 0.5772156649015329


def psr_reference(x: np.ndarray, benchmark: float) -> float:
    """Bailey & López de Prado (2012): Phi((SR-SR*) sqrt(n-1) / sqrt(1-g3 SR+(g4-1)/4 SR^2))."""
    sr = x.mean() / x.std(ddof=1)
    g3 = sps.skew(x)
    g4 = sps.kurtosis(x, fisher=False)
    z = (sr - benchmark) * math.sqrt(len(x) - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)
    return float(sps.norm.cdf(z))


def sr0_reference(n: int, v: float) -> float:
    """Bailey & López de Prado (2014), eq. (2)."""
    z1 = sps.norm.ppf(1 - 1 / n)
    z2 = sps.norm.ppf(1 - 1 / (n * math.e))
    return float(math.sqrt(v) * ((1 - GAMMA) * z1 + GAMMA * z2))


def pbo_reference(m: np.ndarray, s: int) -> tuple[float, list[float]]:
    """CSCV by brute force: every half of the blocks, rows concatenated, Sharpe by numpy."""
    length = m.shape[0] // s
    blocks = [m[b * length : (b + 1) * length] for b in range(s)]
    logits = []
    for half in itertools.combinations(range(s), s // 2):
        rest = [b for b in range(s) if b not in half]
        ins = np.concatenate([blocks[b] for b in half])
        oos = np.concatenate([blocks[b] for b in rest])
        sr_in = ins.mean(axis=0) / ins.std(axis=0, ddof=1)
        sr_out = oos.mean(axis=0) / oos.std(axis=0, ddof=1)
        best = int(np.argmax(sr_in))
        rank = sps.rankdata(sr_out, method="average")[best]
        w = rank / (m.shape[1] + 1)
        logits.append(math.log(w / (1 - w)))
    return float(np.mean(np.array(logits) <= 0)), logits


def _returns(seed: int, n: int = 500, *, skewed: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if skewed:
        return rng.lognormal(0.0, 0.5, n) * 0.01 - 0.0105
    return rng.standard_t(5, n) * 0.01 + 0.0008


@pytest.mark.smoke
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("skewed", [False, True])
@pytest.mark.parametrize("sr_star", [0.0, 0.02, -0.05])
def test_psr_matches_the_2012_formula(seed, skewed, sr_star):
    x = _returns(seed, skewed=skewed)
    got = probabilistic_sharpe_ratio(x, sr_benchmark=sr_star)
    assert got == pytest.approx(psr_reference(x, sr_star), rel=1e-12, abs=1e-15)


def test_psr_keyword_form_equals_the_returns_form():
    x = _returns(3, skewed=True)
    sr = x.mean() / x.std(ddof=1)
    got = probabilistic_sharpe_ratio(
        sr=sr, n_obs=len(x), skew=sps.skew(x), kurtosis=sps.kurtosis(x, fisher=False)
    )
    assert got == pytest.approx(probabilistic_sharpe_ratio(pl.Series(x)), rel=1e-12)


@pytest.mark.parametrize(("n", "v"), [(2, 0.01), (10, 0.0004), (1000, 0.0025), (10**5, 1e-4)])
def test_expected_max_sharpe_matches_the_2014_formula(n, v):
    assert expected_max_sharpe(n, v) == pytest.approx(sr0_reference(n, v), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 4])
@pytest.mark.parametrize(("n", "v"), [(5, 0.001), (500, 0.0004)])
def test_dsr_is_the_psr_against_the_expected_maximum(seed, n, v):
    x = _returns(seed, skewed=bool(seed))
    got = deflated_sharpe_ratio(x, n_trials=n, sr_variance=v)
    assert got == pytest.approx(psr_reference(x, sr0_reference(n, v)), rel=1e-12, abs=1e-15)


def test_dsr_keyword_form_defaults_to_normal_moments():
    sr, n = 0.04, 2000
    z = (sr - sr0_reference(50, 0.0009)) * math.sqrt(n - 1) / math.sqrt(1 + sr**2 / 2)
    got = deflated_sharpe_ratio(sr=sr, n_obs=n, n_trials=50, sr_variance=0.0009)
    assert got == pytest.approx(sps.norm.cdf(z), rel=1e-12)


def test_dsr_of_one_trial_is_psr_zero():
    x = _returns(5)
    assert deflated_sharpe_ratio(x, n_trials=1, sr_variance=0.3) == probabilistic_sharpe_ratio(x)


@settings(max_examples=80, deadline=None)
@given(
    a=st.floats(-0.3, 0.3),
    b=st.floats(-0.3, 0.3),
    n=st.integers(10, 10_000),
    skew=st.floats(-1.0, 1.0),
    kurt=st.floats(1.5, 20.0),
)
def test_psr_is_monotone_in_the_sharpe(a, b, n, skew, kurt):
    lo, hi = min(a, b), max(a, b)
    f = [probabilistic_sharpe_ratio(sr=s, n_obs=n, skew=skew, kurtosis=kurt) for s in (lo, hi)]
    if not any(math.isnan(v) for v in f):
        assert f[0] <= f[1]


@settings(max_examples=80, deadline=None)
@given(
    sr=st.floats(-0.2, 0.2),
    n=st.integers(10, 10_000),
    trials=st.integers(2, 10**6),
    v=st.floats(1e-8, 0.05),
)
def test_dsr_never_exceeds_psr_zero(sr, n, trials, v):
    dsr = deflated_sharpe_ratio(sr=sr, n_obs=n, n_trials=trials, sr_variance=v)
    assert dsr <= probabilistic_sharpe_ratio(sr=sr, n_obs=n)


@pytest.mark.smoke
@pytest.mark.parametrize(("rows", "cols", "s"), [(40, 5, 4), (97, 7, 6), (160, 12, 8), (30, 1, 2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_pbo_matches_a_brute_force_cscv(rows, cols, s, seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0005, 0.01, (rows, cols)) + rng.normal(0, 0.0004, cols)
    want, logits = pbo_reference(m, s)
    got = pbo(m, n_splits=s)
    np.testing.assert_allclose(got.logits, logits, rtol=1e-9, atol=1e-12)
    assert got.pbo == want
    assert got.logits.shape == (math.comb(s, s // 2),)


def test_pbo_degradation_slope_is_the_ols_slope():
    rng = np.random.default_rng(7)
    m = rng.normal(0.0, 0.01, (120, 9))
    got = pbo(m, n_splits=6)
    length = 20
    xs, ys = [], []
    for half in itertools.combinations(range(6), 3):
        ins = np.concatenate([m[b * length : (b + 1) * length] for b in half])
        oos = np.concatenate([m[b * length : (b + 1) * length] for b in range(6) if b not in half])
        sr_in = ins.mean(0) / ins.std(0, ddof=1)
        best = int(np.argmax(sr_in))
        xs.append(sr_in[best])
        ys.append(oos[:, best].mean() / oos[:, best].std(ddof=1))
    slope, intercept = np.polyfit(xs, ys, 1)
    assert got.slope == pytest.approx(slope, rel=1e-8)
    assert got.intercept == pytest.approx(intercept, rel=1e-8, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cols=st.integers(2, 12), s=st.sampled_from([2, 4, 6]))
def test_pbo_ignores_the_column_order(seed, cols, s):
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, 0.01, (60, cols))
    perm = rng.permutation(cols)
    a, b = pbo(m, n_splits=s), pbo(m[:, perm], n_splits=s)
    assert a.pbo == b.pbo
    np.testing.assert_array_equal(a.logits, b.logits)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cols=st.integers(1, 10), s=st.sampled_from([2, 4, 8]))
def test_pbo_of_identical_columns_is_one(seed, cols, s):
    """Every configuration ties out of sample: w = 1/2, logits 0, PBO 1 (documented)."""
    column = np.random.default_rng(seed).normal(0.0, 0.01, (64, 1))
    got = pbo(np.repeat(column, cols, axis=1), n_splits=s)
    assert got.pbo == 1.0
    assert np.all(got.logits == 0.0)


def test_pbo_mean_metric_matches_a_brute_force_loop():
    rng = np.random.default_rng(11)
    m = rng.normal(0.0, 0.01, (80, 6))
    got = pbo(m, n_splits=4, metric="mean")
    want = []
    for half in itertools.combinations(range(4), 2):
        ins = np.concatenate([m[b * 20 : (b + 1) * 20] for b in half])
        oos = np.concatenate([m[b * 20 : (b + 1) * 20] for b in range(4) if b not in half])
        best = int(np.argmax(ins.mean(0)))
        w = sps.rankdata(oos.mean(0))[best] / 7
        want.append(math.log(w / (1 - w)))
    np.testing.assert_allclose(got.logits, want, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_splits": 5}, "even int"),
        ({"n_splits": 22}, "even int"),
        ({"n_splits": True}, "even int"),
        ({"metric": "sortino"}, "`metric` must be one of"),
    ],
)
def test_pbo_rejects_bad_options(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        pbo(np.zeros((40, 3)), **kwargs)


def test_pbo_rejects_non_finite_and_short_matrices():
    m = np.zeros((40, 3))
    m[5, 2] = np.nan
    with pytest.raises(ConfigError, match=r"first at \[5, 2\]"):
        pbo(m, n_splits=4)
    with pytest.raises(ConfigError, match="too few"):
        pbo(np.zeros((3, 2)), n_splits=2)
    with pytest.raises(ConfigError, match="2-D"):
        pbo(np.zeros(10))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: probabilistic_sharpe_ratio(np.ones(10)), "no variance"),
        (lambda: probabilistic_sharpe_ratio([0.1, math.inf, 0.2]), "non-finite"),
        (lambda: probabilistic_sharpe_ratio(sr=0.1), "both `sr` and `n_obs`"),
        (lambda: probabilistic_sharpe_ratio([0.1, 0.2, 0.0], sr=0.1), "not both"),
        (lambda: deflated_sharpe_ratio(sr=0.1, n_obs=9, n_trials=0, sr_variance=0.1), "n_trials"),
        (lambda: deflated_sharpe_ratio(sr=0.1, n_obs=9, n_trials=3, sr_variance=-1.0), ">= 0"),
        (
            lambda: deflated_sharpe_ratio(sr=math.nan, n_obs=9, n_trials=3, sr_variance=1.0),
            "finite",
        ),
    ],
)
def test_bad_inputs_raise_config_errors(call, match):
    with pytest.raises(ConfigError, match=match):
        call()
