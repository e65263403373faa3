"""Overfitting statistics over a sweep: per-row PSR and DSR, and PBO per symbol.

A sweep row holds stats, not returns, so the per-row PSR and DSR use the
summary-statistics form of :mod:`peak_trade.research.stats`: the row's
per-period Sharpe (``sharpe / sqrt(periods_per_year)``, with the row's own
``periods_per_year``), the symbol's number of bars (in the window, if any),
and **normal higher moments** (skew 0,
kurtosis 3), because the grid kernel does not compute skewness and kurtosis.
Fat tails lower the true PSR, so for a finalist compute it exactly from its
returns (``probabilistic_sharpe_ratio(returns)``, or the kept returns of
``sweep(..., keep_returns=True)``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.stats import infer_periods_per_year
from peak_trade.backtest.window import resolve_window
from peak_trade.core.errors import ConfigError
from peak_trade.data._frames import to_polars
from peak_trade.research import _stats_kernels as sk
from peak_trade.research._load import _fetch
from peak_trade.research._returns import read_returns
from peak_trade.research.stats import PboMetric, PboResult, expected_max_sharpe, pbo

__all__ = ["FrameRecorder", "SymbolFacts", "add_psr_dsr", "symbol_facts", "sweep_pbo"]

#: Per symbol: (bars in the evaluated span, periods per year).
SymbolFacts = tuple[int, float]


class FrameRecorder:
    """Keeps the frames a sweep loads, so ``rank_sweep`` needs no second load.

    ``data`` and ``source`` go to ``sweep`` unchanged for a mapping; for a list
    of symbols, ``source`` becomes a callable that records what it returns.
    """

    def __init__(self, data: Any, source: Any, timeframe: str) -> None:
        self.data = data
        self.source = source
        self._seen: dict[str, Any] = {}
        if not isinstance(data, Mapping) and source is not None:
            inner = source

            def record(symbol: str) -> Any:
                self._seen[symbol] = _fetch(inner, symbol, timeframe)
                return self._seen[symbol]

            self.source = record

    def frames(self) -> dict[str, pl.DataFrame]:
        """The loaded frames by symbol, after the sweep (none for data by reference)."""
        raw = self.data if isinstance(self.data, Mapping) else self._seen
        return {
            symbol: to_polars(obj)
            for symbol, obj in raw.items()
            if not isinstance(obj, str | os.PathLike)  # a path: the workers read it
        }


def symbol_facts(
    frames: Mapping[str, pl.DataFrame], /, *, config: BacktestConfig, window: Any = None
) -> dict[str, SymbolFacts]:
    """The bar count and periods per year each symbol's stats were computed over."""
    out: dict[str, SymbolFacts] = {}
    for symbol, frame in frames.items():
        ts = frame.get_column("timestamp")
        if window is not None:
            start, end = resolve_window(window, ts)
            ts = ts.slice(start, end - start)
        ppy = config.periods_per_year
        out[symbol] = (ts.len(), float(ppy) if ppy is not None else infer_periods_per_year(ts))
    return out


def add_psr_dsr(results: pl.DataFrame, facts: Mapping[str, SymbolFacts], /) -> pl.DataFrame:
    """``results`` with ``psr`` (vs 0) and ``dsr`` columns after the stats.

    DSR per row: PSR against the expected maximum Sharpe of ``n_trials`` = the
    symbol's rows and ``sr_variance`` = the variance (ddof 1) of their finite
    per-period Sharpes (see the module docstring for the moments assumed). The
    per-period Sharpe divides by the row's own ``periods_per_year`` (the value
    its ``sharpe`` was annualised with); only rows without that column take it
    from ``facts``.

    Example:
        >>> add_psr_dsr(frame, {"A": (4000, 8760.0)}).columns[-2:]  # doctest: +SKIP
        ['psr', 'dsr']
    """
    symbols = results.get_column("symbol").to_list()
    sharpe = results.get_column("sharpe").cast(pl.Float64).fill_null(math.nan).to_numpy()
    n_obs = np.array([float(facts[s][0]) for s in symbols])
    if "periods_per_year" in results.columns:  # the value each row was annualised with
        ppy = results.get_column("periods_per_year").cast(pl.Float64).fill_null(math.nan)
        root = np.sqrt(ppy.to_numpy())
    else:  # rows of another source: the symbol's facts
        root = np.sqrt(np.array([facts[s][1] for s in symbols]))
    sr = np.ascontiguousarray(sharpe / root)
    sr0 = np.zeros(sr.shape[0])
    for symbol in dict.fromkeys(symbols):
        rows = np.array([s == symbol for s in symbols])
        finite = sr[rows][np.isfinite(sr[rows])]
        variance = float(np.var(finite, ddof=1)) if finite.shape[0] > 1 else 0.0
        sr0[rows] = expected_max_sharpe(int(rows.sum()), variance)
    zeros = np.zeros(sr.shape[0])
    threes = np.full(sr.shape[0], 3.0)
    psr = np.empty(sr.shape[0])
    dsr = np.empty(sr.shape[0])
    sk.psr_nb(sr, n_obs, zeros, threes, zeros, psr)
    sk.psr_nb(sr, n_obs, zeros, threes, sr0, dsr)
    return results.with_columns(pl.Series("psr", psr), pl.Series("dsr", dsr))


def sweep_pbo(
    sweep: str | os.PathLike[str] | Mapping[str, Any],
    /,
    *,
    n_splits: int = 16,
    metric: PboMetric = "sharpe",
) -> dict[str, PboResult]:
    """PBO (:func:`~peak_trade.research.stats.pbo`) of each symbol's combinations.

    Args:
        sweep: The ``output`` directory of ``sweep(..., keep_returns=True)``, or
            a mapping symbol -> bars x combinations returns (a polars frame,
            whose ``timestamp`` and ``symbol`` columns are ignored, or a 2-D array).
        n_splits: As for ``pbo``.
        metric: As for ``pbo``.

    Raises:
        ConfigError: No kept returns in the directory, or a bad matrix or option.

    Example:
        >>> sweep(frames, "ma_crossover", grid, output="runs/s",
        ...       keep_returns=True)  # doctest: +SKIP
        >>> sweep_pbo("runs/s")["BTC/USDT"].pbo  # doctest: +SKIP
    """
    if isinstance(sweep, str | os.PathLike):
        matrices: Mapping[str, Any] = read_returns(sweep)
    elif isinstance(sweep, Mapping):
        matrices = sweep
    else:
        msg = f"`sweep` must be a sweep output directory or a mapping; got {type(sweep).__name__}"
        raise ConfigError(msg, hint='e.g. sweep_pbo("runs/my-sweep")')
    out: dict[str, PboResult] = {}
    for symbol, matrix in matrices.items():
        if isinstance(matrix, pl.DataFrame):
            matrix = matrix.drop("timestamp", "symbol", strict=False)
        try:
            out[symbol] = pbo(matrix, n_splits=n_splits, metric=metric)
        except ConfigError as exc:
            exc.context.setdefault("symbol", symbol)
            raise
    return out
