"""``validate-config`` and ``cache verify``: checks that write nothing (see also
:mod:`._commands_data` for ``validate-data``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from peak_trade.cli._exit_codes import EXIT_CACHE, EXIT_OK
from peak_trade.cli._pipeline import load_run_config
from peak_trade.cli._tables import render_table
from peak_trade.core.errors import ConfigError
from peak_trade.data.cache import OhlcvCache

__all__ = ["cmd_cache_verify", "cmd_validate_config"]


def cmd_validate_config(args: argparse.Namespace) -> int:
    """Load the config (strategies checked against the registry) and summarise it."""
    config = load_run_config(Path(args.file))
    names = ", ".join(s.key for s in config.strategies)
    print(f"{args.file}: ok (config hash {config.hash()})")
    print(
        f"  data: {config.data.provider}, {len(config.data.symbols)} symbols, "
        f"{config.data.timeframe or 'timeframe inferred'}; strategies: {names}"
    )
    return EXIT_OK


def cmd_cache_verify(args: argparse.Namespace) -> int:
    """Verify every cache entry against its checksum and the manifest; exit 6 if not clean."""
    root = Path(args.dir)
    if not root.is_dir():
        msg = f"cache directory `{root}` does not exist"
        raise ConfigError(
            msg, hint="pass the `cache.dir` of your config", context={"path": str(root)}
        )
    report = OhlcvCache(root).verify_all()
    rows: list[list[object]] = [[name, "ok", ""] for name in report.ok]
    rows += [[name, "corrupt", reason] for name, reason in report.corrupt]
    rows += [[name, "missing", "listed in the manifest, not on disk"] for name in report.missing]
    rows += [[name, "orphaned", "on disk, not in the manifest"] for name in report.orphaned]
    if rows:
        print(render_table(["file", "status", "reason"], rows))
    verdict = "clean" if report.clean else "NOT clean"
    print(f"{root}: {verdict} ({report.checked} manifest entries, {len(report.ok)} ok)")
    return EXIT_OK if report.clean else EXIT_CACHE
