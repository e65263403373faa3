"""Entry point of the ``peak-trade`` console script."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from peak_trade.core.errors import DataContractError, PeakTradeError
from peak_trade.data.contracts import check_ohlcv
from peak_trade.data.providers.synthetic import SyntheticProvider

__all__ = ["main"]

_QUICKSTART_SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")


def _cmd_run(args: argparse.Namespace) -> int:
    provider = SyntheticProvider(seed=args.seed, bars=args.bars)
    failed = 0
    print(f"{'symbol':<10} {'rows':>8}  contract")
    for symbol in _QUICKSTART_SYMBOLS:
        df = provider.fetch_ohlcv(symbol, "1h")
        report = check_ohlcv(df, strict=True, require_tz=True)
        verdict = "ok" if report.ok else ", ".join(v.rule for v in report.violations)
        failed += not report.ok
        print(f"{symbol:<10} {report.n_rows:>8}  {verdict}")
    if failed:
        msg = f"{failed} of {len(_QUICKSTART_SYMBOLS)} symbols broke the data contract"
        raise DataContractError(msg, hint="see the table above for the broken rules")
    return 0


def _cmd_list_strategies(args: argparse.Namespace) -> int:
    del args  # no options yet
    registry = importlib.import_module("peak_trade.backtest.registry")  # numba loads lazily
    for info in registry.list_strategies():
        print(f"{info.name}: {info.description}")
        for p in info.params:
            default = f"{p.default!r}"
            print(
                f"  {p.name:<10} {p.kind.__name__:<5} default {default:<7} "
                f"range {p.range_text:<16} {p.description}"
            )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peak-trade",
        description="Stability layer for large-batch trading research.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="run the quickstart job on synthetic data",
        description="Generate synthetic bars for 3 symbols and check the strict contract.",
        epilog="example: peak-trade run --seed 7",
    )
    run.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    run.add_argument("--bars", type=int, default=5_000, help="bars per symbol")
    run.set_defaults(handler=_cmd_run)
    listing = sub.add_parser(
        "list-strategies",
        help="list the registered strategies with their parameters",
        description="Print each registered strategy with its parameters, defaults and ranges.",
        epilog="example: peak-trade list-strategies",
    )
    listing.set_defaults(handler=_cmd_list_strategies)
    return parser


_EXIT_CODES = {DataContractError: 3}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except PeakTradeError as err:
        if args.debug:
            raise
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return next((c for t, c in _EXIT_CODES.items() if isinstance(err, t)), 1)
    return code


if __name__ == "__main__":
    sys.exit(main())
