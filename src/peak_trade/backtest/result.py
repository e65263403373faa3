"""What a backtest returns: the equity curve, the trades, the fills and the stats."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest._nb.derive import drawdown_nb, exposure_nb, from_steps_nb
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.invariants import InvariantViolation

__all__ = ["BacktestResult", "EquityBars", "fills_frame", "trades_frame"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Records = npt.NDArray[np.void]


@dataclass(frozen=True, slots=True, eq=False)
class EquityBars:
    """What a run keeps per bar: equity; the rest is derived on access.

    Cash and position move only at fills, so they are kept as steps: from bar
    ``step_bars[j]`` on, cash is ``step_cash[j]`` and position ``step_pos[j]``
    (``initial_cash`` and flat before the first step). Price is the input's close;
    exposure and drawdown follow with the operations the simulation and
    ``stats_nb`` use (``_nb/derive.py``), bit for bit.
    """

    timestamps: pl.Series
    price: Floats
    equity: Floats
    step_bars: Ints
    step_cash: Floats
    step_pos: Floats
    initial_cash: float

    def cash(self) -> Floats:
        """Cash after each bar's fills, one value per bar."""
        out = np.empty(self.equity.shape[0])
        from_steps_nb(self.step_bars, self.step_cash, self.initial_cash, out)
        return out

    def position(self) -> Floats:
        """Units held after each bar's fills (signed), one value per bar."""
        out = np.empty(self.equity.shape[0])
        from_steps_nb(self.step_bars, self.step_pos, 0.0, out)
        return out

    def frame(self) -> pl.DataFrame:
        """The per-bar frame ``timestamp, price, position, cash, equity, drawdown, exposure``."""
        n = self.equity.shape[0]
        drawdown = np.empty(n)
        drawdown_nb(self.equity, self.initial_cash, drawdown)
        position = self.position()
        exposure = np.empty(n)
        exposure_nb(position, self.price, self.equity, exposure)
        return pl.DataFrame(
            {
                "timestamp": self.timestamps,
                "price": self.price,
                "position": position,
                "cash": self.cash(),
                "equity": self.equity,
                "drawdown": drawdown,
                "exposure": exposure,
            }
        )


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """The outcome of :func:`~peak_trade.backtest.engine.run_backtest`.

    Attributes:
        bars: What the run stores per bar (equity; cash and position as steps);
            ``equity`` is the frame built from it.
        stats: The stats of docs/backtest.md, by name.
        config: The configuration used.
        trade_rows: The kernel's trade records (``_nb/records.TRADE_DTYPE``);
            ``trades`` is the frame built from them.
        fill_rows: The kernel's fill records (``FILL_DTYPE``); ``fills`` is the
            frame built from them.
        params: The strategy parameters, when the signal came from a strategy.
        violations: In ``mode="warn"``, one record per broken invariant (first
            occurrence and count), ordered by first bar; empty otherwise.

    Example:
        >>> result = run_backtest(frame, "ma_crossover")  # doctest: +SKIP
        >>> result.stats["sharpe"], result.trades.height  # doctest: +SKIP
    """

    bars: EquityBars
    stats: dict[str, float | int]
    config: BacktestConfig
    trade_rows: Records
    fill_rows: Records
    params: dict[str, Any] | None = None
    violations: tuple[InvariantViolation, ...] = ()
    _frames: dict[str, pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def equity(self) -> pl.DataFrame:
        """One row per bar: ``timestamp, price, position, cash, equity, drawdown,
        exposure`` (after the bar's fills, marked at its close).

        Built from ``bars`` on first access and kept: a run stores only equity per
        bar.

        Example:
            >>> run_backtest(frame, "ma_crossover").equity["drawdown"].min()  # doctest: +SKIP
        """
        frame = self._frames.get("equity")
        if frame is None:
            frame = self._frames["equity"] = self.bars.frame()
        return frame

    @property
    def trades(self) -> pl.DataFrame:
        """One row per round trip: ``entry_ts, exit_ts, side, qty, entry_price,
        exit_price, fees, pnl, return, is_open``; built on first access and kept.

        Example:
            >>> run_backtest(frame, "ma_crossover").trades["pnl"].sum()  # doctest: +SKIP
        """
        frame = self._frames.get("trades")
        if frame is None:
            frame = self._frames["trades"] = trades_frame(self.bars.timestamps, self.trade_rows)
        return frame

    @property
    def fills(self) -> pl.DataFrame:
        """One row per fill: ``bar, timestamp, qty`` (signed units), ``price``
        (slippage included), ``fee``; built on first access and kept.

        Example:
            >>> run_backtest(frame, "ma_crossover").fills["fee"].sum()  # doctest: +SKIP
        """
        frame = self._frames.get("fills")
        if frame is None:
            frame = self._frames["fills"] = fills_frame(self.bars.timestamps, self.fill_rows)
        return frame

    def plot(self) -> Any:
        """A plotly figure of equity, drawdown and trades (the ``report`` extra).

        Drawn by :mod:`peak_trade.reporting`, imported here on call only, so the
        backtest layer does not load it (or plotly) on import.

        Example:
            >>> run_backtest(frame, "ma_crossover").plot()  # doctest: +SKIP
        """
        figure = importlib.import_module("peak_trade.reporting.figure")
        return figure.plot_result(self)


_SIDES = {True: "long", False: "short"}
_SMALL = 4096


def trades_frame(timestamps: pl.Series, trades: Records) -> pl.DataFrame:
    """The round trips from the kernel's ``TRADE_DTYPE`` rows (cut to ``n_trades``)."""
    qty = trades["qty"]
    is_long = trades["side"] > 0
    if is_long.shape[0] <= _SMALL:  # a list is ~10x cheaper per call than an expression
        side = pl.Series([_SIDES[bool(x)] for x in is_long.tolist()], dtype=pl.String)
    else:
        side = pl.Series(is_long).replace_strict(_SIDES, return_dtype=pl.String)
    return pl.DataFrame(
        {
            "entry_ts": timestamps.gather(trades["entry_bar"]),
            "exit_ts": timestamps.gather(trades["exit_bar"]),
            "side": side,
            "qty": qty,
            "entry_price": trades["entry_value"] / qty,
            "exit_price": trades["exit_value"] / trades["exit_qty"],
            "fees": trades["fees"],
            "pnl": trades["pnl"],
            "return": trades["ret"],
            "is_open": trades["is_open"],
        },
        schema={
            "entry_ts": timestamps.dtype,
            "exit_ts": timestamps.dtype,
            "side": pl.String,
            "qty": pl.Float64,
            "entry_price": pl.Float64,
            "exit_price": pl.Float64,
            "fees": pl.Float64,
            "pnl": pl.Float64,
            "return": pl.Float64,
            "is_open": pl.Boolean,
        },
    )


def fills_frame(timestamps: pl.Series, fills: Records) -> pl.DataFrame:
    """The fills from the kernel's ``FILL_DTYPE`` rows (cut to ``n_fills``)."""
    bar = fills["bar"]
    return pl.DataFrame(
        {
            "bar": bar,
            "timestamp": timestamps.gather(bar),
            "qty": fills["qty"],
            "price": fills["price"],
            "fee": fills["fee"],
        },
        schema={
            "bar": pl.Int64,
            "timestamp": timestamps.dtype,
            "qty": pl.Float64,
            "price": pl.Float64,
            "fee": pl.Float64,
        },
    )
