"""Large-batch research: parameter sweeps over many symbols, locally or on Ray."""

from __future__ import annotations

from peak_trade.research.overfitting import sweep_pbo
from peak_trade.research.ranking import LOWER_IS_BETTER, rank_sweep, top_n
from peak_trade.research.stats import (
    PboResult,
    deflated_sharpe_ratio,
    pbo,
    probabilistic_sharpe_ratio,
)
from peak_trade.research.sweep import DEFAULT_CHUNK_SIZE, SweepProgress, SweepSummary, sweep
from peak_trade.research.walk_forward import WalkForwardResult, walk_forward

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "LOWER_IS_BETTER",
    "PboResult",
    "SweepProgress",
    "SweepSummary",
    "WalkForwardResult",
    "deflated_sharpe_ratio",
    "pbo",
    "probabilistic_sharpe_ratio",
    "rank_sweep",
    "sweep",
    "sweep_pbo",
    "top_n",
    "walk_forward",
]
