"""Entry and exit signals as the target exposure the engine takes.

``from_entries_exits`` walks the bars once, holding a state of long (1), flat
(0) or short (-1). Precedence on one bar, in order (vectorbt's
``from_signals`` defaults: ``upon_long_conflict``, ``upon_short_conflict`` and
``upon_dir_conflict`` "ignore", ``upon_opposite_entry`` "reversereduce"):

1. An entry and an exit of the same side cancel: both are ignored.
2. A long entry and a short entry cancel: both are ignored.
3. Long: a short entry reverses to short; else a long exit goes flat. A short
   exit or another long entry changes nothing.
4. Short: a long entry reverses to long; else a short exit goes flat.
5. Flat: a long entry goes long; else a short entry goes short; exits do nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest._nb.entries import entries_exits_nb
from peak_trade.core.errors import ConfigError

__all__ = ["from_entries_exits"]

Bools = npt.NDArray[np.bool_]


def _flags(values: Any, name: str, bars: int | None) -> Bools:
    if isinstance(values, pl.Series):
        if values.null_count():
            i = int(values.is_null().arg_max() or 0)
            msg = f"`{name}` has {values.null_count()} nulls, first at bar {i}"
            raise ConfigError(msg, hint=f"fill them, e.g. {name}.fill_null(False)")
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.astype(np.bool_)  # an empty list is a float array to numpy
    if arr.ndim != 1 or not (arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer)):
        msg = f"`{name}` must be 1-D booleans; got shape {arr.shape} {arr.dtype}"
        raise ConfigError(msg, hint="pass one bool per bar, e.g. a polars Boolean Series")
    if np.issubdtype(arr.dtype, np.integer) and not np.isin(arr, (0, 1)).all():
        msg = f"`{name}` holds integers other than 0 and 1"
        raise ConfigError(msg, hint="pass booleans, e.g. close > sma")
    if bars is not None and arr.shape[0] != bars:
        msg = f"`{name}` has {arr.shape[0]} values but `entries` has {bars}"
        raise ConfigError(msg, hint="give every signal one value per bar of the same frame")
    return np.ascontiguousarray(arr, dtype=np.bool_)


def from_entries_exits(
    entries: Any,
    exits: Any,
    /,
    *,
    short_entries: Any = None,
    short_exits: Any = None,
) -> pl.Series:
    """Target exposure (1 long, 0 flat, -1 short) from entry and exit signals.

    Precedence when several fire on one bar is in the module docstring: an
    entry and an exit of one side cancel, opposite entries cancel, and an
    opposite entry reverses an open position. Pass the result to
    ``run_backtest`` (``allow_short=True`` if there are short entries), or use
    ``run_backtest(df, entries=..., exits=...)``.

    Args:
        entries: Long entries: booleans per bar (polars Series, numpy, list).
        exits: Long exits.
        short_entries: Short entries (default none).
        short_exits: Short exits (default none).

    Raises:
        ConfigError: Not 1-D booleans, nulls, or different lengths.

    Example:
        >>> from_entries_exits([True, False, False, True], [False, False, True, False]).to_list()
        [1.0, 1.0, 0.0, 1.0]
    """
    long_entry = _flags(entries, "entries", None)
    n = long_entry.shape[0]
    long_exit = _flags(exits, "exits", n)
    none = np.zeros(n, dtype=np.bool_)
    short_entry = none if short_entries is None else _flags(short_entries, "short_entries", n)
    short_exit = none if short_exits is None else _flags(short_exits, "short_exits", n)
    out = np.empty(n)
    entries_exits_nb(long_entry, long_exit, short_entry, short_exit, out)
    return pl.Series("signal", out)


def strategy_or_entries(
    strategy: Any,
    params: Any,
    /,
    *,
    entries: Any,
    exits: Any,
    short_entries: Any = None,
    short_exits: Any = None,
) -> Any:
    """``run_backtest``'s ``strategy``, or the target exposure of its ``entries=``/``exits=``."""
    given = [v is not None for v in (entries, exits, short_entries, short_exits)]
    if not any(given):
        if strategy is None:
            msg = "run_backtest needs a strategy, a signal, or entries= and exits="
            raise ConfigError(msg, hint='e.g. run_backtest(df, "ma_crossover")')
        return strategy
    if strategy is not None or params:
        msg = "pass either a strategy (or signal) or entries=/exits=, not both"
        raise ConfigError(msg, hint="drop the strategy and params, or the entries and exits")
    if entries is None or exits is None:
        missing = "exits" if entries is not None else "entries"
        msg = f"`{missing}` is missing: entries and exits go together"
        raise ConfigError(msg, hint=f"pass {missing}= (all False for none)")
    return from_entries_exits(
        entries, exits, short_entries=short_entries, short_exits=short_exits
    ).to_numpy()
