"""Risk statistics of the bar returns, and the buy-and-hold benchmark on the same bars.

A bar return is ``equity[i] / equity[i - 1] - 1`` with ``equity[-1]`` the initial
cash (0.0 once the account is ruined), the same returns the kernel's Sharpe uses.
Definitions are in docs/backtest.md.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from peak_trade.backtest._risk_nb import bar_returns_nb, return_bands_sums_nb, return_power_sums_nb

__all__ = [
    "BENCHMARK_STAT_NAMES",
    "RISK_STAT_NAMES",
    "bar_returns",
    "benchmark_stats",
    "risk_stats",
]

Floats = npt.NDArray[np.float64]

#: The names :func:`risk_stats` returns, in order.
RISK_STAT_NAMES: Final = ("omega", "tail_ratio", "var_95", "cvar_95", "skew", "kurtosis")
#: The names :func:`benchmark_stats` returns, in order.
BENCHMARK_STAT_NAMES: Final = ("benchmark_return", "benchmark_cagr", "benchmark_sharpe")


def bar_returns(equity: Floats, initial: float, /) -> Floats:
    """Each bar's return, the first one against ``initial``.

    Example:
        >>> bar_returns(np.array([110.0, 99.0]), 100.0)
        array([ 0.1, -0.1])
    """
    out = np.empty(equity.shape[0], dtype=np.float64)
    bar_returns_nb(np.ascontiguousarray(equity, dtype=np.float64), float(initial), out)
    return out


def _interp(ranked: dict[int, float], pos: float) -> float:
    """numpy's linear quantile at fractional rank ``pos`` from the order statistics ``ranked``."""
    lo = int(pos)
    hi = min(lo + 1, max(ranked))
    return ranked[lo] + (ranked[hi] - ranked[lo]) * (pos - lo)


#: Below this many returns the order statistics come from one partition of all of them.
_BAND_MIN: Final = 100_000
#: Returns sampled (evenly strided) to place the bands around the wanted ranks.
_BAND_SAMPLE: Final = 20_000
#: The bands reach this share of the returns past the wanted ranks (in the sample):
#: over 6 standard errors of a 20,000-point sample's 5% quantile.
_BAND_MARGIN: Final = 0.01


def _sample_returns(equity: Floats, initial: float, step: int) -> Floats:
    """``bar_returns(equity, initial)[::step]``, formed at those bars only."""
    at = np.arange(0, equity.size, step)
    prev = equity[np.maximum(at - 1, 0)]
    prev[0] = initial
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0.0, equity[at] / prev - 1.0, 0.0)


