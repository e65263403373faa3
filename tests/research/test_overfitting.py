"""Sweep-level overfitting statistics: rank_sweep's psr/dsr, windows, kept returns, sweep_pbo."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps

from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import run_grid
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.overfitting import sweep_pbo
from peak_trade.research.ranking import rank_sweep
from peak_trade.research.stats import pbo
from peak_trade.research.sweep import sweep

GRID = {"fast": [3, 5, 8, 12], "slow": [20, 30, 45]}
DATA = {s: synthetic_ohlcv(480, seed=i, symbol=s) for i, s in enumerate(("A", "B"))}
GAMMA = 0.5772156649015329


def _independent_returns(frame: pl.DataFrame, params: dict, window) -> np.ndarray:
    equity = run_backtest(frame, "ma_crossover", params, window=window).equity["equity"]
    prev = np.concatenate([[10_000.0], equity.to_numpy()[:-1]])
    return equity.to_numpy() / prev - 1.0


@pytest.mark.smoke
def test_rank_sweep_psr_and_dsr_follow_the_papers_per_row():
    results, _ = rank_sweep(DATA, "ma_crossover", GRID, metric="sharpe", top=3, max_workers=1)
    assert results.columns[-2:] == ["psr", "dsr"]
    for symbol in DATA:
        rows = results.filter(pl.col("symbol") == symbol)
        sr = rows["sharpe"].to_numpy() / math.sqrt(24 * 365)  # 1h bars: per-period Sharpe
        n = 480
        v = np.var(sr, ddof=1)
        trials = rows.height
        sr0 = math.sqrt(v) * (
            (1 - GAMMA) * sps.norm.ppf(1 - 1 / trials)
            + GAMMA * sps.norm.ppf(1 - 1 / (trials * math.e))
        )
        psr = sps.norm.cdf(sr * math.sqrt(n - 1) / np.sqrt(1 + sr**2 / 2))
        dsr = sps.norm.cdf((sr - sr0) * math.sqrt(n - 1) / np.sqrt(1 + sr**2 / 2))
        np.testing.assert_allclose(rows["psr"].to_numpy(), psr, rtol=1e-10)
        np.testing.assert_allclose(rows["dsr"].to_numpy(), dsr, rtol=1e-10, atol=1e-300)
        assert np.all(rows["dsr"].to_numpy() <= rows["psr"].to_numpy())


def test_sweep_window_rows_equal_run_grid_on_the_window():
    window = (100, 400)
    got = sweep(DATA, "ma_crossover", GRID, max_workers=1, window=window, chunk_size=5)
    for symbol, frame in DATA.items():
        want = run_grid(frame, "ma_crossover", GRID, window=window)
        assert got.filter(pl.col("symbol") == symbol).drop("symbol").rows() == want.rows()


def test_kept_returns_are_each_combinations_bar_returns_and_feed_pbo(tmp_path):
    window = (60, 480)
    frame = sweep(
        DATA, "ma_crossover", GRID, max_workers=1, chunk_size=5, output=tmp_path,
        keep_returns=True, window=window,
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "returns").glob("*.parquet")) == sorted(
        p.name for p in tmp_path.glob("part-*.parquet")
    )
    by_symbol = {}
    for symbol, data in DATA.items():
        rows = frame.filter(pl.col("symbol") == symbol)
        columns = [
            _independent_returns(data, {"fast": r["fast"], "slow": r["slow"]}, window)
            for r in rows.iter_rows(named=True)
        ]
        by_symbol[symbol] = np.column_stack(columns)
        sr = by_symbol[symbol].mean(0) / by_symbol[symbol].std(0, ddof=1) * math.sqrt(24 * 365)
        np.testing.assert_allclose(rows["sharpe"].to_numpy(), sr, rtol=1e-9)
    got = sweep_pbo(tmp_path, n_splits=6)
    assert sorted(got) == ["A", "B"]
    for symbol, matrix in by_symbol.items():
        want = pbo(matrix, n_splits=6)
        assert got[symbol].pbo == want.pbo
        np.testing.assert_allclose(got[symbol].logits, want.logits, rtol=1e-9)


def test_kept_returns_are_not_rewritten_on_resume(tmp_path):
    kwargs = {"max_workers": 1, "chunk_size": 6, "output": tmp_path, "keep_returns": True}
    sweep(DATA, "ma_crossover", GRID, **kwargs)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "returns").glob("*.parquet")}
    sweep(DATA, "ma_crossover", GRID, **kwargs)
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "returns").glob("*.parquet")}
    assert before == after
    assert len(before) == 4


def test_sweep_pbo_takes_a_mapping_of_frames():
    rng = np.random.default_rng(0)
    matrix = rng.normal(0, 0.01, (200, 6))
    frame = pl.DataFrame({f"c{j}": matrix[:, j] for j in range(6)})
    got = sweep_pbo({"X": frame}, n_splits=4)["X"]
    assert got.pbo == pbo(matrix, n_splits=4).pbo


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: sweep(DATA, "ma_crossover", GRID, keep_returns=True), "needs an `output`"),
        (lambda p: sweep(DATA, "ma_crossover", GRID, keep_returns=1, output=p), "must be a bool"),
        (lambda p: sweep(DATA, "ma_crossover", GRID, window=(0, 999)), "outside the frame"),
        (lambda p: sweep_pbo(p), "holds no sweep result"),
        (lambda p: sweep_pbo(3), "must be a sweep output directory"),
    ],
)
def test_bad_sweep_options_raise_config_errors(tmp_path, call, match):
    with pytest.raises(ConfigError, match=match):
        call(tmp_path)


def test_sweep_pbo_refuses_a_sweep_without_kept_returns(tmp_path):
    sweep(DATA, "ma_crossover", GRID, max_workers=1, output=tmp_path)
    with pytest.raises(ConfigError, match="chunk\\(s\\) without returns"):
        sweep_pbo(tmp_path)


def test_rank_sweep_from_a_source_loads_each_symbol_once():
    calls: list[str] = []

    def source(symbol: str) -> pl.DataFrame:
        calls.append(symbol)
        return DATA[symbol]

    results, _ = rank_sweep(
        ["A", "B"], "ma_crossover", GRID, metric="sharpe", top=2, source=source, max_workers=1
    )
    assert calls == ["A", "B"]
    direct, _ = rank_sweep(DATA, "ma_crossover", GRID, metric="sharpe", top=2, max_workers=1)
    assert results.select("psr", "dsr").rows() == direct.select("psr", "dsr").rows()
