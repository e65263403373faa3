"""Gate cases for issue 17's end-to-end pair: ``run_backtest(df, "ma_crossover", params)``.

The same comparison as the headline (``python -m benchmarks.test_engine_bench
pipeline`` and ``nothp``, ``benchmarks/_pipeline_peers.py``) at the gate's size:
the whole call against vectorbt's pipeline for the same result (``vbt.MA`` twice,
the crossover as entries and exits, ``Portfolio.from_signals`` with the same fee,
slippage and cash, ``final_value()``). vectorbt is in the ``dev`` extra, so it is
installed when ``.ci/run`` runs the gate; its first call compiles (tens of seconds
with an empty numba cache) in the case's untimed warm-up.

The pair: THP as the machine has it, and THP switched off around each call
(``_no_thp.without_thp``), where every fresh 4 KiB page is a fault on both sides.
2M bars, 5 rounds: about 3-5 s per case once vectorbt is compiled.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from benchmarks._no_thp import without_thp
from benchmarks.gatekit import RatioCase

GATE_BARS = 2_000_000
ROUNDS = 5


@cache
def _market() -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    return synthetic_ohlcv(GATE_BARS, seed=7, timeframe="1m").rechunk()


def cases() -> list[RatioCase]:
    from benchmarks._pipeline_peers import pipeline_case

    pair = pipeline_case("ma_crossover", _market(), rounds=ROUNDS)
    return [
        RatioCase("pipeline_ma_crossover_vs_vectorbt", pair.candidate, pair.reference, ROUNDS),
        RatioCase(
            "pipeline_ma_crossover_vs_vectorbt_nothp",
            without_thp(pair.candidate),
            without_thp(pair.reference),
            ROUNDS,
        ),
    ]
