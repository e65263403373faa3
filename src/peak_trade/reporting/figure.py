"""``BacktestResult.plot()``: a plotly figure of one result (equity, drawdown, price)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from peak_trade.backtest.result import BacktestResult
from peak_trade.core.errors import PeakTradeError
from peak_trade.reporting._page import INSTALL_HINT
from peak_trade.reporting.decimate import decimate_indices

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["plot_result"]


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as exc:
        msg = "`BacktestResult.plot()` needs plotly, which is not installed"
        raise PeakTradeError(msg, hint=INSTALL_HINT, cause=exc) from exc
    return go, make_subplots


def plot_result(result: BacktestResult, /) -> go.Figure:
    """Equity against buy and hold, drawdown, and price with entries and exits.

    Each series is decimated like the HTML report's (its extremes kept exactly).

    Raises:
        PeakTradeError: plotly (the ``report`` extra) is not installed.

    Example:
        >>> run_backtest(frame, "ma_crossover").plot()  # doctest: +SKIP
    """
    go, make_subplots = _plotly()
    eq = result.equity
    ts = eq.get_column("timestamp").to_numpy()
    equity = eq.get_column("equity").to_numpy()
    price = eq.get_column("price").to_numpy()
    bench = float(result.config.initial_cash) * price / price[0] if price.size else price
    drawdown = eq.get_column("drawdown").to_numpy()
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.45, 0.2, 0.35],
        subplot_titles=("Equity vs buy and hold", "Drawdown", "Price"),
    )

    def line(values: np.ndarray[Any, Any], name: str, row: int, **style: Any) -> None:
        keep = decimate_indices(values)
        trace = go.Scatter(x=ts[keep], y=values[keep], name=name, mode="lines", **style)
        fig.add_trace(trace, row=row, col=1)

    line(equity, "strategy", 1)
    line(bench, "buy and hold", 1, line={"color": "#999"})
    line(drawdown, "drawdown", 2, fill="tozeroy", line={"color": "#c33"})
    line(price, "price", 3, line={"color": "#456"})
    trades = result.trades
    for column, price_col, name, symbol in (
        ("entry_ts", "entry_price", "entries", "triangle-up"),
        ("exit_ts", "exit_price", "exits", "triangle-down"),
    ):
        marks = trades if column == "entry_ts" else trades.filter(~trades["is_open"])
        fig.add_trace(
            go.Scatter(
                x=marks.get_column(column).to_numpy(),
                y=marks.get_column(price_col).to_numpy(),
                name=name,
                mode="markers",
                marker={"symbol": symbol, "size": 8},
            ),
            row=3,
            col=1,
        )
    fig.update_layout(height=800, legend={"orientation": "h"})
    return fig
