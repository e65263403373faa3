"""Data by reference and streaming results: workers load their symbols, the driver holds no rows."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from peak_trade.backtest.engine import run_backtest
from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.cache_atomic import atomic_write
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research import _refs
from peak_trade.research._collect import SweepProgress, SweepSummary
from peak_trade.research.sweep import sweep
from tests.research._bits import bits

SYMBOLS = ["BTC/USDT", "ETH", "SOL"]
GRID = {"fast": [3, 5, 8], "slow": [21, 34]}
BARS = 1_500


def _frames() -> dict[str, pl.DataFrame]:
    return {s: synthetic_ohlcv(BARS, seed=4, symbol=s, volatility=0.02) for s in SYMBOLS}


def _cache(root: Path) -> OhlcvCache:
    cache = OhlcvCache(root)
    for symbol, frame in _frames().items():
        cache.put(symbol, frame)
    return cache


@pytest.fixture(autouse=True)
def _fresh_lru() -> None:
    _refs.clear_loaded()


@pytest.mark.smoke
def test_cache_sweep_equals_the_frames_sweep_bit_for_bit(tmp_path: Path):
    cache = _cache(tmp_path / "cache")
    by_ref = sweep(cache, "ma_crossover", GRID, symbols=SYMBOLS, max_workers=2, chunk_size=4)
    by_frame = sweep(_frames(), "ma_crossover", GRID, max_workers=2, chunk_size=4)
    assert by_ref.height == len(SYMBOLS) * 6
    assert bits(by_ref) == bits(by_frame)
    # and against the engine alone, one combination
    row = by_ref.filter(
        (pl.col("symbol") == "ETH") & (pl.col("fast") == 5) & (pl.col("slow") == 34)
    )
    alone = run_backtest(_frames()["ETH"], "ma_crossover", {"fast": 5, "slow": 34})
    assert row["sharpe"].item() == alone.stats["sharpe"]


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
def test_path_mapping_reads_local_files_and_file_uris(tmp_path: Path, suffix: str):
    frames = _frames()
    paths: dict[str, Any] = {}
    for i, (symbol, frame) in enumerate(frames.items()):
        path = atomic_write(frame, tmp_path / f"{i}{suffix}", checksum="xxh3")
        paths[symbol] = path.as_uri() if i == 1 else path  # one as file:// URI
    got = sweep(paths, "ma_crossover", GRID, max_workers=1)
    assert bits(got) == bits(sweep(frames, "ma_crossover", GRID, max_workers=1))


def test_workers_load_each_symbol_once_and_verify_it_once(tmp_path, monkeypatch):
    cache = _cache(tmp_path / "cache")
    reads: list[tuple[str, bool, bool]] = []
    real = _refs.atomic_read

    def spy(path: Any, /, **kw: Any) -> pl.DataFrame:
        main = threading.current_thread() is threading.main_thread()
        reads.append((Path(path).name, kw["verify_checksum"], main))
        return real(path, **kw)

    monkeypatch.setattr(_refs, "atomic_read", spy)
    # one symbol at a time in flight per lane: 3 chunks each, loaded once (LRU)
    sweep(cache, "ma_crossover", GRID, symbols=SYMBOLS, max_workers=2, chunk_size=2)
    names = sorted(name for name, _, _ in reads)
    assert names == sorted(cache.path_for(s).name for s in SYMBOLS)
    assert all(verified for _, verified, _ in reads)
    assert not any(main for _, _, main in reads)  # loaded in the worker threads only
    _refs.clear_loaded()
    monkeypatch.setattr(_refs, "LRU_SIZE", 0)  # evicted at once: reloaded, not re-verified
    reads.clear()
    sweep(cache, "ma_crossover", GRID, symbols=["ETH"], max_workers=1, chunk_size=2)
    assert [v for _, v, _ in reads] == [True, False, False]


def test_a_corrupt_entry_fails_its_symbol_and_the_others_finish(tmp_path: Path):
    cache = _cache(tmp_path / "cache")
    bad = cache.path_for("ETH")
    raw = bytearray(bad.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad.write_bytes(bytes(raw))
    out = tmp_path / "out"
    with pytest.raises(CacheCorruptionError) as info:
        sweep(
            cache, "ma_crossover", GRID, symbols=SYMBOLS, max_workers=2, chunk_size=2,
            output=out, collect=False,
        )  # fmt: skip
    ctx = info.value.context
    assert (ctx["key"], ctx["symbol"], ctx["failed_symbols"]) == ("ETH", "ETH", ["ETH"])
    written = sorted(p.name.split("-")[1] for p in out.glob("part-*.parquet"))
    assert written == ["BTC_USDT"] * 3 + ["SOL"] * 3  # the other symbols finished
    cache.put("ETH", _frames()["ETH"])  # repair, rerun: only ETH is computed
    _refs.clear_loaded()
    events: list[SweepProgress] = []
    summary = sweep(
        cache, "ma_crossover", GRID, symbols=SYMBOLS, chunk_size=2, output=out,
        collect=False, progress=events.append,
    )  # fmt: skip
    assert (summary.rows, summary.chunks, summary.computed) == (18, 9, 3)
    assert {e.symbol for e in events} == {"ETH"}


def test_collect_false_holds_no_rows_and_the_directory_holds_them_all(tmp_path: Path):
    frames = _frames()
    summary = sweep(frames, "ma_crossover", GRID, chunk_size=4, output=tmp_path, collect=False)
    assert isinstance(summary, SweepSummary)
    assert (summary.rows, summary.chunks, summary.computed, summary.path) == (18, 6, 6, tmp_path)
    full = sweep(frames, "ma_crossover", GRID, chunk_size=4)
    stored = pl.read_parquet(sorted(tmp_path.glob("part-*.parquet")))
    order = {s: i for i, s in enumerate(SYMBOLS)}
    stored = stored.sort(pl.col("symbol").replace_strict(order), maintain_order=True)
    assert bits(stored) == bits(full)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"collect": False}, ConfigError, "needs `output"),
        ({"collect": "no"}, ConfigError, "`collect` must be"),
    ],
)
def test_collect_options_are_checked(kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(_frames(), "ma_crossover", GRID, **kwargs)


def test_reference_errors_are_clear_before_any_work(tmp_path: Path):
    cache = _cache(tmp_path / "cache")
    with pytest.raises(ConfigError, match="needs `symbols"):
        sweep(cache, "ma_crossover", GRID)
    with pytest.raises(ConfigError, match="not a cache key"):
        sweep(cache, "ma_crossover", GRID, symbols=["ETH", 7])
    with pytest.raises(CacheError, match="no data for 'DOGE'") as info:
        sweep(cache, "ma_crossover", GRID, symbols=["ETH", "DOGE"])
    assert info.value.context["key"] == "DOGE"
    with pytest.raises(ConfigError, match="mixes frames and paths"):
        sweep({"A": _frames()["ETH"], "B": tmp_path / "x.arrow"}, "ma_crossover", GRID)
    with pytest.raises(CacheError, match="cannot tell the cache format"):
        sweep({"A": tmp_path / "x.csv"}, "ma_crossover", GRID)


def _best_by_hand(frame: pl.DataFrame, metric: str, n: int) -> list[tuple[str, int, int]]:
    """Per symbol, the n largest ``metric`` rows (NaN last, ties in row order): sorted()."""
    out = []
    for symbol in sorted(set(frame["symbol"].to_list())):
        rows = [r for r in frame.iter_rows(named=True) if r["symbol"] == symbol]
        rows.sort(
            key=lambda r: (r[metric] != r[metric], -r[metric] if r[metric] == r[metric] else 0)
        )
        out += [(r["symbol"], r["fast"], r["slow"]) for r in rows[:n]]
    return out


def test_top_n_reads_a_sweep_directory_lazily_per_symbol(tmp_path: Path):
    from peak_trade.research.ranking import rank_sweep, top_n

    summary, best = rank_sweep(
        _frames(), "ma_crossover", GRID, metric="sharpe", top=2, output=tmp_path,
        collect=False, per_symbol=True, chunk_size=4,
    )  # fmt: skip
    assert isinstance(summary, SweepSummary)
    full = sweep(_frames(), "ma_crossover", GRID, chunk_size=4)
    got = [(r["symbol"], r["fast"], r["slow"]) for r in best.iter_rows(named=True)]
    assert got == _best_by_hand(full, "sharpe", 2)
    assert best["rank"].to_list() == [1, 2] * len(SYMBOLS)
    overall = top_n(tmp_path, metric="sharpe", n=4)
    assert overall["sharpe"].to_list() == top_n(full, metric="sharpe", n=4)["sharpe"].to_list()
    with pytest.raises(ConfigError, match="no sweep chunks"):
        top_n(tmp_path / "empty", metric="sharpe", n=1)


def test_tuple_cache_keys_sweep_under_their_symbol(tmp_path: Path):
    cache = OhlcvCache(tmp_path / "cache", format="parquet")
    frames = _frames()
    for symbol, frame in frames.items():
        cache.put(("binance", symbol, "1h"), frame)
    keys = [("binance", s, "1h") for s in SYMBOLS]
    got = sweep(cache, "ma_crossover", GRID, symbols=keys, max_workers=1)
    assert bits(got) == bits(sweep(frames, "ma_crossover", GRID, max_workers=1))
