"""sweep with stops in the config: rows equal one run_backtest per combination."""

import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.research.sweep import sweep
from tests.backtest.test_stops import _walk


def test_sweep_with_stops_gives_run_backtest_rows():
    """sweep (research) goes through run_combos: the same rows as one run per combination."""
    frames = {"A": _walk(300, 7), "B": _walk(300, 8)}
    cfg = BacktestConfig(stop_loss=0.01, take_profit=0.02)
    out = sweep(frames, "ma_crossover", {"fast": [3, 6], "slow": [20]}, config=cfg, chunk_size=1)
    assert out.height == 4
    for row in out.iter_rows(named=True):
        params = {"fast": row["fast"], "slow": row["slow"]}
        stats = run_backtest(frames[row["symbol"]], "ma_crossover", params, config=cfg).stats
        assert {k: row[k] for k in stats} == pytest.approx(stats, nan_ok=True, rel=0, abs=0)
