"""Gate cases for issue 17's end-to-end pair: ``run_backtest(df, "ma_crossover", params)``.

The headline (``python -m benchmarks.test_engine_bench pipeline`` and ``nothp``)
compares the whole call with vectorbt's pipeline at 10M bars. vectorbt is in the
``bench`` extra, which ``.ci/run`` installs only after the gate; so the gate holds
the same call against a peer-free floor that does the least a user could: the plain
polars pass over the two rolling means (``_signal_peers.plain_indicator``), the
crossover as a 0/1 float array, and ``minimal_loop_nb`` (the same long fills at the
close) into a fresh equity array. The pair: THP as the machine has it, and THP
switched off around each call (``_no_thp.without_thp``), where every fresh 4 KiB
page is a fault on both sides. 2M bars, 15 rounds: about 2 s per case.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from benchmarks._no_thp import without_thp
from benchmarks.gatekit import RatioCase

GATE_BARS = 2_000_000
PARAMS = {"fast": 1000, "slow": 5000}


@cache
def _market() -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return synthetic_ohlcv(GATE_BARS, seed=7, timeframe="1m").rechunk()


def _sides() -> tuple[Any, Any]:
    from benchmarks._signal_peers import plain_indicator
    from benchmarks.cases_engine import minimal_loop_nb
    from peak_trade.backtest.config import BacktestConfig
    from peak_trade.backtest.engine import run_backtest

    df = _market()
    cfg = BacktestConfig()
    close = np.ascontiguousarray(df["close"].to_numpy())
    condition = plain_indicator("ma_crossover", PARAMS).fill_null(False)

    def ours() -> object:
        return run_backtest(df, "ma_crossover", PARAMS).stats["final_equity"]

    def floor() -> object:
        signal = df.select(condition).to_series().to_numpy().astype(np.float64)
        out = np.empty(GATE_BARS)
        return minimal_loop_nb(
            close, signal, cfg.initial_cash, cfg.fee_rate, cfg.slippage_rate, out
        )

    return ours, floor


def cases() -> list[RatioCase]:
    ours, floor = _sides()
    return [
        RatioCase("pipeline_ma_crossover_vs_floor", ours, floor, rounds=15),
        RatioCase(
            "pipeline_ma_crossover_vs_floor_nothp",
            without_thp(ours),
            without_thp(floor),
            rounds=15,
        ),
    ]