def _order_stats(
    equity: Floats, initial: float, kth: list[int], worst: int, sample: Floats
) -> tuple[dict[int, float], float, tuple[float, ...] | None]:
    """The bar returns' ``k``-th smallest for each ``k`` in ``kth``, and the sum of the
    ``worst`` smallest (``worst - 1`` must be in ``kth``).

    Long series copy out only two bands of returns, around the lower and around
    the upper wanted ranks, with bounds from an evenly strided sample; the
    returns below the lower band are counted and summed on the way (one pass
    over the equity, no returns array). The bands are partitioned. If a band
    misses a wanted rank, all the returns are partitioned instead.

    ``sample`` is ``_sample_returns(equity, initial, _stride(n))``. The bands' pass
    also returns ``return_power_sums_nb(equity, initial, sample.mean())`` (None on
    the other paths).
    """
    n = equity.size
    lower = [k for k in kth if k < n // 2]
    upper = [k for k in kth if k >= n // 2]
    if n >= _BAND_MIN and lower and upper:
        shift = float(sample.mean())
        sample = np.sort(sample)
        m = sample.size

        def at(share: float) -> float:
            return float(sample[min(max(int(m * share), 0), m - 1)])

        cuts = np.array(
            [
                at(lower[0] / n - _BAND_MARGIN),
                at(lower[-1] / n + _BAND_MARGIN),
                at(upper[0] / n - _BAND_MARGIN),
                at(upper[-1] / n + _BAND_MARGIN),
            ]
        )
        # Only the bands' pages of the two buffers are touched.
        low_band, high_band = np.empty(n), np.empty(n)
        sums = np.empty(6)
        a, b, below, below_sum, above = return_bands_sums_nb(
            equity, initial, cuts, shift, low_band, high_band, sums
        )
        start = n - above - b  # the rank of high_band's smallest value
        if (
            below <= lower[0]
            and lower[-1] < below + a
            and start <= upper[0]
            and upper[-1] < n - above
        ):
            low = np.partition(low_band[:a], [k - below for k in lower])
            high = np.partition(high_band[:b], [k - start for k in upper])
            ranked = {k: float(low[k - below]) for k in lower}
            ranked.update({k: float(high[k - start]) for k in upper})
            worst_sum = below_sum + float(low[: worst - below].sum())
            return ranked, worst_sum, tuple(sums.tolist())
    part = np.partition(bar_returns(equity, initial), kth)
    return {k: float(part[k]) for k in kth}, float(part[:worst].sum()), None


def _stride(n: int) -> int:
    """The step of the evenly strided sample of ``n`` returns."""
    return max(n // _BAND_SAMPLE, 1)


def _moments(
    equity: Floats, initial: float, shift: float, sums: tuple[float, ...] | None = None
) -> tuple[float, float, float, float, float, float]:
    """The bar returns' gain and loss sums, mean, and 2nd to 4th central moments.

    One pass of power sums about ``shift`` (``sums``, if that pass was made
    already), turned into central moments; a second pass about the mean itself
    if the shift turns out far from it.
    """
    n = equity.size
    for _ in range(2):
        if sums is None:
            sums = return_power_sums_nb(equity, initial, shift)
        gain, loss, s1, s2, s3, s4 = sums
        sums = None
        d, p2, p3, p4 = s1 / n, s2 / n, s3 / n, s4 / n
        m2 = max(p2 - d * d, 0.0)  # >= 0 but for rounding
        if d * d <= 0.01 * m2 or not math.isfinite(d):  # within 0.1 std: no cancellation
            break
        shift += d
    m3 = p3 - 3.0 * d * p2 + 2.0 * d**3
    m4 = p4 - 4.0 * d * p3 + 6.0 * d * d * p2 - 3.0 * d**4
    return gain, loss, shift + d, m2, m3, m4


def _sharpe(price: Floats, periods_per_year: float) -> float:
    """The Sharpe of ``price``'s bar returns from its first value (numpy's std, ddof 1)."""
    n = price.size
    if n < 2:
        return math.nan
    first = float(price[0])
    shift = float(_sample_returns(price, first, _stride(n)).mean())  # close to the mean
    _, _, mean, m2, _, _ = _moments(price, first, shift)
    std = math.sqrt(m2 * n / (n - 1))
    if std == 0.0:
        return 0.0 if mean == 0.0 else math.nan
    return mean / std * math.sqrt(periods_per_year)


def risk_stats(equity: Floats, initial: float, /) -> dict[str, float]:
    """Omega (threshold 0), tail ratio, VaR and CVaR at 95%, skew and excess kurtosis.

    VaR is the 5% quantile of the bar returns (linear interpolation); CVaR is the
    mean of the ``floor((n - 1) * 0.05) + 1`` worst returns.

    Example:
        >>> s = risk_stats(np.array([101.0, 100.0, 102.0, 101.0]), 100.0)
        >>> round(s["var_95"], 4)
        -0.0099
    """
    eq = np.ascontiguousarray(equity, dtype=np.float64)
    initial = float(initial)
    nan = math.nan
    if eq.size < 2:
        return dict.fromkeys(RISK_STAT_NAMES, nan)
    # The order statistics of the two tails serve both quantiles (linear
    # interpolation, numpy's default) and the CVaR's worst returns.
    n = eq.size
    worst = int((n - 1) * 0.05) + 1  # the worst 5% of the bars, at least one
    pos5, pos95 = (n - 1) * 0.05, (n - 1) * 0.95
    kth = sorted({worst - 1, int(pos5), min(int(pos5) + 1, n - 1), int(pos95),
                  min(int(pos95) + 1, n - 1)})  # fmt: skip
    # The order statistics' pass over the equity may sum the powers too, about the
    # mean of the same strided sample of returns that places its bands.
    sample = _sample_returns(eq, initial, _stride(n))
    shift = float(sample.mean())
    ranked, worst_sum, sums = _order_stats(eq, initial, kth, worst, sample)
    gain, loss, _, m2, m3, m4 = _moments(eq, initial, shift, sums)
    omega = gain / loss if loss > 0.0 else (math.inf if gain > 0.0 else nan)
    p5 = _interp(ranked, pos5)
    p95 = _interp(ranked, pos95)
    tail = abs(p95) / abs(p5) if p5 != 0.0 else nan
    skew = m3 / m2**1.5 if m2 > 0.0 else nan
    kurt = m4 / m2**2 - 3.0 if m2 > 0.0 else nan
    return {
        "omega": omega,
        "tail_ratio": tail,
        "var_95": p5,
        "cvar_95": worst_sum / worst,
        "skew": skew,
        "kurtosis": kurt,
    }


def benchmark_stats(price: Floats, /, *, periods_per_year: float, years: float) -> dict[str, float]:
    """Buy and hold at the first bar's close: total return, CAGR and Sharpe.

    Example:
        >>> s = benchmark_stats(np.array([100.0, 110.0]), periods_per_year=1.0, years=1.0)
        >>> round(s["benchmark_return"], 10), round(s["benchmark_cagr"], 10)
        (0.1, 0.1)
    """
    p = np.ascontiguousarray(price, dtype=np.float64)
    if p.size == 0 or not p[0] > 0.0:
        return dict.fromkeys(BENCHMARK_STAT_NAMES, math.nan)
    growth = float(p[-1] / p[0])
    cagr = growth ** (1.0 / years) - 1.0 if years > 0.0 else math.nan
    return {
        "benchmark_return": growth - 1.0,
        "benchmark_cagr": cagr,
        "benchmark_sharpe": _sharpe(p, periods_per_year),
    }
