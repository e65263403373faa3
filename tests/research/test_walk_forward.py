"""walk_forward against a plain loop: folds by hand, the best of single runs, chained curves."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest.engine import run_backtest
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.walk_forward import walk_forward

GRID = {"fast": [4, 8, 16], "slow": [30, 60]}
DF = synthetic_ohlcv(1400, seed=5)
CASH = 10_000.0


def _reference(df, folds, metric="sharpe"):
    """One run_backtest per combination per window; python max; chained final equities."""
    combos = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    rows, scale, curve = [], 1.0, []
    for i, (a, b, c) in enumerate(folds):
        ins = [run_backtest(df, "ma_crossover", p, window=(a, b)).stats[metric] for p in combos]
        best = max(range(len(combos)), key=lambda j: (not math.isnan(ins[j]), ins[j], -j))
        oos = [run_backtest(df, "ma_crossover", p, window=(b, c)).stats[metric] for p in combos]
        rank = 1 + sum(o > oos[best] for o in oos) + sum(o == oos[best] for o in oos[:best])
        chosen = run_backtest(df, "ma_crossover", combos[best], window=(b, c))
        eq = chosen.equity["equity"].to_numpy() * scale
        curve.extend(eq)
        scale = eq[-1] / CASH
        ts = df["timestamp"]
        rows.append(
            {"fold": i, "train_start": ts[a], "train_end": ts[b - 1], "test_start": ts[b],
             "test_end": ts[c - 1], **combos[best], "is_metric": ins[best],
             "oos_metric": oos[best], "oos_rank": rank}
        )  # fmt: skip
    return rows, np.array(curve)


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("kwargs", "folds"),
    [
        ({"train": 500, "test": 300}, [(0, 500, 800), (300, 800, 1100), (600, 1100, 1400)]),
        ({"train": 500, "test": 300, "step": 400}, [(0, 500, 800), (400, 900, 1200)]),
        (
            {"train": 500, "test": 300, "anchored": True},
            [(0, 500, 800), (0, 800, 1100), (0, 1100, 1400)],
        ),
        ({"train": "20d", "test": "10d"}, [(0, 480, 720), (240, 720, 960), (480, 960, 1200)]),
    ],
)
def test_walk_forward_matches_a_plain_loop(kwargs, folds):
    wf = walk_forward(DF, "ma_crossover", GRID, **kwargs)
    want, curve = _reference(DF, folds)
    got = wf.folds.drop("symbol", "n_combos").to_dicts()
    assert [r["fold"] for r in got] == [r["fold"] for r in want]
    for g, w in zip(got, want, strict=True):
        for key, value in w.items():
            assert g[key] == (
                pytest.approx(value, rel=1e-12) if isinstance(value, float) else value
            )
    np.testing.assert_allclose(wf.oos_equity["equity"].to_numpy(), curve, rtol=1e-12)
    assert wf.stats["final_equity"][0] == pytest.approx(curve[-1], rel=1e-12)
    assert wf.stats["total_return"][0] == pytest.approx(curve[-1] / CASH - 1, rel=1e-9)
    assert wf.stats["periods_per_year"].to_list() == [24.0 * 365]  # hourly bars, every day
    ratios = [w["oos_metric"] / w["is_metric"] for w in want]
    assert wf.efficiency == pytest.approx(float(np.mean(ratios)), rel=1e-12)
    assert (wf.folds["n_combos"] == 6).all()


def test_a_test_window_past_the_data_is_not_run():
    """20d + 10d on 1,400 hourly bars: a fourth test window would need bars up to 1,440."""
    wf = walk_forward(DF, "ma_crossover", GRID, train="20d", test="10d")
    assert wf.folds.height == 3
    assert wf.oos_equity.height == 240 * 3
    assert wf.oos_equity["fold"].unique().sort().to_list() == [0, 1, 2]


def test_symbols_share_the_folds_by_time():
    late = synthetic_ohlcv(1400, seed=6).with_columns(pl.col("timestamp") + dt.timedelta(hours=100))
    wf = walk_forward({"A": DF, "B": late}, "ma_crossover", GRID, train="15d", test="10d")
    a = wf.folds.filter(pl.col("symbol") == "A")
    b = wf.folds.filter(pl.col("symbol") == "B")
    assert a.height == b.height == 4
    assert a["test_start"].to_list() == b["test_start"].to_list()
    assert a["test_end"].to_list() == b["test_end"].to_list()
    assert set(wf.stats["symbol"]) == {"A", "B"}
    # B starts 100 bars late: its first training window is shorter, its test window the same.
    assert b["train_start"][0] == late["timestamp"][0]
    assert b["test_start"][0] == a["test_start"][0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"train": 500, "test": 300, "step": 100}, "would overlap"),
        ({"train": 1300, "test": 300}, "no walk-forward fold fits"),
        ({"train": 0, "test": 300}, "`train` must be a bar count"),
        ({"train": "5y", "test": 300}, "`train` must be a bar count"),
        ({"train": 500, "test": True}, "`test` must be a bar count"),
        ({"train": 500, "test": 300, "metric": "sharp"}, "did you mean 'sharpe'"),
        ({"train": 500, "test": 300, "anchored": 1}, "`anchored` must be a bool"),
    ],
)
def test_bad_walk_forward_options_raise_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        walk_forward(DF, "ma_crossover", GRID, **kwargs)
