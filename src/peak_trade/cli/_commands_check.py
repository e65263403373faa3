"""``validate-config``, ``validate-data`` and ``cache verify``: checks that write nothing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.cli._exit_codes import EXIT_CACHE, EXIT_CONTRACT, EXIT_OK
from peak_trade.cli._pipeline import load_run_config
from peak_trade.cli._tables import render_table
from peak_trade.core.errors import ConfigError, jsonable
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.contracts import check_ohlcv

__all__ = ["cmd_cache_verify", "cmd_validate_config", "cmd_validate_data", "read_frame"]

_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".arrow": "ipc", ".ipc": "ipc"}
_READERS[".feather"] = "ipc"


def cmd_validate_config(args: argparse.Namespace) -> int:
    """Load the config (strategies checked against the registry) and summarise it."""
    config = load_run_config(Path(args.file))
    names = ", ".join(s.key for s in config.strategies)
    print(f"{args.file}: ok (config hash {config.hash()})")
    print(
        f"  data: {config.data.provider}, {len(config.data.symbols)} symbols, "
        f"{config.data.timeframe}; strategies: {names}"
    )
    return EXIT_OK


def read_frame(path: Path, /) -> pl.DataFrame:
    """Read a CSV (dates parsed), Parquet or Arrow IPC file, chosen by its suffix.

    Raises:
        ConfigError: Unknown suffix, missing file, or a file that does not parse.

    Example:
        >>> read_frame(Path("bars.parquet")).columns  # doctest: +SKIP
    """
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        msg = f"`{path}`: cannot tell the format from the suffix {path.suffix!r}"
        hint = f"use one of {sorted(_READERS)}"
        raise ConfigError(msg, hint=hint, context={"path": str(path)})
    if not path.is_file():
        msg = f"data file `{path}` does not exist"
        raise ConfigError(msg, hint="check the path", context={"path": str(path)})
    try:
        if kind == "csv":
            return pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
        if kind == "parquet":
            return pl.read_parquet(path)
        return pl.read_ipc(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        msg = f"cannot read `{path}` as {kind}: {exc}"
        hint = "the file may be truncated or of another format"
        raise ConfigError(msg, hint=hint, context={"path": str(path)}, cause=exc) from exc


def cmd_validate_data(args: argparse.Namespace) -> int:
    """Print the contract report of a data file; exit 3 when a rule is broken."""
    path = Path(args.file)
    df = read_frame(path)
    report = check_ohlcv(df, strict=args.strict, require_tz=args.require_tz)
    if args.json:
        doc: dict[str, Any] = {
            "file": str(path),
            "rows": report.n_rows,
            "ok": report.ok,
            "strict": args.strict,
            "require_tz": args.require_tz,
            "violations": report.to_dicts(),
        }
        print(json.dumps(jsonable(doc), indent=2, sort_keys=True))
    elif report.ok:
        print(f"{path}: ok ({report.n_rows} rows, strict={args.strict})")
    else:
        rows = [
            [v.rule, v.column, v.count, ", ".join(map(str, v.rows[:5]))] for v in report.violations
        ]
        print(f"{path}: {len(rows)} broken rules in {report.n_rows} rows")
        print(render_table(["rule", "column", "rows", "first rows"], rows))
    return EXIT_OK if report.ok else EXIT_CONTRACT


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
