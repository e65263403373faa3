"""``peak-trade verify`` and ``peak-trade reproduce``, for run and sweep directories.

``verify`` checks every file of a finished directory against the SHA-256 its
``_COMPLETE`` marker lists and exits 6 naming each file that differs.
``reproduce`` does the same check first (exit 6), then reruns the directory's
``config.toml`` (a sweep when the directory holds ``sweep.parquet``) and
compares the results byte for byte (exit 1 naming each file that differs).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from peak_trade.cli._commands_run import console_logging
from peak_trade.cli._exit_codes import EXIT_FAILED, EXIT_OK
from peak_trade.cli._pipeline import load_run_config, run_pipeline
from peak_trade.cli._run_check import check_run_dir, require_intact
from peak_trade.cli._run_files import COMPARED, COMPARED_SWEEP, compare_runs
from peak_trade.cli._sweep_pipeline import run_sweep
from peak_trade.core.errors import CacheCorruptionError
from peak_trade.core.repro import ReproContext

__all__ = ["cmd_reproduce", "cmd_verify"]

_SWEEP_RESULT = "sweep.parquet"


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every file of a run or sweep directory against its marker."""
    run_dir = Path(args.run_dir)
    ok, bad = check_run_dir(run_dir)
    if not bad:
        print(f"ok: {len(ok)} files in {run_dir} match their SHA-256 in _COMPLETE")
        return EXIT_OK
    for name, reason in bad:
        print(f"differs: {name}: {reason}")
    name, reason = bad[0]
    msg = f"{len(bad)} file(s) of `{run_dir}` fail the run's checksum, first `{name}`: {reason}"
    raise CacheCorruptionError(
        msg,
        hint="the directory changed after it was written; rerun its config.toml",
        context={"path": str(run_dir), "file": name, "files": dict(bad)},
    )


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Verify a run or sweep directory, rerun its config and compare the results."""
    run_dir = Path(args.run_dir)
    require_intact(run_dir)
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
    is_sweep = (run_dir / _SWEEP_RESULT).is_file()
    names = COMPARED_SWEEP if is_sweep else COMPARED
    into = Path(tempfile.mkdtemp(prefix="peak-trade-reproduce-")) if args.into is None else None
    root = args.into if args.into is not None else into
    try:
        if is_sweep:
            rerun = run_sweep(config, output_dir=root).run_dir
        else:
            rerun = run_pipeline(config, output_dir=root).run_dir
        differ = compare_runs(run_dir, rerun, names=names)
    finally:
        if into is not None:
            shutil.rmtree(into, ignore_errors=True)
    if differ:
        for name in differ:
            print(f"differs: {name}")
        return EXIT_FAILED
    print(f"reproduced: {', '.join(names)} are byte-identical to {run_dir}")
    return EXIT_OK
