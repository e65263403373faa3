"""Stats as strict JSON: NaN and inf become ``null`` with a ``<name>_reason`` beside them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["strict_stats"]

_NO_CLOSED: Final = "no closed trades"
_FEW_BARS: Final = "fewer than 2 bars, or returns with no spread"
#: Why a stat is NaN, by name (the cases docs/backtest.md lists).
_NAN: Final = {
    "profit_factor": "no closed trades with nonzero pnl",
    **dict.fromkeys(
        (
            "win_rate",
            "expectancy",
            "avg_trade_return",
            "best_trade",
            "worst_trade",
            "trade_duration_mean",
            "trade_duration_median",
            "trade_duration_mean_s",
            "trade_duration_median_s",
            "trade_duration_max_s",
        ),
        _NO_CLOSED,
    ),
    "avg_win": "no winning closed trades",
    "avg_loss": "no losing closed trades",
    **dict.fromkeys(
        ("volatility", "sharpe", "sortino", "skew", "kurtosis", "benchmark_sharpe"), _FEW_BARS
    ),
    **dict.fromkeys(("var_95", "cvar_95"), "fewer than 2 bars"),
    "omega": "no bar with a nonzero return",
    "tail_ratio": "the 5th percentile of the bar returns is 0",
    **dict.fromkeys(("cagr", "benchmark_cagr", "calmar"), "the run spans no time"),
    "periods_per_year": "fewer than 2 bars: no spacing to infer it from",
}
#: Why a stat is infinite, by name.
_INF: Final = {
    "profit_factor": "no losing closed trades",
    "omega": "no bar with a negative return",
    "calmar": "no drawdown",
}


def strict_stats(row: Mapping[str, Any], /) -> dict[str, Any]:
    """``row`` with each NaN or inf float replaced by None and its reason added.

    Example:
        >>> strict_stats({"win_rate": float("nan"), "n_trades": 1})
        {'win_rate': None, 'win_rate_reason': 'no closed trades', 'n_trades': 1}
    """
    out: dict[str, Any] = {}
    for name, value in row.items():
        out[name] = value
        if isinstance(value, float) and not math.isfinite(value):
            out[name] = None
            if math.isnan(value):
                reason = _NAN.get(name, "undefined")
            else:
                sign = "+" if value > 0 else "-"
                reason = f"{sign}inf: " + _INF.get(name, "division by zero")
            out[f"{name}_reason"] = reason
    return out
