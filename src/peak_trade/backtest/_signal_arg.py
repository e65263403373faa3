"""Which of run_backtest's arguments is the signal: ``signal=``, or (deprecated) ``strategy``.

``run_backtest(df, signal=...)`` takes an explicit target exposure per bar: a polars
Series, a 1-D numpy array or the name of a column. The positional ``strategy`` is a
registered name, a ``Strategy`` class or an instance. Until the next release a
signal passed as ``strategy`` still works, with a ``DeprecationWarning``; a string
that names both a column and a registered strategy is ambiguous and raises.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.registry import get_strategy_class, list_strategies
from peak_trade.backtest.strategies.base import suggest
from peak_trade.core._frames import short_repr, to_series
from peak_trade.core.errors import ConfigError
from peak_trade.data._ohlcv_rules import REQUIRED_VALUE_COLUMNS

__all__ = ["check_params", "explicit_signal", "length_error"]

Floats = npt.NDArray[np.float64]
#: run_backtest -> _run_backtest -> prepare_run -> explicit_signal -> warn: the user's line.
_USER_FRAME = 5


def length_error(got: int, bars: int) -> ConfigError:
    """The ``ConfigError`` for a signal whose length is not the frame's."""
    msg = f"the signal has {got} values but the data has {bars} bars"
    return ConfigError(
        msg,
        hint="compute the signal over the same frame you backtest",
        context={"signal_len": got, "bars": bars},
    )


def _array_values(values: npt.NDArray[Any], bars: int) -> Floats:
    if values.ndim != 1 or not (np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_):
        got = f"shape {values.shape} {values.dtype}"
        msg = f"a signal array must be 1-D and numeric; got {got}"
        raise ConfigError(msg, hint="pass one float per bar", context={"shape": values.shape})
    if values.shape[0] != bars:
        raise length_error(values.shape[0], bars)
    # A float64 contiguous array is used as is (no copy); NaNs are caught by the scan.
    return np.ascontiguousarray(values, dtype=np.float64)


def _series_values(series: pl.Series, bars: int) -> Floats:
    if series.len() != bars:
        raise length_error(series.len(), bars)
    if not (series.dtype.is_numeric() or series.dtype == pl.Boolean):
        msg = f"the signal must be numeric; got dtype {series.dtype}"
        raise ConfigError(
            msg, hint="cast it with .cast(pl.Float64)", context={"dtype": str(series.dtype)}
        )
    values = series.cast(pl.Float64)
    if values.null_count():
        values = values.fill_null(math.nan)  # nulls become NaN: the scan names the bar
    return np.ascontiguousarray(values.to_numpy(), dtype=np.float64)


def _signal_values(df: pl.DataFrame, signal: Any) -> Floats:
    """The float64 targets of ``signal=``: an array, a Series or a column name."""
    if isinstance(signal, np.ndarray):
        return _array_values(signal, df.height)
    series = to_series(signal)  # polars, pandas (by position) or pyarrow
    if series is not None:
        return _series_values(series, df.height)
    if isinstance(signal, str):
        if signal not in df.columns:
            close = suggest(signal, df.columns)
            mean = f"did you mean {close!r}? " if close else ""
            msg = f"`signal={signal!r}` names no column of the data"
            raise ConfigError(
                msg,
                hint=f"{mean}columns: {', '.join(df.columns)}",
                context={"signal": signal, "columns": df.columns},
            )
        return _series_values(df.get_column(signal), df.height)
    got = type(signal).__name__
    kinds = "a series (polars, pandas, pyarrow), a numpy array or a column name"
    msg = f"`signal` must be {kinds}; got {got}"
    raise ConfigError(msg, hint="e.g. run_backtest(df, signal=df['target'])")


def _is_registered(name: str) -> bool:
    return any(info.name == name for info in list_strategies())


def _legacy_signal(df: pl.DataFrame, strategy: Any) -> Any:
    """``strategy`` when it is a signal in the old positional form, else None."""
    if isinstance(strategy, np.ndarray) or to_series(strategy) is not None:
        return strategy
    if not isinstance(strategy, str) or strategy not in df.columns:
        return None
    if strategy in (*REQUIRED_VALUE_COLUMNS, "timestamp"):
        return None
    if _is_registered(strategy):
        msg = f"{strategy!r} names both a column of the data and a registered strategy"
        raise ConfigError(
            msg,
            hint=(
                f"pass signal={strategy!r} to backtest the column, or rename the column "
                f"to backtest the strategy {strategy!r}"
            ),
            context={"strategy": strategy},
        )
    return strategy


def explicit_signal(
    df: pl.DataFrame, strategy: Any, signal: Any, params: Mapping[str, Any] | None
) -> Floats | None:
    """The explicit signal's targets, or None when ``strategy`` names a strategy.

    Raises:
        ConfigError: Both or neither of ``strategy`` and ``signal``; ``params`` with
            a signal; a bad signal; a name that is both a column and a strategy.
    """
    if signal is None:
        if strategy is None:
            msg = "run_backtest needs a strategy or a signal; got neither"
            raise ConfigError(
                msg, hint='e.g. run_backtest(df, "ma_crossover") or run_backtest(df, signal=s)'
            )
        signal = _legacy_signal(df, strategy)
        if signal is None:
            return None
        kind = f"column {signal!r}" if isinstance(signal, str) else type(signal).__name__
        warnings.warn(
            f"passing a signal ({kind}) as `strategy` is deprecated and stops working in the "
            "next release: use run_backtest(df, signal=...)",
            DeprecationWarning,
            stacklevel=_USER_FRAME,
        )
    elif strategy is not None:
        msg = "run_backtest got both a strategy and `signal=`"
        raise ConfigError(msg, hint="pass one: a strategy (with params) or a signal")
    if params:
        msg = "`params` only applies to a strategy, not to an explicit signal"
        raise ConfigError(msg, hint="drop `params`", context={"params": dict(params)})
    return _signal_values(df, signal)


def check_params(params: Any, strategy: Any) -> Mapping[str, Any] | None:
    """``params`` if it is None or a mapping; else a ``ConfigError`` showing the dict form."""
    if params is None or isinstance(params, Mapping):
        return params
    example = '{"fast": 10, "slow": 20}'
    if isinstance(strategy, str) and isinstance(params, list | tuple):
        try:
            names = [s.name for s in get_strategy_class(strategy).param_specs]
        except ConfigError:
            names = []
        if names:
            pairs = zip(names, params, strict=False)
            example = "{" + ", ".join(f"{n!r}: {v!r}" for n, v in pairs) + "}"
    msg = f"`params` must map parameter names to values; got {short_repr(params)}"
    raise ConfigError(
        msg,
        hint=f"pass a dict, e.g. {example}",
        context={"got": type(params).__name__},
    )
