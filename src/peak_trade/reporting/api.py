"""``report``: one self-contained HTML file for a result, a run, or a sweep."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.backtest.result import BacktestResult
from peak_trade.core._atomic import atomic_file
from peak_trade.core.errors import ConfigError
from peak_trade.reporting._load import dir_payload, frame_payload, result_payload
from peak_trade.reporting._page import page_body, page_head

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
    build: Callable[[], tuple[dict[str, Any], str]]
    if isinstance(obj, BacktestResult):
        result = obj
        build, default = (lambda: (result_payload(result), "backtest result")), Path(REPORT_NAME)
    elif isinstance(obj, pl.DataFrame):
        frame = obj
        build, default = (lambda: (frame_payload(frame), "sweep")), Path(REPORT_NAME)
    elif isinstance(obj, str | os.PathLike) and Path(obj).is_dir():
        directory = Path(obj)
        build, default = (lambda: _dir_payload(directory)), directory / REPORT_NAME
    else:
        msg = f"cannot report on {type(obj).__name__} {obj!r:.80}"
        hint = "pass a BacktestResult, a sweep frame, or a run or sweep directory"
        raise ConfigError(msg, hint=hint, context={"type": type(obj).__name__})
    target = Path(path) if path is not None else default
    head = page_head()  # first: a missing plotly fails before any file is opened
    with atomic_file(target) as out:

        def write_head() -> None:  # os.write and os.fsync release the GIL
            out.write(head)
            os.fsync(out.fd)

        # The head goes to disk while the data is computed; a failed write raises here.
        with ThreadPoolExecutor(1, thread_name_prefix="report-head") as pool:
            head_written = pool.submit(write_head)
            payload, name = build()
            head_written.result()
        out.write(page_body(payload, title=title or f"peak_trade: {name}"))
    return target


def _dir_payload(directory: Path) -> tuple[dict[str, Any], str]:
    payload = dir_payload(directory)
    run_id = payload["repro"].get("run_id", directory.name)
    return payload, f"{'sweep' if payload.get('sweep') else 'run'} {run_id}"
