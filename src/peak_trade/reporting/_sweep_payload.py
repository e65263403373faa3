"""The chart data of a sweep: every combination's parameters and metrics, and the top rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import polars as pl

from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.core.errors import PeakTradeError

__all__ = ["TOP_N", "sweep_payload"]

#: Rows of the top-N table.
TOP_N: Final = 20
_NOT_PARAMS: Final = frozenset({"symbol", "strategy", "invariant_violation", "invariant_bar"})


def sweep_params(frame: pl.DataFrame, /) -> list[str]:
    """The parameter columns of a sweep frame: the non-label columns before the first stat.

    ``sweep`` and ``run_grid`` put the parameters first, so a stat or label added
    after them is never taken for a parameter.
    """
    cols = frame.columns
    first = next((i for i, c in enumerate(cols) if c in STAT_NAMES), len(cols))
    return [c for c in cols[:first] if c not in _NOT_PARAMS]


def sweep_payload(
    frame: pl.DataFrame, /, *, metric: str = "sharpe", params: Sequence[str] | None = None
) -> dict[str, Any]:
    """The sweep section's data; the heatmaps are aggregated in the page.

    Raises:
        PeakTradeError: ``metric`` is not a column, or the frame has no parameter column.
    """
    names = list(params) if params is not None else sweep_params(frame)
    if metric not in frame.columns or not names:
        what = f"metric `{metric}`" if metric not in frame.columns else "a parameter column"
        msg = f"the sweep frame has no {what}; columns: {frame.columns}"
        raise PeakTradeError(msg, hint="pass the frame `sweep()` or `run_grid()` returned")
    metrics = [c for c in STAT_NAMES if c in frame.columns]
    keep = [c for c in ("symbol", *names, *metrics) if c in frame.columns]
    floats = [c for c in keep if frame.schema[c].is_float()]
    clean = frame.select(keep).with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats
    )
    top = (
        clean.filter(pl.col(metric).is_not_null())
        .sort(metric, descending=True, maintain_order=True)
        .head(TOP_N)
    )
    return {
        "columns": {c: clean.get_column(c).to_list() for c in keep},
        "params": names,
        "metrics": metrics,
        "metric": metric,
        "top": {"columns": top.columns, "rows": [list(r) for r in top.rows()]},
    }
