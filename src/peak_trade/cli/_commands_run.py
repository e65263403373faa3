"""``peak-trade run`` and ``peak-trade reproduce``."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from peak_trade.cli._commands_report import report_line
from peak_trade.cli._exit_codes import EXIT_FAILED, EXIT_OK
from peak_trade.cli._pipeline import RunOutcome, load_run_config, run_pipeline
from peak_trade.cli._progress import ProgressBar
from peak_trade.cli._run_files import COMPARED, MARKER, compare_runs
from peak_trade.cli._tables import render_table
from peak_trade.core.config_schema import Config, quickstart_path
from peak_trade.core.errors import ConfigError
from peak_trade.core.logging import configure_logging
from peak_trade.core.repro import ReproContext

__all__ = ["cmd_reproduce", "cmd_run", "console_logging", "print_strategies"]

_SUMMARY = ("symbol", "strategy", "total_return", "sharpe", "max_drawdown", "n_trades")


def console_logging(config: Config, *, verbose: bool) -> None:
    """Console log on stderr: the config's format; WARNING and up unless ``verbose``."""
    handler = configure_logging(config.logging.level, fmt=config.logging.format)
    if not verbose:
        handler.setLevel("WARNING")  # the run's log.jsonl still gets the config's level


def print_strategies() -> None:
    """Print every registered strategy with its parameters (``list-strategies``)."""
    from peak_trade.backtest.registry import list_strategies

    for info in list_strategies():
        print(f"{info.name}: {info.description}")
        for p in info.params:
            default = f"{p.default!r}"
            print(
                f"  {p.name:<10} {p.kind.__name__:<5} default {default:<7} "
                f"range {p.range_text:<16} {p.description}"
            )


def _run(config: Config, output_dir: Path | None) -> RunOutcome:
    total = len(config.data.symbols) * len(config.strategies)
    bar = ProgressBar(total, enabled=sys.stdout.isatty() and total > 1)
    try:
        return run_pipeline(config, output_dir=output_dir, progress=bar.advance)
    finally:
        bar.close()


def cmd_run(args: argparse.Namespace) -> int:
    """Run a config (the packaged quickstart without one) and print the summary."""
    if args.list_strategies:
        print_strategies()
        return EXIT_OK
    path = Path(args.config) if args.config is not None else quickstart_path()
    config = load_run_config(path)
    console_logging(config, verbose=args.verbose)
    outcome = _run(config, args.output_dir)
    rows = [[row.get(name) for name in _SUMMARY] for row in outcome.rows]
    print(f"run {config.run.name!r}: {len(rows)} backtests")
    print(render_table(_SUMMARY, rows))
    print(f"results: {outcome.run_dir}")
    print(report_line(outcome.run_dir, written=outcome.report))
    return EXIT_OK


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Rerun a run directory's config and compare the results byte for byte."""
    run_dir = Path(args.run_dir)
    if not (run_dir / MARKER).is_file():
        msg = f"`{run_dir}` is not a complete run directory (no `{MARKER}` marker)"
        hint = "pass a directory `peak-trade run` finished, e.g. runs/<run_id>"
        raise ConfigError(msg, hint=hint, context={"path": str(run_dir)})
    repro = ReproContext.load(run_dir / "repro.json")
    config = load_run_config(run_dir / "config.toml")
    console_logging(config, verbose=args.verbose)
    if repro.config_hash is not None and config.hash() != repro.config_hash:
        print(
            f"config.toml differs from the run's config: hash {config.hash()} "
            f"!= {repro.config_hash} in repro.json",
            file=sys.stderr,
        )
        return EXIT_FAILED
    into = Path(tempfile.mkdtemp(prefix="peak-trade-reproduce-")) if args.into is None else None
    try:
        outcome = _run(config, args.into if args.into is not None else into)
        differ = compare_runs(run_dir, outcome.run_dir)
    finally:
        if into is not None:
            shutil.rmtree(into, ignore_errors=True)
    if differ:
        for name in differ:
            print(f"differs: {name}")
        return EXIT_FAILED
    print(f"reproduced: {', '.join(COMPARED)} are byte-identical to {run_dir}")
    return EXIT_OK
