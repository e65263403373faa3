"""A sweep's per-combination bar returns (``sweep(..., keep_returns=True)``).

One Parquet file per chunk in ``<output>/returns/``, named like the chunk's
result file, written atomically with an xxh3 sidecar. Columns: ``symbol``,
``timestamp``, then ``c<k>`` for each combination ``k`` of the grid expansion:
the bar return ``equity[t] / equity[t-1] - 1`` (``equity[-1]`` = the initial
cash; 0 once the account is ruined), the same returns the ``sharpe`` stat uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core.errors import ConfigError
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.research._chunks import ChunkTask, chunk_name

__all__ = ["RETURNS_DIR", "bar_returns", "read_returns", "write_returns"]

RETURNS_DIR = "returns"
_OFF = InvariantConfig(mode="off")


def bar_returns(equity: np.ndarray[Any, Any], initial_cash: float) -> np.ndarray[Any, Any]:
    """Per-bar returns of an equity curve, as the stats kernel computes them."""
    prev = np.concatenate([[initial_cash], equity[:-1]])
    safe = np.where(prev > 0.0, prev, 1.0)
    return np.where(prev > 0.0, equity / safe - 1.0, 0.0)


def _chunk_returns(frame: pl.DataFrame, task: ChunkTask, window: Any) -> pl.DataFrame:
    signals = task.strategy.signal_matrix(frame, task.combos)
    columns: list[pl.Series] = []
    timestamps: pl.Series | None = None
    for j in range(signals.shape[1]):
        result = run_backtest(
            frame,
            signal=np.ascontiguousarray(signals[:, j]),
            config=task.config,
            invariants=_OFF,
            window=window,
        )
        equity = result.equity.get_column("equity").to_numpy()
        timestamps = result.equity.get_column("timestamp")
        returns = bar_returns(equity, float(task.config.initial_cash))
        columns.append(pl.Series(f"c{task.start + j}", returns))
    assert timestamps is not None
    symbol = pl.Series("symbol", [task.symbol] * timestamps.len(), dtype=pl.String)
    return pl.DataFrame([symbol, timestamps, *columns])


def write_returns(
    frames: Mapping[str, pl.DataFrame], tasks: Sequence[ChunkTask], out_dir: Path, /, *, window: Any
) -> int:
    """Write the returns of every chunk not yet written; the number written."""
    target = out_dir / RETURNS_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for task in tasks:
        path = target / chunk_name(task.symbol, task.index, task.key)
        if path.exists() or not task.combos:
            continue
        atomic_write(_chunk_returns(frames[task.symbol], task, window), path, checksum="xxh3")
        written += 1
    return written


def read_returns(out_dir: str | os.PathLike[str], /) -> dict[str, pl.DataFrame]:
    """Symbol -> bars x combinations returns of the sweep in ``out_dir`` (checksums verified).

    Only the returns of the chunks whose result file is present are read, so the
    files of an earlier sweep in the same directory are ignored.

    Raises:
        ConfigError: ``out_dir`` holds no returns (the sweep ran without
            ``keep_returns=True``), or a chunk's returns are missing.
    """
    root = Path(out_dir)
    parts = sorted(p.name for p in root.glob("part-*.parquet")) if root.is_dir() else []
    target = root / RETURNS_DIR
    missing = [name for name in parts if not (target / name).exists()]
    if not parts or missing:
        what = "no sweep result" if not parts else f"{len(missing)} chunk(s) without returns"
        msg = f"{str(root)!r} holds {what}: cannot read per-combination returns"
        raise ConfigError(
            msg,
            hint="run sweep(..., output=DIR, keep_returns=True) into this directory",
            context={"output": str(root), "missing": missing[:5]},
        )
    by_symbol: dict[str, list[pl.DataFrame]] = {}
    for name in parts:
        frame = atomic_read(target / name, verify_checksum=True)
        by_symbol.setdefault(frame.get_column("symbol")[0], []).append(frame)
    out: dict[str, pl.DataFrame] = {}
    for symbol, frames in by_symbol.items():
        wide = pl.concat([f.drop("symbol", "timestamp") for f in frames], how="horizontal")
        order = sorted(wide.columns, key=lambda c: int(c[1:]))
        stamps = frames[0].select("timestamp")
        out[symbol] = pl.concat([stamps, wide.select(order)], how="horizontal")
    return out
