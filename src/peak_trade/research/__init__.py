"""Large-batch research: parameter sweeps over many symbols, locally or on Ray."""

from __future__ import annotations

from peak_trade.research.ranking import LOWER_IS_BETTER, rank_sweep, top_n
from peak_trade.research.sweep import DEFAULT_CHUNK_SIZE, SweepProgress, SweepSummary, sweep

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "LOWER_IS_BETTER",
    "SweepProgress",
    "SweepSummary",
    "rank_sweep",
    "sweep",
    "top_n",
]
