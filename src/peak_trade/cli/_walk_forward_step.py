"""``peak-trade sweep`` with a ``[walk_forward]`` section: the folds as ``walk_forward.parquet``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from peak_trade.cli._pipeline import backtest_config, invariant_config
from peak_trade.cli._run_files import write_frame
from peak_trade.core.config_schema import Config
from peak_trade.research.walk_forward import walk_forward

__all__ = ["write_walk_forward"]

_log = logging.getLogger(__name__)


def write_walk_forward(
    config: Config,
    frames: Mapping[str, pl.DataFrame],
    grid: Mapping[str, Sequence[Any]],
    path: Path,
    /,
) -> Path:
    """Run ``walk_forward`` on the sweep's grid and frames; write its folds to ``path``."""
    spec, sweep = config.walk_forward, config.sweep
    assert spec is not None
    assert sweep is not None
    wf = walk_forward(
        dict(frames),
        sweep.strategy,
        grid,
        train=spec.train,
        test=spec.test,
        step=spec.step,
        anchored=spec.anchored,
        metric=spec.metric,
        config=backtest_config(config),
        invariants=invariant_config(config),
        invalid=sweep.invalid,
    )
    _log.info(
        "run.walk_forward",
        extra={"folds": wf.folds.height, "efficiency": wf.efficiency, "metric": wf.metric},
    )
    write_frame(wf.folds, path)
    return path
