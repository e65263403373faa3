"""Entry point of the ``peak-trade`` console script: the parser and error handling.

Every deliberate failure is a ``PeakTradeError``; it prints as ``error:`` and
``hint:`` lines on stderr and exits with its family's code (docs/cli.md);
``--debug`` re-raises it with the traceback. Bad file arguments exit 2.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from peak_trade.cli._exit_codes import EXIT_OK, EXIT_USAGE, exit_code_for
from peak_trade.core.errors import PeakTradeError
from peak_trade.core.logging import configure_logging

__all__ = ["build_parser", "console_main", "main"]

_RAW = argparse.RawDescriptionHelpFormatter
_EXIT_TABLE = """exit codes:
  0 ok, 1 other failure (e.g. reproduce found a difference), 2 usage or config error,
  3 data contract failure, 4 invariant violation, 5 provider failure, 6 cache corruption"""


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A handler imported on first call, so ``--help`` does not load the engine."""

    def handler(args: argparse.Namespace) -> int:
        fn: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(f"peak_trade.cli.{module}"), name
        )
        return fn(args)

    return handler


def _cmd_list_strategies(args: argparse.Namespace) -> int:
    del args  # no options
    importlib.import_module("peak_trade.cli._commands_run").print_strategies()
    return EXIT_OK


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "run",
        help="run a config end to end (the packaged quickstart without one)",
        description=(
            "Fetch, normalise, validate and cache the data of every symbol, backtest every\n"
            "strategy on it and write the results to <run.output_dir>/<run_id>/.\n"
            "Relative paths in the config resolve against the working directory."
        ),
        epilog=(
            "examples:\n"
            "  peak-trade run                      # quickstart: synthetic data, no files\n"
            "  peak-trade run my.toml -v           # show INFO logs on stderr\n"
            "  peak-trade run --output-dir /tmp/runs\n"
            "  peak-trade run --data AAPL.csv MSFT.csv --strategy macd --param fast=8\n"
            "  peak-trade run --list-strategies\n\n" + _EXIT_TABLE
        ),
        formatter_class=_RAW,
    )
    run.add_argument("config", nargs="?", help="TOML config file (default: the quickstart)")
    run.add_argument("--output-dir", type=Path, help="override run.output_dir")
    run.add_argument("-v", "--verbose", action="store_true", help="log at the config's level")
    run.add_argument("--list-strategies", action="store_true", help="list the strategies and exit")
    run.add_argument(
        "--data", nargs="+", metavar="PATH", help="backtest these files (no config); symbol = stem"
    )
    run.add_argument("--strategy", action="append", metavar="NAME", help="with --data; repeatable")
    run.add_argument(
        "--param", action="append", default=[], metavar="K=V", help="with --data; repeatable"
    )
    run.add_argument("--timeframe", help="with --data: declare it (inferred when absent)")
    run.set_defaults(handler=_lazy("_commands_run", "cmd_run"))


