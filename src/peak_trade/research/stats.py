"""Overfitting statistics: probabilistic and deflated Sharpe ratios, and PBO by CSCV.

Every Sharpe ratio here is **per period** (mean over standard deviation of the
per-bar returns, not annualised): divide an annualised Sharpe by
``sqrt(periods_per_year)`` before passing it as ``sr``. Kurtosis is the
non-excess (Pearson) kurtosis, 3 for normal returns. The kernels are in
``_stats_kernels.py``; docs/research.md has worked examples.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Final, Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.core.errors import ConfigError
from peak_trade.research import _stats_kernels as sk

__all__ = [
    "EULER_GAMMA",
    "MAX_SPLITS",
    "PboMetric",
    "PboResult",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "pbo",
    "probabilistic_sharpe_ratio",
    "return_moments",
]

Floats = npt.NDArray[np.float64]
PboMetric = Literal["sharpe", "mean"]
_METRICS: Final = {"sharpe": sk.METRIC_SHARPE, "mean": sk.METRIC_MEAN}
assert set(_METRICS) == set(get_args(PboMetric))
#: The Euler-Mascheroni constant of the expected-maximum formula.
EULER_GAMMA: Final = 0.5772156649015329
#: The largest ``n_splits`` of ``pbo``: C(20, 10) = 184,756 splits.
MAX_SPLITS: Final = 20
_NORMAL = NormalDist()


def _vector(returns: Any, name: str) -> Floats:
    if isinstance(returns, pl.Series):
        returns = returns.cast(pl.Float64).fill_null(math.nan).to_numpy()
    try:
        values = np.asarray(returns, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"`{name}` must be a 1-D sequence of numbers; got {type(returns).__name__}"
        raise ConfigError(msg, hint="pass a numpy array or a polars Series") from exc
    if values.ndim != 1 or values.shape[0] < 3:
        msg = f"`{name}` must be 1-D with at least 3 returns; got shape {values.shape}"
        raise ConfigError(msg, hint="pass one return per bar", context={"shape": values.shape})
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = int(bad[0])
        msg = f"`{name}` has {bad.size} non-finite values, first at {i}: {values[i]!r}"
        raise ConfigError(msg, hint="drop or fill them first", context={"index": i})
    return values


def return_moments(returns: Any, /) -> tuple[float, int, float, float]:
    """The per-period Sharpe, count, skewness and non-excess kurtosis of ``returns``.

    Sharpe = mean / std with ``ddof=1`` (as the engine's); skewness and kurtosis
    are the moment estimators m3 / m2^1.5 and m4 / m2^2 (central moments with
    divisor n, as ``scipy.stats.skew`` and ``kurtosis(fisher=False)``).

    Raises:
        ConfigError: Not 1-D, fewer than 3 values, a non-finite value, or no variance.

    Example:
        >>> sr, n, skew, kurt = return_moments(np.array([0.01, -0.02, 0.03, 0.0]))
        >>> n
        4
    """
    x = _vector(returns, "returns")
    n = x.shape[0]
    d = x - x.mean()
    m2 = float(np.mean(d * d))
    if m2 <= 0.0:
        msg = f"the {n} returns have no variance (all equal {x[0]!r}): the Sharpe is undefined"
        raise ConfigError(msg, hint="pass returns that vary", context={"value": float(x[0])})
    sr = float(x.mean() / math.sqrt(m2 * n / (n - 1)))
    return sr, n, float(np.mean(d**3) / m2**1.5), float(np.mean(d**4) / m2**2)


def _summary(
    returns: Any, sr: Any, n_obs: Any, skew: Any, kurtosis: Any
) -> tuple[float, float, float, float]:
    """(sr, n, skew, kurtosis) from ``returns`` or from the keyword form."""
    if returns is not None:
        if sr is not None or n_obs is not None or skew is not None or kurtosis is not None:
            msg = "pass either `returns` or the summary statistics (`sr`, `n_obs`, ...), not both"
            raise ConfigError(msg, hint="drop `sr`, `n_obs`, `skew` and `kurtosis`")
        s, n, g3, g4 = return_moments(returns)
        return s, float(n), g3, g4
    if sr is None or n_obs is None:
        msg = "without `returns`, both `sr` and `n_obs` are needed"
        raise ConfigError(msg, hint="e.g. sr=0.05, n_obs=1000 (skew 0, kurtosis 3 by default)")
    values = {
        "sr": sr,
        "n_obs": n_obs,
        "skew": 0.0 if skew is None else skew,
        "kurtosis": 3.0 if kurtosis is None else kurtosis,
    }
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            msg = f"`{name}` must be a finite number; got {v!r}"
            raise ConfigError(msg, hint=f"pass a float for `{name}`", context={name: repr(v)})
    if values["n_obs"] < 2:
        msg = f"`n_obs` must be at least 2; got {n_obs!r}"
        raise ConfigError(msg, hint="the number of returns behind `sr`")
    return (
        float(values["sr"]),
        float(values["n_obs"]),
        float(values["skew"]),
        float(values["kurtosis"]),
    )


def _psr(sr: float, n: float, skew: float, kurtosis: float, benchmark: float) -> float:
    out = np.empty(1)
    one = np.ones(1)
    sk.psr_nb(one * sr, one * n, one * skew, one * kurtosis, one * benchmark, out)
    return float(out[0])


def probabilistic_sharpe_ratio(
    returns: Any = None,
    /,
    *,
    sr_benchmark: float = 0.0,
    sr: float | None = None,
    n_obs: float | None = None,
    skew: float | None = None,
    kurtosis: float | None = None,
) -> float:
    """The probability that the true per-period Sharpe exceeds ``sr_benchmark``.

    Bailey & López de Prado (2012), "The Sharpe Ratio Efficient Frontier",
    Journal of Risk 15(2), eq. for PSR::

        PSR(SR*) = Phi( (SR - SR*) * sqrt(n - 1) / sqrt(1 - g3 * SR + (g4 - 1) / 4 * SR^2) )

    with SR the sample's per-period Sharpe, n its length, g3 its skewness, g4 its
    non-excess kurtosis and Phi the standard normal CDF (see
    :func:`return_moments` for the estimators). NaN when the square root's
    argument is not positive (extreme skew).

    Args:
        returns: Per-period returns (numpy array, polars Series, list).
        sr_benchmark: SR*, per period.
        sr: Keyword form instead of ``returns``: the per-period Sharpe.
        n_obs: Keyword form: the number of returns.
        skew: Keyword form: skewness (default 0).
        kurtosis: Keyword form: non-excess kurtosis (default 3).

    Raises:
        ConfigError: Bad returns, or a mix of both forms.

    Example:
        >>> round(probabilistic_sharpe_ratio(sr=0.05, n_obs=1000), 4)
        0.9429
    """
    s, n, g3, g4 = _summary(returns, sr, n_obs, skew, kurtosis)
    if isinstance(sr_benchmark, bool) or not isinstance(sr_benchmark, int | float):
        msg = f"`sr_benchmark` must be a number; got {sr_benchmark!r}"
        raise ConfigError(msg, hint="a per-period Sharpe, e.g. 0.0")
    return _psr(s, n, g3, g4, float(sr_benchmark))


def expected_max_sharpe(n_trials: int, sr_variance: float) -> float:
    """E[max SR] of ``n_trials`` independent zero-skill trials with Sharpe variance V.

    Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", eq. (2)::

        SR0 = sqrt(V) * ((1 - g) * Phi^-1(1 - 1/N) + g * Phi^-1(1 - 1/(N e)))

    with g the Euler-Mascheroni constant. It is 0 for a single trial.

    Example:
        >>> round(expected_max_sharpe(100, 0.01), 4)
        0.2531
    """
    if isinstance(n_trials, bool) or not isinstance(n_trials, int | np.integer) or n_trials < 1:
        msg = f"`n_trials` must be an int >= 1; got {n_trials!r}"
        raise ConfigError(msg, hint="the number of configurations tried, e.g. n_trials=1000")
    if isinstance(sr_variance, bool) or not isinstance(sr_variance, int | float):
        msg = f"`sr_variance` must be a number >= 0; got {sr_variance!r}"
        raise ConfigError(msg, hint="the variance of the trials' per-period Sharpes")
    if not sr_variance >= 0.0 or not math.isfinite(sr_variance):
        msg = f"`sr_variance` must be finite and >= 0; got {sr_variance!r}"
        raise ConfigError(msg, hint="the variance of the trials' per-period Sharpes")
    if n_trials == 1:
        return 0.0
    n = float(n_trials)
    # Z^-1(1 - p) = -Z^-1(p): exact where 1 - 1/n would round to 1 (n >= 2**53).
    z1 = -_NORMAL.inv_cdf(1.0 / n)
    z2 = -_NORMAL.inv_cdf(1.0 / (n * math.e))
    return math.sqrt(sr_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def deflated_sharpe_ratio(
    returns: Any = None,
    /,
    *,
    n_trials: int,
    sr_variance: float,
    sr: float | None = None,
    n_obs: float | None = None,
    skew: float | None = None,
    kurtosis: float | None = None,
) -> float:
    """The PSR against the expected maximum Sharpe of ``n_trials`` unskilled trials.

    Bailey & López de Prado (2014), "The Deflated Sharpe Ratio: Correcting for
    Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio
    Management 40(5), eq. (2)::

        DSR = PSR(SR0),  SR0 = sqrt(V) * ((1 - g) * Phi^-1(1 - 1/N) + g * Phi^-1(1 - 1/(N e)))

    (:func:`expected_max_sharpe`). All Sharpe ratios, ``sr_variance`` included,
    are per period. With ``n_trials=1`` SR0 is 0 and the DSR equals PSR(0).

    Args:
        returns: The chosen configuration's per-period returns.
        n_trials: N, the number of configurations tried.
        sr_variance: V, the variance of their per-period Sharpe ratios.
        sr: Keyword form instead of ``returns``: the per-period Sharpe.
        n_obs: Keyword form: the number of returns.
        skew: Keyword form: skewness (default 0).
        kurtosis: Keyword form: non-excess kurtosis (default 3).

    Raises:
        ConfigError: Bad returns, ``n_trials`` or ``sr_variance``.

    Example:
        >>> round(deflated_sharpe_ratio(sr=0.05, n_obs=1000, n_trials=100,
        ...                             sr_variance=0.0004), 4)
        0.4923
    """
    sr0 = expected_max_sharpe(n_trials, sr_variance)
    s, n, g3, g4 = _summary(returns, sr, n_obs, skew, kurtosis)
    return _psr(s, n, g3, g4, sr0)


@dataclass(frozen=True, slots=True)
class PboResult:
    """The outcome of :func:`pbo`.

    Attributes:
        pbo: The share of splits whose logit is <= 0: the chosen configuration
            ranked at or below the out-of-sample median.
        logits: One logit ln(w / (1 - w)) per split, w the relative OOS rank.
        is_metric: The chosen configuration's in-sample metric, per split.
        oos_metric: Its out-of-sample metric, per split.
        slope: The performance degradation: OLS slope of ``oos_metric`` on
            ``is_metric`` over the splits with finite values (NaN if < 2 or no spread).
        intercept: That regression's intercept.
        n_splits: S, the number of blocks.
        block_len: Rows per block (the ``rows % n_splits`` last rows are dropped).
    """

    pbo: float
    logits: Floats
    is_metric: Floats
    oos_metric: Floats
    slope: float
    intercept: float
    n_splits: int
    block_len: int


def _matrix(returns_matrix: Any) -> Floats:
    if isinstance(returns_matrix, pl.DataFrame):
        returns_matrix = returns_matrix.cast(pl.Float64).fill_null(math.nan).to_numpy()
    try:
        m = np.asarray(returns_matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"`returns_matrix` must be a 2-D array of numbers; got {type(returns_matrix)}"
        raise ConfigError(msg, hint="rows are bars, columns configurations") from exc
    if m.ndim != 2 or m.shape[1] < 1:
        msg = f"`returns_matrix` must be 2-D (bars x configurations); got shape {m.shape}"
        raise ConfigError(msg, hint="stack one column per configuration")
    bad = np.argwhere(~np.isfinite(m))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        msg = f"`returns_matrix` has {len(bad)} non-finite values, first at [{i}, {j}]"
        raise ConfigError(msg, hint="fill them (e.g. with 0.0)", context={"row": i, "col": j})
    return np.ascontiguousarray(m)


def _slope(x: Floats, y: Floats) -> tuple[float, float]:
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.shape[0] < 2:
        return math.nan, math.nan
    dx = x - x.mean()
    var = float(np.dot(dx, dx))
    if var == 0.0:
        return math.nan, math.nan
    slope = float(np.dot(dx, y - y.mean()) / var)
    return slope, float(y.mean() - slope * x.mean())


def pbo(returns_matrix: Any, /, *, n_splits: int = 16, metric: PboMetric = "sharpe") -> PboResult:
    """The probability of backtest overfitting, by combinatorially symmetric CV.

    Bailey, Borwein, López de Prado & Zhu (2017), "The Probability of Backtest
    Overfitting", Journal of Computational Finance 20(4). The T x N matrix of
    per-period returns (N configurations) is cut into S = ``n_splits`` equal
    contiguous blocks of ``T // S`` rows (the remainder rows at the end are
    dropped). For each of the C(S, S/2) choices of half the blocks as in-sample
    (the rest out-of-sample):

    1. n* = the configuration with the best in-sample ``metric`` (the first on ties);
    2. its out-of-sample rank r among the N (1 = worst; ties take their mid-rank);
    3. w = r / (N + 1) and the logit l = ln(w / (1 - w)).

    PBO = #(l <= 0) / C(S, S/2). ``metric="sharpe"`` is mean / std (ddof 1) of
    the rows of the half; with zero variance it is 0 for a zero mean, else +-inf.
    ``"mean"`` is the mean return. With N identical columns every
    configuration ties out of sample, w = 1/2, every logit is 0, and PBO is 1.0:
    the selection carries no information. One numba kernel works on block sums
    and sums of squares, so each split costs O(S N), independent of T.

    Args:
        returns_matrix: Bars x configurations (numpy 2-D, or a polars frame of
            numeric columns), finite.
        n_splits: S, even, 2 to ``MAX_SPLITS``, at most the number of rows.
        metric: ``"sharpe"`` or ``"mean"``.

    Raises:
        ConfigError: A bad matrix, ``n_splits`` or ``metric``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> result = pbo(rng.normal(0, 0.01, (1000, 50)), n_splits=8)
        >>> 0.0 <= result.pbo <= 1.0, result.logits.shape
        (True, (70,))
    """
    if metric not in _METRICS:
        msg = f"`metric` must be one of {list(_METRICS)}; got {metric!r}"
        raise ConfigError(msg, hint='e.g. metric="sharpe"')
    s = n_splits
    if isinstance(s, bool) or not isinstance(s, int) or s < 2 or s % 2 or s > MAX_SPLITS:
        msg = f"`n_splits` must be an even int in [2, {MAX_SPLITS}]; got {n_splits!r}"
        raise ConfigError(msg, hint="e.g. n_splits=16 (12,870 splits)")
    m = _matrix(returns_matrix)
    block_len = m.shape[0] // s
    if block_len * (s // 2) < 2:
        msg = f"{m.shape[0]} rows are too few for {s} splits (each half needs >= 2 rows)"
        raise ConfigError(msg, hint="use fewer splits or more bars", context={"rows": m.shape[0]})
    sums = np.empty((s, m.shape[1]))
    squares = np.empty((s, m.shape[1]))
    sk.block_sums_nb(m, s, sums, squares)
    halves = np.array(list(itertools.combinations(range(s), s // 2)), dtype=np.int64)
    logits = np.empty(halves.shape[0])
    is_best = np.empty(halves.shape[0])
    oos_best = np.empty(halves.shape[0])
    sk.pbo_nb(sums, squares, halves, block_len, _METRICS[metric], logits, is_best, oos_best)
    slope, intercept = _slope(is_best, oos_best)
    return PboResult(
        pbo=float(np.mean(logits <= 0.0)),
        logits=logits,
        is_metric=is_best,
        oos_metric=oos_best,
        slope=slope,
        intercept=intercept,
        n_splits=s,
        block_len=block_len,
    )
