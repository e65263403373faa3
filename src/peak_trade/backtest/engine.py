"""run_backtest: validate the inputs, run the numba simulation, package the result.

The execution model (fill timing, slippage, fees, sizing, trades, ruin) is stated
in docs/backtest.md; the kernels are in ``_kernels.py``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest import _kernels as k
from peak_trade.backtest._stats_kernels import N_STATS, stats_nb
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.registry import get_strategy, get_strategy_class
from peak_trade.backtest.result import BacktestResult, equity_frame, fills_frame, trades_frame
from peak_trade.backtest.stats import infer_periods_per_year, stats_dict, years_spanned
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.data._frames import to_polars
from peak_trade.data._ohlcv_rules import REQUIRED_VALUE_COLUMNS
from peak_trade.data.contracts import validate_ohlcv

__all__ = ["MarketArrays", "prepare_market", "run_backtest", "signal_error", "strategy_class"]

_log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float64]
_DEFAULT = BacktestConfig()
_SIGNAL_PROBLEMS = {
    k.SIGNAL_NAN: ("a NaN or null target", "fill the gaps, e.g. signal.fill_nan(0.0)"),
    k.SIGNAL_OUT_OF_RANGE: (
        "a target outside [-1, 1]",
        "clip with np.clip(signal, -1, 1) or rescale it",
    ),
    k.SIGNAL_SHORT: (
        "a short target while `allow_short=False`",
        "pass config=BacktestConfig(allow_short=True) or clip at 0",
    ),
}


@dataclass(frozen=True, slots=True)
class MarketArrays:
    """A validated OHLCV frame and the contiguous float64 arrays the kernels read."""

    frame: pl.DataFrame
    open: Floats
    close: Floats
    periods_per_year: float
    years: float


def _column(df: pl.DataFrame, name: str) -> Floats:
    values = df.get_column(name).cast(pl.Float64).to_numpy()
    return np.ascontiguousarray(values, dtype=np.float64)


def prepare_market(data: Any, /, *, config: BacktestConfig) -> MarketArrays:
    """Check ``data`` against the strict OHLCV contract and extract the price arrays.

    Raises:
        DataContractError: The frame breaks the contract.
        TypeError: ``data`` is not a frame.
    """
    df = to_polars(data)
    validate_ohlcv(df, strict=True)
    ts = df.get_column("timestamp")
    ppy = config.periods_per_year
    return MarketArrays(
        frame=df,
        open=_column(df, "open"),
        close=_column(df, "close"),
        periods_per_year=float(ppy) if ppy is not None else infer_periods_per_year(ts),
        years=years_spanned(ts),
    )


def _registered(name: Any, params: Mapping[str, Any]) -> Strategy:
    """``get_strategy(name, **params)`` from the registry, for a string ``name``."""
    if not isinstance(name, str):
        msg = (
            "`strategy` must be a registered name, a Strategy instance or subclass, "
            f"or a signal (Series, array, column name); got {type(name).__name__}"
        )
        raise ConfigError(msg, hint='e.g. run_backtest(df, "ma_crossover")')
    return get_strategy(name, **params)


def strategy_class(strategy: Any, /) -> type[Strategy]:
    """The class of a registered name, a Strategy subclass or a Strategy instance."""
    if isinstance(strategy, Strategy):
        return type(strategy)
    if isinstance(strategy, type) and issubclass(strategy, Strategy):
        return strategy
    if isinstance(strategy, str):
        return get_strategy_class(strategy)
    return type(_registered(strategy, {}))


def _strategy(strategy: Any, params: Mapping[str, Any] | None) -> Strategy:
    if isinstance(strategy, Strategy):
        if params:
            msg = f"`params` was given with a `{type(strategy).__name__}` instance"
            raise ConfigError(
                msg,
                hint="build the instance with its parameters, or pass the class with params",
                context={"params": dict(params)},
            )
        return strategy
    if isinstance(strategy, type) and issubclass(strategy, Strategy):
        return strategy(**(params or {}))
    return _registered(strategy, params or {})


def _length_error(got: int, bars: int) -> ConfigError:
    msg = f"the signal has {got} values but the data has {bars} bars"
    return ConfigError(
        msg,
        hint="compute the signal over the same frame you backtest",
        context={"signal_len": got, "bars": bars},
    )


def _array_signal(values: npt.NDArray[Any], bars: int) -> Floats:
    if values.ndim != 1 or not (np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_):
        got = f"shape {values.shape} {values.dtype}"
        msg = f"a signal array must be 1-D and numeric; got {got}"
        raise ConfigError(msg, hint="pass one float per bar", context={"shape": values.shape})
    if values.shape[0] != bars:
        raise _length_error(values.shape[0], bars)
    # A float64 contiguous array is used as is (no copy); NaNs are caught by the scan.
    return np.ascontiguousarray(values, dtype=np.float64)


def _explicit_signal(df: pl.DataFrame, strategy: Any) -> Floats | None:
    """The signal when ``strategy`` is a column name, Series or array; else None."""
    if isinstance(strategy, np.ndarray):
        return _array_signal(strategy, df.height)
    if isinstance(strategy, str):
        if strategy not in df.columns or strategy in (*REQUIRED_VALUE_COLUMNS, "timestamp"):
            return None
        series = df.get_column(strategy)
    elif isinstance(strategy, pl.Series):
        series = strategy
    else:
        return None
    if series.len() != df.height:
        raise _length_error(series.len(), df.height)
    if not (series.dtype.is_numeric() or series.dtype == pl.Boolean):
        msg = f"the signal must be numeric; got dtype {series.dtype}"
        raise ConfigError(
            msg, hint="cast it with .cast(pl.Float64)", context={"dtype": str(series.dtype)}
        )
    values = series.cast(pl.Float64)
    if values.null_count():
        values = values.fill_null(math.nan)  # nulls become NaN: the scan names the bar
    return np.ascontiguousarray(values.to_numpy(), dtype=np.float64)


def signal_error(
    status: int, index: int, value: float, timestamps: pl.Series, *, where: str
) -> ConfigError:
    """The ``ConfigError`` for a bad signal found by ``scan_signal_nb``."""
    what, hint = _SIGNAL_PROBLEMS[status]
    ts = timestamps[index]
    msg = f"{where} has {what} at bar {index} ({ts}): {value!r}"
    return ConfigError(msg, hint=hint, context={"bar": index, "timestamp": ts, "value": value})


def run_backtest(
    data: Any,
    strategy: Any,
    /,
    params: Mapping[str, Any] | None = None,
    *,
    config: BacktestConfig = _DEFAULT,
) -> BacktestResult:
    """Backtest one target-exposure signal over an OHLCV frame.

    Args:
        data: Canonical OHLCV (polars DataFrame or LazyFrame, pyarrow Table, pandas);
            checked with ``validate_ohlcv(strict=True)``.
        strategy: A registered strategy name, a ``Strategy`` instance or subclass, or
            an explicit target exposure per bar in [-1, 1]: a polars Series, a
            numpy array or the name of a column of ``data``.
        params: Strategy parameters, for a name or a subclass.
        config: Costs, sizing and fill timing.

    Raises:
        DataContractError: ``data`` breaks the OHLCV contract.
        ConfigError: Unknown strategy or parameter; a signal of the wrong length, or
            with a NaN, a value outside [-1, 1], or a short while shorts are off.

    Example:
        >>> df = synthetic_ohlcv(500)  # doctest: +SKIP
        >>> cfg = BacktestConfig(fee_bps=0.0)  # doctest: +SKIP
        >>> result = run_backtest(df, np.ones(500), config=cfg)  # doctest: +SKIP
        >>> result.stats["n_trades"]  # doctest: +SKIP
        1
    """
    started = time.perf_counter()
    market = prepare_market(data, config=config)
    df = market.frame
    signal = _explicit_signal(df, strategy)
    used_params: dict[str, Any] | None = None
    if signal is None:
        strat = _strategy(strategy, params)
        signal = strat.signal(df)
        used_params = dict(strat.params)
    elif params:
        msg = "`params` only applies to a strategy, not to an explicit signal"
        raise ConfigError(msg, hint="drop `params`", context={"params": dict(params)})
    ts = df.get_column("timestamp")
    status, index, value, changes = k.scan_signal_nb(signal, config.allow_short)
    if status != k.SIGNAL_OK:
        raise signal_error(status, index, value, ts, where="the signal")
    n = df.height
    cap = k.fill_capacity_nb(changes)
    position = np.empty(n)
    cash = np.empty(n)
    equity = np.empty(n)
    exposure = np.empty(n)
    drawdown = np.empty(n)
    fills = np.empty((cap, k.N_FILL_COLS))
    trades = np.empty((cap, k.N_TRADE_COLS))
    _, _, nf, nt = k.simulate_nb(
        market.open,
        market.close,
        signal,
        float(config.initial_cash),
        config.fee_rate,
        config.slippage_rate,
        float(config.position_fraction),
        config.execution == "next_open",
        config.close_at_end,
        0,
        position,
        cash,
        equity,
        exposure,
        fills,
        trades,
    )
    row = np.empty(N_STATS)
    stats_nb(
        equity,
        position,
        float(config.initial_cash),
        trades[:nt, k.T_PNL],
        trades[:nt, k.T_RETURN],
        market.periods_per_year,
        market.years,
        row,
        drawdown,
    )
    result = BacktestResult(
        equity=equity_frame(ts, market.close, position, cash, equity, drawdown, exposure),
        trades=trades_frame(ts, trades[:nt]),
        stats=stats_dict(row),
        config=config,
        fills=fills_frame(ts, fills[:nf]),
        params=used_params,
    )
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "backtest.run",
            extra={
                "bars": n,
                "fills": nf,
                "trades": nt,
                "seconds": time.perf_counter() - started,
            },
        )
    return result
