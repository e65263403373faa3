"""``peak-trade report RUN_DIR``, and the report step of ``run`` and ``sweep``."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from peak_trade.cli._exit_codes import EXIT_OK
from peak_trade.reporting._page import INSTALL_HINT, plotly_js_path

__all__ = ["REPORT_NAME", "cmd_report", "report_line", "write_report"]

REPORT_NAME = "report.html"
_log = logging.getLogger(__name__)


def write_report(run_dir: Path, /) -> bool:
    """Write ``run_dir/report.html`` if the ``report`` extra is installed; say whether."""
    if plotly_js_path() is None:
        return False
    from peak_trade.reporting import report

    started = time.perf_counter()
    path = report(run_dir, run_dir / REPORT_NAME)
    _log.info("run.report", extra={"path": str(path), "seconds": time.perf_counter() - started})
    return True


def report_line(run_dir: Path, /, *, written: bool) -> str:
    """The last line ``run`` and ``sweep`` print: the report's path, or how to get one."""
    if written:
        return f"report: {run_dir / REPORT_NAME}"
    return (
        f"report: not written (the charting extra is missing); {INSTALL_HINT}, "
        f"then peak-trade report {run_dir}"
    )


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild ``RUN_DIR/report.html`` (or write it to ``--output``) and print its path."""
    from peak_trade.reporting import report

    run_dir = Path(args.run_dir)
    target = Path(args.output) if args.output is not None else run_dir / REPORT_NAME
    print(report(run_dir, target, title=args.title))
    return EXIT_OK
