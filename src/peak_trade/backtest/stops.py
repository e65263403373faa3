"""Stops: the engine's path when ``stop_loss``, ``take_profit`` or ``trailing_stop`` is set.

``run_backtest`` and the grid take this path only for a config with a stop, so the
default path (``_kernels.simulate_checked_nb`` and its quiet path) is unchanged. The
kernel is ``_stop_kernels.simulate_stops_nb``; docs/backtest.md ("Stops") states the
fill rules and how they compare with vectorbt's ``sl_stop``/``tp_stop``/``sl_trail``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from peak_trade.backtest._stop_grid_kernels import grid_stops_nb, stop_capacity_nb
from peak_trade.backtest._stop_kernels import (
    N_STOPS,
    STOP_LOSS,
    TAKE_PROFIT,
    TRAILING_STOP,
    simulate_stops_nb,
)
from peak_trade.backtest.config import BacktestConfig
from peak_trade.core.errors import ConfigError

__all__ = ["grid_stop_runner", "stop_capacity", "stop_simulator"]

Floats = npt.NDArray[np.float64]


def stop_capacity(changes: int, /) -> int:
    """Fill rows for a run with stops: two per target change, one stop exit per
    position opened (at most one per change), and the end-of-run close."""
    return int(stop_capacity_nb(changes))


def _stop_array(config: BacktestConfig) -> Floats:
    values = (config.stop_loss, config.take_profit, config.trailing_stop)
    out = np.full(N_STOPS, np.nan)
    for position, v in zip((STOP_LOSS, TAKE_PROFIT, TRAILING_STOP), values, strict=True):
        if v is not None:
            out[position] = float(v)
    return out


def stop_simulator(config: BacktestConfig, /) -> Callable[..., tuple[int, int, int, int]]:
    """A stand-in for ``simulate_checked_nb`` (same arguments, same return) with stops.

    It runs ``simulate_stops_nb`` with ``config``'s stops; the engine calls it in
    place of the default kernel when ``config.has_stops``. The default kernel's test
    hook (``fault``) has no counterpart here and must be off.
    """
    stops = _stop_array(config)

    def simulate(*args: Any) -> tuple[int, int, int, int]:
        (open_, high, low, close, timestamps, signal, cash0, fee, slip, fraction, next_open,
         at_end, mode, abs_tol, rel_tol, limit, short, fault, _, _, *outputs) = args  # fmt: skip
        if fault != 0:
            msg = "the test hook `fault` has no counterpart on the stop path"
            raise ConfigError(msg, hint="run fault tests without stops")
        status, bar, nf, nt, _ = simulate_stops_nb(
            open_, high, low, close, timestamps, signal, cash0, fee, slip, fraction,
            next_open, at_end, stops, mode, abs_tol, rel_tol, limit, short, *outputs,
        )  # fmt: skip
        return status, bar, nf, nt

    return simulate


def grid_stop_runner(config: BacktestConfig, /) -> Callable[..., None]:
    """A stand-in for ``grid_checked_nb`` (same arguments, same outputs) with stops.

    It runs ``_stop_grid_kernels.grid_stops_nb``: per column, in parallel chunks,
    what ``run_backtest`` runs for a config with stops (the signal scan,
    ``simulate_stops_nb``, ``end_checks_nb`` for timing ``end``, then ``stats_nb``),
    so each row equals that run's stats.
    """
    stops = _stop_array(config)

    def run(*args: Any) -> None:
        # The stops go after `close_at_end` (the 13th argument), before `periods_per_year`.
        full = (*args[:13], stops, *args[13:])
        grid_stops_nb(*full)

    return run
