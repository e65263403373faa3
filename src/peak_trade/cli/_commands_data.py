"""``validate-data`` on files, and the config that ``run --data`` builds from files."""

from __future__ import annotations

import argparse
import json
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from peak_trade.cli._exit_codes import EXIT_CONTRACT, EXIT_OK
from peak_trade.cli._tables import render_table
from peak_trade.core.config_schema import quickstart_path
from peak_trade.core.errors import ConfigError, DataContractError, jsonable
from peak_trade.data.contracts import check_ohlcv
from peak_trade.data.reader import LoadedFile, load_ohlcv_file

__all__ = ["cmd_validate_data", "files_config"]

_SHOWN = 5


def _report_rows(loaded: LoadedFile, report: Any) -> list[list[object]]:
    return [
        [v.rule, v.column, v.count, ", ".join(loaded.where(r) for r in v.rows[:_SHOWN])]
        for v in report.violations
    ]


def _one(path: Path, args: argparse.Namespace) -> tuple[bool, dict[str, Any]]:
    """Validate one file, print its text report unless ``--json``; (ok, JSON doc)."""
    try:
        loaded = load_ohlcv_file(path, calendar=True)
    except DataContractError as err:
        if not args.json:
            print(f"{path}: NOT valid")
            print(f"  {err.message}")
            if err.hint:
                print(f"  hint: {err.hint}")
        doc = {"file": str(path), "ok": False, "error": err.message, "hint": err.hint}
        return False, doc
    report = check_ohlcv(loaded.frame, strict=args.strict, require_tz=args.require_tz)
    summary = loaded.detected.summary()
    doc = {
        "file": str(path),
        "rows": report.n_rows,
        "ok": report.ok,
        "strict": args.strict,
        "require_tz": args.require_tz,
        "detected": dict(summary),
        "violations": [
            {**v.to_dict(), "lines": [loaded.where(r) for r in v.rows]} for v in report.violations
        ],
    }
    if not args.json:
        verdict = "ok" if report.ok else f"{len(report.violations)} broken rules"
        print(f"{path}: {verdict}")
        for label, value in summary:
            print(f"  {label:<12} {value}")
        if not report.ok:
            print(
                render_table(
                    ["rule", "column", "rows", "first lines"], _report_rows(loaded, report)
                )
            )
    return report.ok, doc


def cmd_validate_data(args: argparse.Namespace) -> int:
    """Print what was detected and the contract report of each file; exit 3 on any failure."""
    results = [_one(Path(p), args) for p in args.files]
    if args.json:
        docs = [doc for _, doc in results]
        out = docs[0] if len(docs) == 1 else docs
        print(json.dumps(jsonable(out), indent=2, sort_keys=True))
    return EXIT_OK if all(ok for ok, _ in results) else EXIT_CONTRACT


def _value(text: str) -> Any:
    """A ``--param`` value as TOML reads it (``5``, ``0.5``, ``true``), else the text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _params(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            msg = f"`--param {pair}` is not of the form key=value"
            raise ConfigError(msg, hint="e.g. --param fast=10")
        out[key.strip()] = _value(text.strip())
    return out


def files_config(
    files: Sequence[str],
    /,
    *,
    strategies: Sequence[str] | None,
    params: Sequence[str],
    timeframe: str | None,
    declared: Mapping[str, Sequence[Any]],
) -> dict[str, Any]:
    """The config document ``run --data`` runs: the quickstart's settings with the
    ``file`` provider over ``files`` (one symbol each, named by its stem).

    ``params`` go to every chosen strategy that declares them (``declared``:
    parameters by strategy name); one no strategy declares is a ``ConfigError``.

    Example:
        >>> files_config(["AAPL.csv"], strategies=None, params=[], timeframe=None,
        ...              declared={})["data"]["symbols"]  # doctest: +SKIP
        ['AAPL']
    """
    doc = tomllib.loads(quickstart_path().read_text(encoding="utf-8"))
    data: dict[str, Any] = {
        "provider": "file",
        "files": list(files),
        "symbols": [Path(f).stem for f in files],
    }
    if timeframe is not None:
        data["timeframe"] = timeframe
    doc["data"] = data
    doc["run"]["name"] = "files"
    chosen = list(strategies) if strategies else [s["name"] for s in doc["strategies"]]
    given = _params(params)
    names = {name: {getattr(p, "name", None) for p in declared.get(name, ())} for name in chosen}
    unused = sorted(k for k in given if not any(k in keys for keys in names.values()))
    if unused:
        msg = f"no chosen strategy ({', '.join(chosen)}) has the parameters {unused}"
        raise ConfigError(msg, hint="see `peak-trade list-strategies`", context={"unused": unused})
    if strategies:
        doc["strategies"] = [
            {"name": n, "params": {k: v for k, v in given.items() if k in names[n]}} for n in chosen
        ]
    else:
        for entry in doc["strategies"]:
            keys = names[entry["name"]]
            entry["params"] = {
                **entry.get("params", {}),
                **{k: v for k, v in given.items() if k in keys},
            }
    return doc
