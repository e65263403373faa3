"""The walk-forward section's data: the folds of ``walk_forward.parquet`` and their efficiency."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final

import polars as pl

from peak_trade.core.errors import ConfigError
from peak_trade.research.walk_forward import walk_forward_efficiency

__all__ = ["WALK_FORWARD_FILE", "walk_forward_payload"]

#: What ``peak-trade sweep`` writes with a ``[walk_forward]`` section.
WALK_FORWARD_FILE: Final = "walk_forward.parquet"
_NEEDED: Final = ("fold", "test_start", "test_end", "is_metric", "oos_metric", "oos_rank")


def walk_forward_payload(path: Path, /, *, metric: str = "sharpe") -> dict[str, Any]:
    """Every fold row of ``path`` (times as text, NaN and inf as None) and the efficiency.

    Raises:
        ConfigError: The file lacks a column ``walk_forward`` writes.
    """
    folds = pl.read_parquet(path)
    missing = [c for c in _NEEDED if c not in folds.columns]
    if missing:
        msg = f"`{path}` is not a walk-forward folds file: no column {', '.join(missing)}"
        hint = "rerun `peak-trade sweep` with the [walk_forward] section to rewrite it"
        raise ConfigError(msg, hint=hint, context={"path": str(path), "columns": folds.columns})
    shown = folds.with_columns(
        *(pl.col(c).dt.to_string("%Y-%m-%d %H:%M:%S") for c, t in folds.schema.items()
          if isinstance(t, pl.Datetime)),
        *(pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
          for c, t in folds.schema.items() if t.is_float()),
    )  # fmt: skip
    efficiency = walk_forward_efficiency(folds)
    return {
        "metric": metric,
        "efficiency": efficiency if math.isfinite(efficiency) else None,
        "columns": shown.columns,
        "rows": [list(row) for row in shown.rows()],
    }