def _add_checks(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vc = sub.add_parser(
        "validate-config",
        help="check a config file against the schema and the strategy registry",
        description="Report every problem of a config file at once (exit 2), or print ok.",
        epilog="example:\n  peak-trade validate-config my.toml\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    vc.add_argument("file", help="TOML config file")
    vc.set_defaults(handler=_lazy("_commands_check", "cmd_validate_config"))
    vd = sub.add_parser(
        "validate-data",
        help="print the OHLCV contract report of a CSV, Parquet or Arrow IPC file",
        description=(
            "Read each file as `run` does (layout detected, see docs/contracts.md), print what\n"
            "was detected and the contract report; exit 3 if a line or rule is broken."
        ),
        epilog=(
            "examples:\n  peak-trade validate-data AAPL.csv EURUSD_1h.csv\n"
            "  peak-trade validate-data bars.csv --no-strict --json\n\n" + _EXIT_TABLE
        ),
        formatter_class=_RAW,
    )
    vd.add_argument(
        "files", nargs="+", metavar="PATH", help=".csv/.txt/.tsv, .parquet or .arrow/.ipc/.feather"
    )
    vd.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also check the row rules (default: on)",
    )
    vd.add_argument("--require-tz", action="store_true", help="require a UTC timestamp column")
    vd.add_argument("--json", action="store_true", help="print the report as JSON")
    vd.set_defaults(handler=_lazy("_commands_data", "cmd_validate_data"))
    cache = sub.add_parser(
        "cache",
        help="cache maintenance",
        description="Cache maintenance commands.",
        epilog="example:\n  peak-trade cache verify .peak_trade_cache",
        formatter_class=_RAW,
    )
    csub = cache.add_subparsers(dest="cache_command", required=True)
    verify = csub.add_parser(
        "verify",
        help="verify every checksum and the manifest of a cache directory",
        description="Check every entry against its checksum and the manifest; exit 6 if not clean.",
        epilog="example:\n  peak-trade cache verify .peak_trade_cache\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    verify.add_argument("dir", help="the cache directory (cache.dir of the config)")
    verify.set_defaults(handler=_lazy("_commands_check", "cmd_cache_verify"))


def _add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rp = sub.add_parser(
        "report",
        help="(re)build the offline HTML report of a run or sweep directory",
        description=(
            "Write RUN_DIR/report.html: charts and tables of a run or sweep directory in\n"
            "one self-contained file (needs the extra: pip install 'peak-trade[report]')."
        ),
        epilog="example:\n  peak-trade report runs/<run_id>\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    rp.add_argument("run_dir", help="a run or sweep directory")
    rp.add_argument("--output", type=Path, help="write here instead of RUN_DIR/report.html")
    rp.add_argument("--title", help="the page title")
    rp.set_defaults(handler=_lazy("_commands_report", "cmd_report"))


def build_parser() -> argparse.ArgumentParser:
    """The ``peak-trade`` argument parser.

    Example:
        >>> build_parser().parse_args(["run"]).config is None
        True
    """
    parser = argparse.ArgumentParser(
        prog="peak-trade",
        description="Stability layer for large-batch trading research.",
        epilog="example:\n  peak-trade run\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_checks(sub)
    rep = sub.add_parser(
        "reproduce",
        help="rerun a finished run or sweep and check the results are byte-identical",
        description=(
            "Check RUN_DIR against its _COMPLETE checksums (exit 6 naming a damaged file),\n"
            "rerun its config.toml into a new directory (a sweep when RUN_DIR holds\n"
            "sweep.parquet) and compare equity.arrow, trades.parquet, stats.json and\n"
            "config.toml (sweep.parquet and config.toml) byte for byte; exit 1 naming\n"
            "each file that differs."
        ),
        epilog="example:\n  peak-trade reproduce runs/<run_id>\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    rep.add_argument("run_dir", help="a complete run or sweep directory")
    rep.add_argument("--into", type=Path, help="keep the rerun under this directory")
    rep.add_argument("-v", "--verbose", action="store_true", help="log at the config's level")
    rep.set_defaults(handler=_lazy("_commands_repro", "cmd_reproduce"))
    ver = sub.add_parser(
        "verify",
        help="check every file of a run or sweep directory against its checksums",
        description=(
            "Check every file of RUN_DIR against the SHA-256 its _COMPLETE marker lists;\n"
            "exit 6 naming each file that is missing, differs or is not listed."
        ),
        epilog="example:\n  peak-trade verify runs/<run_id>\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    ver.add_argument("run_dir", help="a complete run or sweep directory")
    ver.set_defaults(handler=_lazy("_commands_repro", "cmd_verify"))
    _add_report(sub)
    sw = sub.add_parser(
        "sweep",
        help="run the [sweep] parameter grid of a config and print the top-N table",
        description=(
            "Load and validate the data like `run`, backtest every combination of\n"
            "[sweep].grid on every symbol, write sweep.parquet into a run directory\n"
            "and print the best [sweep].top rows by [sweep].metric."
        ),
        epilog="example:\n  peak-trade sweep sweep.toml -v\n\n" + _EXIT_TABLE,
        formatter_class=_RAW,
    )
    sw.add_argument("config", help="TOML config file with a [sweep] section")
    sw.add_argument("--output-dir", type=Path, help="override run.output_dir")
    sw.add_argument("-v", "--verbose", action="store_true", help="log at the config's level")
    sw.set_defaults(handler=_lazy("_commands_sweep", "cmd_sweep"))
    listing = sub.add_parser(
        "list-strategies",
        help="list the registered strategies with their parameters",
        description="Print each registered strategy with its parameters, defaults and ranges.",
        epilog="example:\n  peak-trade list-strategies",
        formatter_class=_RAW,
    )
    listing.set_defaults(handler=_cmd_list_strategies)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    Example:
        >>> main(["list-strategies"])  # doctest: +SKIP
        0
    """
    args = build_parser().parse_args(argv)
    configure_logging("WARNING")  # library warnings as text on stderr; `run` reconfigures
    try:
        code: int = args.handler(args)
    except PeakTradeError as err:
        if args.debug:
            raise
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return exit_code_for(err)
    except OSError as err:  # a file argument we could not read or write
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return code


def console_main() -> int:
    """The ``peak-trade`` console script and ``python -m peak_trade.cli``: :func:`main`,
    then a quick interpreter exit.

    The process ends right after, so the objects still alive move to the collector's
    permanent generation (``gc.freeze()``) and the interpreter's shutdown does not
    scan them again: with numba's compiler loaded that scan took 0.3-0.5 s of every
    run on a quiet machine (docs/benchmarks.md, "Cold start"). ``atexit`` handlers
    (log flushing, Ray) still run. Call :func:`main` when the process goes on.

    Example:
        >>> sys.exit(console_main())  # doctest: +SKIP
    """
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console_main())
