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

from peak_trade.backtest._risk_nb import bar_returns_nb, moments_nb

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


def _interp(part: Floats, pos: float) -> float:
    """numpy's linear quantile at fractional rank ``pos`` of a partitioned array."""
    lo = int(pos)
    hi = min(lo + 1, part.size - 1)
    frac = pos - lo
    return float(part[lo] + (part[hi] - part[lo]) * frac)


def _sharpe(r: Floats, periods_per_year: float) -> float:
    if r.size < 2:
        return math.nan
    std = float(r.std(ddof=1))
    mean = float(r.mean())
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
    r = bar_returns(np.ascontiguousarray(equity, dtype=np.float64), initial)
    nan = math.nan
    if r.size < 2:
        return dict.fromkeys(RISK_STAT_NAMES, nan)
    gain, loss, _, m2, m3, m4 = moments_nb(r)
    omega = gain / loss if loss > 0.0 else (math.inf if gain > 0.0 else nan)
    # One partition serves both quantiles (linear interpolation, numpy's default)
    # and the CVaR's worst returns.
    worst = int((r.size - 1) * 0.05) + 1  # the worst 5% of the bars, at least one
    pos5, pos95 = (r.size - 1) * 0.05, (r.size - 1) * 0.95
    kth = sorted({worst - 1, int(pos5), min(int(pos5) + 1, r.size - 1), int(pos95),
                  min(int(pos95) + 1, r.size - 1)})  # fmt: skip
    part = np.partition(r, kth)
    p5 = _interp(part, pos5)
    p95 = _interp(part, pos95)
    tail = abs(p95) / abs(p5) if p5 != 0.0 else nan
    skew = m3 / m2**1.5 if m2 > 0.0 else nan
    kurt = m4 / m2**2 - 3.0 if m2 > 0.0 else nan
    return {
        "omega": omega,
        "tail_ratio": tail,
        "var_95": p5,
        "cvar_95": float(part[:worst].mean()),
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
        "benchmark_sharpe": _sharpe(bar_returns(p, float(p[0])), periods_per_year),
    }
