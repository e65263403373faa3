"""sweep: rows equal independent run_backtest calls, in an order no executor changes."""

from __future__ import annotations

import functools
import itertools
import logging
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.core.errors import BacktestInvariantError, ConfigError, DataContractError
from peak_trade.data.providers.synthetic import SyntheticProvider, synthetic_ohlcv
from peak_trade.research._chunks import chunk_name
from peak_trade.research.sweep import SweepProgress, sweep
from tests.research.fixture_strategies import GUILTY, Always, TripwireCrossover

SYMBOLS = ["BTC/USDT", "ETH", "SOL"]
GRID = {"fast": [3, 5, 8], "slow": [20, 30]}
CFG = BacktestConfig(fee_bps=7.0, slippage_bps=3.0)


def _frames(bars: int = 400) -> dict[str, pl.DataFrame]:
    return {s: synthetic_ohlcv(bars, seed=11, symbol=s, volatility=0.02) for s in SYMBOLS}


FRAMES = _frames()


@functools.cache
def _reference() -> tuple[dict[str, Any], ...]:
    """One run_backtest per (symbol, combination): symbols outer, last grid name fastest.

    Computed on first use (not at import), once per session.
    """
    rows = []
    for symbol, frame in FRAMES.items():
        for point in itertools.product(*GRID.values()):
            params = dict(zip(GRID, point, strict=True))
            stats = run_backtest(frame, "ma_crossover", params, config=CFG).stats
            rows.append({"symbol": symbol, **params, **stats})
    return tuple(rows)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


def _assert_matches_reference(out: pl.DataFrame) -> None:
    assert out.columns == ["symbol", "fast", "slow", *STAT_NAMES, "periods_per_year"]
    rows = out.to_dicts()
    reference = _reference()
    assert len(rows) == len(reference)
    for got, want in zip(rows, reference, strict=True):
        bad = {k: (got[k], want[k]) for k in want if not _same(got[k], want[k])}
        assert not bad, (want["symbol"], want["fast"], want["slow"], bad)


@pytest.mark.smoke
def test_sweep_rows_equal_one_backtest_per_combination():
    out = sweep(FRAMES, "ma_crossover", GRID, config=CFG, max_workers=2, chunk_size=4)
    _assert_matches_reference(out)


@settings(max_examples=15, deadline=None)
@given(chunk_size=st.integers(1, 8), workers=st.integers(1, 3))
def test_row_order_does_not_depend_on_chunks_or_workers(chunk_size, workers):
    out = sweep(
        FRAMES, "ma_crossover", GRID, config=CFG, max_workers=workers, chunk_size=chunk_size
    )
    _assert_matches_reference(out)


@pytest.mark.slow
def test_process_pool_gives_the_same_frame_as_threads():
    threads = sweep(FRAMES, "ma_crossover", GRID, config=CFG, max_workers=2, chunk_size=2)
    procs = sweep(
        FRAMES, "ma_crossover", GRID, config=CFG, max_workers=2, chunk_size=2, pool="processes"
    )
    assert_frame_equal(procs, threads, check_exact=True)
    _assert_matches_reference(procs)


def test_symbols_are_loaded_once_each_from_a_provider_or_callable():
    calls: Counter[str] = Counter()
    provider = SyntheticProvider(seed=5, bars=300)

    def load(symbol: str) -> pl.DataFrame:
        calls[symbol] += 1
        return provider.fetch_ohlcv(symbol, "1h")

    by_callable = sweep(["A", "B"], "ma_crossover", GRID, source=load, chunk_size=1)
    assert calls == Counter({"A": 1, "B": 1})
    by_provider = sweep(["A", "B"], "ma_crossover", GRID, source=provider, chunk_size=1)
    assert_frame_equal(by_provider, by_callable, check_exact=True)
    assert by_callable["symbol"].to_list() == ["A"] * 6 + ["B"] * 6


