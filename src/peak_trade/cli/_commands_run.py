"""``peak-trade run`` (``reproduce`` and ``verify`` are in ``_commands_repro``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peak_trade.cli._commands_data import files_config
from peak_trade.cli._commands_report import report_line
from peak_trade.cli._exit_codes import EXIT_OK
from peak_trade.cli._pipeline import RunOutcome, load_run_config, registry_params, run_pipeline
from peak_trade.cli._progress import ProgressBar
from peak_trade.cli._tables import render_table
from peak_trade.core.config_schema import Config, quickstart_path, validate_config
from peak_trade.core.errors import ConfigError
from peak_trade.core.logging import configure_logging

__all__ = ["cmd_run", "console_logging", "print_strategies"]

_SUMMARY = ("symbol", "strategy", "total_return", "sharpe", "max_drawdown", "n_trades")


def console_logging(config: Config, *, verbose: bool) -> None:
    """Console log on stderr: the config's format; WARNING and up unless ``verbose``."""
    handler = configure_logging(config.logging.level, fmt=config.logging.format)
    if not verbose:
        handler.setLevel("WARNING")  # the run's log.jsonl still gets the config's level


def print_strategies() -> None:
    """Print every registered strategy with its parameters (``list-strategies``)."""
    from peak_trade.backtest.plugins import load_plugins, strategy_origin
    from peak_trade.backtest.registry import list_strategies

    broken = [p for p in load_plugins() if p.error is not None]
    for info in list_strategies():
        print(f"{info.name}: {info.description}  [{strategy_origin(info.name)}]")
        for p in info.params:
            default = f"{p.default!r}"
            print(
                f"  {p.name:<10} {p.kind.__name__:<5} default {default:<7} "
                f"range {p.range_text:<16} {p.description}"
            )
    for plugin in broken:
        assert plugin.error is not None
        print(f"{plugin.name}: BROKEN [plugin {plugin.distribution} ({plugin.value})]")
        print(f"  {plugin.error.message}")


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
    if args.data:
        if args.config is not None:
            msg = "pass either a config file or --data files, not both"
            raise ConfigError(msg, hint="put the files in the config's [data] files = [...]")
        declared = registry_params()
        doc = files_config(
            args.data,
            strategies=args.strategy,
            params=args.param,
            timeframe=args.timeframe,
            declared=declared,
        )
        config = validate_config(doc, strategies=declared, source="--data")
    else:
        if args.strategy or args.param or args.timeframe:
            msg = "--strategy, --param and --timeframe go with --data"
            raise ConfigError(msg, hint="set them in the config file instead")
        path = Path(args.config) if args.config is not None else quickstart_path()
        config = load_run_config(path)
    console_logging(config, verbose=args.verbose)
    outcome = _run(config, args.output_dir)
    rows = [[row.get(name) for name in _SUMMARY] for row in outcome.rows]
    print(f"run {config.run.name!r}: {len(rows)} backtests")
    print(render_table(_SUMMARY, rows))
    bad = sum(1 for row in outcome.rows if row.get("violations"))
    if bad:  # warn mode found some
        print(f"invariants (warn): {bad} of {len(rows)} backtests violated; see `violations`")
    print(f"results: {outcome.run_dir}")
    print(report_line(outcome.run_dir, written=outcome.report))
    return EXIT_OK
