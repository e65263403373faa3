"""``report``: one self-contained HTML file for a result, a run, or a sweep."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.backtest.result import BacktestResult
from peak_trade.core._atomic import write_text_atomic
from peak_trade.core.errors import ConfigError
from peak_trade.reporting._load import dir_payload, frame_payload, result_payload
from peak_trade.reporting._page import page_html

__all__ = ["report"]

REPORT_NAME = "report.html"


def report(
    obj: BacktestResult | pl.DataFrame | str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    /,
    *,
    title: str | None = None,
) -> Path:
    """Write an offline HTML report of ``obj`` and return its path.

    Args:
        obj: A ``BacktestResult``, a run or sweep directory, or a sweep result frame.
        path: The file to write; ``<directory>/report.html`` for a directory, else
            ``report.html`` in the working directory.
        title: The page title; the run id or a description when None.

    Raises:
        ConfigError: ``obj`` is none of the accepted kinds, or not a run directory.
        PeakTradeError: plotly (the ``report`` extra) is not installed.

    Example:
        >>> pt.report(pt.run_backtest(frame, "ma_crossover"))  # doctest: +SKIP
        PosixPath('report.html')
    """
    payload: dict[str, Any]
    if isinstance(obj, BacktestResult):
        payload, default, name = result_payload(obj), Path(REPORT_NAME), "backtest result"
    elif isinstance(obj, pl.DataFrame):
        payload, default, name = frame_payload(obj), Path(REPORT_NAME), "sweep"
    elif isinstance(obj, str | os.PathLike) and Path(obj).is_dir():
        directory = Path(obj)
        payload, default = dir_payload(directory), directory / REPORT_NAME
        run_id = payload["repro"].get("run_id", directory.name)
        name = f"{'sweep' if payload.get('sweep') else 'run'} {run_id}"
    else:
        msg = f"cannot report on {type(obj).__name__} {obj!r:.80}"
        hint = "pass a BacktestResult, a sweep frame, or a run or sweep directory"
        raise ConfigError(msg, hint=hint, context={"type": type(obj).__name__})
    target = Path(path) if path is not None else default
    return write_text_atomic(target, page_html(payload, title=title or f"peak_trade: {name}"))