def test_invariant_violation_names_the_combination_and_symbol():
    grid = {"fast": [3, 5, 7, 9], "slow": [20, 30]}
    with pytest.raises(BacktestInvariantError, match="equity went negative") as info:
        sweep(FRAMES, TripwireCrossover, grid, max_workers=2, chunk_size=8)
    ctx = info.value.context
    assert ctx["symbol"] in SYMBOLS
    assert ctx["params"] == GUILTY
    assert ctx["combination"] == 5  # (fast, slow) = (7, 30) in grid order
    assert ctx["bar"] == 3


def test_invariant_violation_inline_reports_the_first_symbol():
    with pytest.raises(BacktestInvariantError) as info:
        sweep(FRAMES, TripwireCrossover, {"fast": [7], "slow": [30]}, max_workers=1)
    assert info.value.context["symbol"] == "BTC/USDT"
    assert info.value.context["params"] == GUILTY
    assert info.value.context["chunk"] == 0


def test_output_chunks_resume_without_recomputing(tmp_path: Path):
    events: list[SweepProgress] = []
    first = sweep(FRAMES, "ma_crossover", GRID, config=CFG, output=tmp_path, chunk_size=4)
    names = sorted(p.name for p in tmp_path.glob("part-*.parquet"))
    assert len(names) == 6  # 3 symbols x ceil(6 / 4)
    assert names[0].startswith("part-BTC_USDT-00000-")
    again = sweep(
        FRAMES, "ma_crossover", GRID, config=CFG, output=tmp_path, chunk_size=4,
        progress=events.append,
    )  # fmt: skip
    assert events == []
    assert_frame_equal(again, first, check_exact=True)
    (tmp_path / names[3]).unlink()
    third = sweep(
        FRAMES, "ma_crossover", GRID, config=CFG, output=tmp_path, chunk_size=4,
        progress=events.append,
    )  # fmt: skip
    assert [(e.done, e.total, e.resumed) for e in events] == [(6, 6, 5)]
    assert_frame_equal(third, first, check_exact=True)
    _assert_matches_reference(third)


