"""sweep rows record `periods_per_year`; a per-symbol mapping overrides it (issue 16, section 3)."""

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.ranking import rank_sweep
from peak_trade.research.sweep import sweep

GRID = {"fast": [5, 10], "slow": [20, 40]}


def daily(n: int, *, weekdays_only: bool, seed: int) -> pl.DataFrame:
    """``n`` synthetic bars at midnight UTC: every weekday, or every day."""
    day = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    days: list[dt.datetime] = []
    while len(days) < n:
        if not weekdays_only or day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    bars = synthetic_ohlcv(n, seed=seed, timeframe="1d", volatility=0.02)
    return bars.with_columns(pl.Series("timestamp", days, dtype=bars.schema["timestamp"]))


FRAMES = {
    "STOCK": daily(300, weekdays_only=True, seed=1),
    "COIN": daily(300, weekdays_only=False, seed=2),
}


def expected_rows(periods: dict[str, float]) -> list[tuple[str, int, int, float, float]]:
    """(symbol, fast, slow, periods_per_year, sharpe) from one run_backtest each."""
    rows = []
    for symbol, frame in FRAMES.items():
        config = BacktestConfig(periods_per_year=periods.get(symbol))
        for fast in GRID["fast"]:
            for slow in GRID["slow"]:
                stats = run_backtest(
                    frame, "ma_crossover", {"fast": fast, "slow": slow}, config=config
                ).stats
                rows.append((symbol, fast, slow, stats["periods_per_year"], stats["sharpe"]))
    return rows


@pytest.mark.smoke
def test_rows_record_each_symbols_own_inferred_value():
    out = sweep(FRAMES, "ma_crossover", GRID, max_workers=1)
    got = out.select("symbol", "fast", "slow", "periods_per_year", "sharpe").rows()
    assert got == expected_rows({})
    assert {r[3] for r in got if r[0] == "STOCK"} == {252.0}
    assert {r[3] for r in got if r[0] == "COIN"} == {365.0}


def test_the_mapping_overrides_one_symbol_and_leaves_the_others():
    out = sweep(FRAMES, "ma_crossover", GRID, max_workers=2, periods_per_year={"STOCK": 12})
    got = out.select("symbol", "fast", "slow", "periods_per_year", "sharpe").rows()
    assert got == expected_rows({"STOCK": 12.0})
    assert {r[3] for r in got if r[0] == "STOCK"} == {12.0}
    assert {r[3] for r in got if r[0] == "COIN"} == {365.0}


def test_the_mapping_is_part_of_that_symbols_chunk_hash(tmp_path: Path):
    first = sweep(FRAMES, "ma_crossover", GRID, output=tmp_path / "a", collect=False)
    again = sweep(FRAMES, "ma_crossover", GRID, output=tmp_path / "a", collect=False)
    assert (first.computed, again.computed) == (2, 0)
    sweep(FRAMES, "ma_crossover", GRID, output=tmp_path / "b", periods_per_year={"STOCK": 12})
    names_a = {p.name for p in (tmp_path / "a").glob("part-*.parquet")}
    names_b = {p.name for p in (tmp_path / "b").glob("part-*.parquet")}
    assert {n for n in names_a if "COIN" in n} == {n for n in names_b if "COIN" in n}
    assert not {n for n in names_a if "STOCK" in n} & {n for n in names_b if "STOCK" in n}
    with pytest.raises(ConfigError, match="chunk file"):
        sweep(FRAMES, "ma_crossover", GRID, output=tmp_path / "a", periods_per_year={"STOCK": 12})


@pytest.mark.parametrize(
    ("periods", "match"),
    [
        ([252], r"`periods_per_year` must be a mapping"),
        ({"AAPL": 252}, r"names symbols that are not swept: \['AAPL'\]"),
        ({"STOCK": 0}, r"periods_per_year` must be > 0"),
        ({"STOCK": "252"}, r"periods_per_year` must be a number"),
    ],
)
def test_a_bad_mapping_is_refused_before_any_work(periods, match):
    with pytest.raises(ConfigError, match=match):
        sweep(FRAMES, "ma_crossover", GRID, periods_per_year=periods)


def test_psr_divides_by_the_rows_own_periods_per_year():
    """PSR vs 0, normal moments, written out: Phi(sr sqrt(n - 1) / sqrt(1 + sr^2 / 2))."""
    results, _ = rank_sweep(
        FRAMES, "ma_crossover", GRID, metric="sharpe", top=2, periods_per_year={"STOCK": 12}
    )
    for row in results.iter_rows(named=True):
        sr = row["sharpe"] / math.sqrt(12.0 if row["symbol"] == "STOCK" else 365.0)
        z = sr * math.sqrt(300 - 1) / math.sqrt(1.0 + sr * sr / 2.0)
        assert row["psr"] == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2.0)), rel=1e-12)
