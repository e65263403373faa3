"""Strategies for the sweep tests; importable by spawned workers and Ray tasks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest.strategies.base import ParamSpec, Strategy
from peak_trade.backtest.strategies.moving_average import MaCrossover
from peak_trade.core.errors import BacktestInvariantError, ConfigError

#: The combination whose run "breaks an invariant" in TripwireCrossover.
GUILTY = {"fast": 7, "slow": 30}


class TripwireCrossover(MaCrossover):
    """ma_crossover that raises BacktestInvariantError whenever GUILTY is in the batch.

    It stands in for an invariant error raised for a whole batch, without the
    ``params`` the engine's own grid error carries: the sweep must bisect the
    chunk to name the combination. (Real engine violations: ``SizedHold``.)
    """

    name: ClassVar[str] = "tripwire_crossover"

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        if any(dict(c) == GUILTY for c in combos):
            raise BacktestInvariantError("equity went negative", context={"bar": 3})
        return super().signal_matrix(data, combos)


class Always(Strategy):
    """Long on every bar from ``start`` on; no cross-parameter rule."""

    name: ClassVar[str] = "always_from"
    description: ClassVar[str] = "long from bar `start`"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (ParamSpec("start", int, 0, low=0),)

    def signal_expr(self) -> pl.Expr:
        start = int(self.params["start"])
        return (pl.int_range(pl.len()) >= start).cast(pl.Float64)


class ReportThreads(MaCrossover):
    """Raises a ConfigError carrying the worker's thread-pool sizes (for the pool tests)."""

    name: ClassVar[str] = "report_threads"

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        import numba

        facts = {
            "polars_threads": pl.thread_pool_size(),
            "numba_pool": numba.config.NUMBA_NUM_THREADS,
            "numba_threads": numba.get_num_threads(),
        }
        raise ConfigError("thread report", context=facts)


class SizedHold(Strategy):
    """Target exposure ``size`` from bar ``start`` on: the faulty combinations of the tests.

    With ``InvariantConfig(max_leverage=0.5)`` a combination with ``size > 0.5``
    that trades breaks the real engine invariant ``exposure_within_limit`` at its
    first fill; ``size <= 0.5`` (or a ``start`` past the data) stays within it.
    """

    name: ClassVar[str] = "sized_hold"
    description: ClassVar[str] = "hold `size` of equity from bar `start`"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("start", int, 0, low=0),
        ParamSpec("size", float, 0.25, low=0.0, high=1.0),
    )

    def signal_expr(self) -> pl.Expr:
        start, size = int(self.params["start"]), float(self.params["size"])
        return pl.when(pl.int_range(pl.len()) >= start).then(size).otherwise(0.0)


#: Environment variable naming the directory GateCrossover synchronises through.
GATE_ENV = "PEAK_TRADE_TEST_GATE"


class GateCrossover(MaCrossover):
    """ma_crossover that, with ``GATE_ENV`` set, announces each batch and waits for ``go``.

    Each batch writes ``started-<pid>-<n>`` into the gate directory, then waits
    (polling, up to 120 s) until the test creates ``go``: the test knows every
    worker is busy before it removes a node. Without ``GATE_ENV`` it is
    ma_crossover.
    """

    name: ClassVar[str] = "gate_crossover"

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        import os
        import time
        from pathlib import Path

        gate = os.environ.get(GATE_ENV)
        if gate:
            marker = Path(gate) / f"started-{os.getpid()}-{time.monotonic_ns()}"
            marker.touch()
            deadline = time.monotonic() + 120
            while not (Path(gate) / "go").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return super().signal_matrix(data, combos)