def test_a_damaged_chunk_is_recomputed(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    first = sweep(FRAMES, "ma_crossover", GRID, config=CFG, output=tmp_path, chunk_size=6)
    victim = sorted(tmp_path.glob("part-*.parquet"))[1]
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    victim.write_bytes(bytes(raw))
    with caplog.at_level(logging.WARNING, logger="peak_trade.research"):
        again = sweep(FRAMES, "ma_crossover", GRID, config=CFG, output=tmp_path, chunk_size=6)
    ours = [
        r.getMessage()
        for r in caplog.records
        # Warnings only: an earlier test may leave INFO enabled on a child logger.
        if r.name.startswith("peak_trade.research") and r.levelno >= logging.WARNING
    ]
    assert ours == ["sweep.chunk_rejected"]
    assert_frame_equal(again, first, check_exact=True)


def test_chunk_hash_changes_with_data_config_and_grid():
    base = chunk_name("ETH", 0, "k")
    assert base == "part-ETH-00000-k.parquet"
    names = []
    for frames, cfg, grid in [
        (FRAMES, CFG, GRID),
        (_frames(401), CFG, GRID),
        (FRAMES, BacktestConfig(), GRID),
        (FRAMES, CFG, {"fast": [3, 5], "slow": [20, 30]}),
    ]:
        names.append(_names_for(frames, cfg, grid))
    assert len({tuple(n) for n in names}) == 4


def _names_for(frames: dict[str, pl.DataFrame], cfg: BacktestConfig, grid: Any) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        sweep(frames, "ma_crossover", grid, config=cfg, output=tmp, chunk_size=100)
        return sorted(p.name for p in Path(tmp).glob("part-*.parquet"))


def test_output_of_another_sweep_is_refused(tmp_path: Path):
    sweep(FRAMES, "ma_crossover", GRID, output=tmp_path, chunk_size=6)
    with pytest.raises(ConfigError, match="chunk file\\(s\\) of another sweep") as info:
        sweep(FRAMES, "ma_crossover", {"fast": [3], "slow": [20]}, output=tmp_path)
    assert len(info.value.context["stale"]) == 3


def test_progress_reports_counts_and_eta_with_an_injected_clock():
    ticks = iter(range(0, 1000, 10))
    events: list[SweepProgress] = []
    sweep(
        FRAMES, "ma_crossover", GRID, max_workers=1, chunk_size=3,
        progress=events.append, clock=lambda: float(next(ticks)),
    )  # fmt: skip
    assert [(e.done, e.symbol, e.chunk, e.rows) for e in events] == [
        (1, "BTC/USDT", 0, 3), (2, "BTC/USDT", 1, 3), (3, "ETH", 0, 3),
        (4, "ETH", 1, 3), (5, "SOL", 0, 3), (6, "SOL", 1, 3),
    ]  # fmt: skip
    assert [e.elapsed_s for e in events] == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    assert [e.eta_s for e in events] == [50.0, 40.0, 30.0, 20.0, 10.0, 0.0]


def test_skipped_combinations_and_an_all_skipped_grid():
    out = sweep(FRAMES, "ma_crossover", {"fast": [10, 40], "slow": [30]}, invalid="skip")
    assert out.select("symbol", "fast").rows() == [(s, 10) for s in SYMBOLS]
    empty = sweep(FRAMES, "ma_crossover", {"fast": [40], "slow": [30]}, invalid="skip")
    assert empty.height == 0
    assert empty.columns == ["symbol", "fast", "slow", *STAT_NAMES, "periods_per_year"]


def test_strategy_without_cross_rule_and_instance_base_params():
    out = sweep({"X": FRAMES["ETH"]}, Always, {"start": [0, 200]}, max_workers=1)
    assert out["n_trades"].to_list() == [1, 1]
    fixed = sweep({"X": FRAMES["ETH"]}, TripwireCrossover(fast=3), {"slow": [20, 30]})
    assert fixed.columns[:3] == ["symbol", "slow", "fast"]
    assert fixed["fast"].to_list() == [3, 3]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"executor": "dask"}, "`executor` must be one of"),
        ({"pool": "fibers"}, "`pool` must be one of"),
        ({"max_workers": 0}, "`max_workers` must be >= 1"),
        ({"max_workers": True}, "`max_workers` must be a positive int"),
        ({"chunk_size": 2.5}, "`chunk_size` must be a positive int"),
    ],
)
def test_bad_options_raise_config_errors(options, match):
    with pytest.raises(ConfigError, match=match):
        sweep(FRAMES, "ma_crossover", GRID, **options)


@pytest.mark.parametrize(
    ("data", "source", "match"),
    [
        (["A", "A"], SyntheticProvider(), "duplicate symbols"),
        (["A"], None, "needs a `source`"),
        ("A", SyntheticProvider(), "must map symbols to frames"),
        ({}, None, "holds no symbols"),
        ({"A": [1, 2]}, None, "is not a frame"),
        ({"A": synthetic_ohlcv(10)}, SyntheticProvider(), "`source` was given"),
        (["A"], 42, "must be a provider"),
    ],
)
def test_bad_data_raises_config_errors(data, source, match):
    with pytest.raises(ConfigError, match=match):
        sweep(data, "ma_crossover", GRID, source=source)


def test_bad_frame_names_its_symbol():
    broken = FRAMES["ETH"].with_columns(pl.col("high") * 0.5)
    with pytest.raises(DataContractError) as info:
        sweep({"BTC/USDT": FRAMES["BTC/USDT"], "ETH": broken}, "ma_crossover", GRID)
    assert info.value.context["symbol"] == "ETH"


def test_ray_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match="needs Ray") as info:
        sweep(FRAMES, "ma_crossover", GRID, executor="ray")
    assert "peak-trade[ray]" in (info.value.hint or "")
