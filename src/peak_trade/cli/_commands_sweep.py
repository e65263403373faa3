"""``peak-trade sweep CONFIG``: the ``[sweep]`` grid, a progress bar and the top-N table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peak_trade.cli._commands_report import report_line
from peak_trade.cli._commands_run import console_logging
from peak_trade.cli._exit_codes import EXIT_OK
from peak_trade.cli._pipeline import load_run_config
from peak_trade.cli._sweep_pipeline import run_sweep
from peak_trade.cli._sweep_progress import SweepLine
from peak_trade.cli._tables import render_table
from peak_trade.research.ranking import top_n

__all__ = ["cmd_sweep"]

_VIOLATION = "invariant_violation"


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the config's sweep, then print the best ``sweep.top`` rows by ``sweep.metric``."""
    config = load_run_config(Path(args.config))
    console_logging(config, verbose=args.verbose)
    line = SweepLine(enabled=sys.stdout.isatty())
    try:
        outcome = run_sweep(config, output_dir=args.output_dir, progress=line)
    finally:
        line.close()
    spec = config.sweep
    assert spec is not None  # run_sweep raised otherwise
    best = top_n(outcome.frame, metric=spec.metric, n=spec.top)
    columns = ["rank", "symbol", *spec.grid, spec.metric]
    columns += [c for c in ("total_return", "max_drawdown", "n_trades") if c not in columns]
    rows = best.select(columns).rows()
    head = f"sweep {spec.strategy!r}: {outcome.frame.height} backtests"
    print(f"{head}; top {len(rows)} by {spec.metric}")
    print(render_table(columns, rows))
    if _VIOLATION in outcome.frame.columns:  # warn mode
        bad = outcome.frame.height - outcome.frame.get_column(_VIOLATION).null_count()
        print(
            f"invariants (warn): {bad} of {outcome.frame.height} rows violated; see `{_VIOLATION}`"
        )
    print(f"results: {outcome.run_dir}")
    print(report_line(outcome.run_dir, written=outcome.report))
    return EXIT_OK
