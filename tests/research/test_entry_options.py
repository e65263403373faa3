"""rank_sweep takes every option sweep takes; sweep errors show short reprs, never frames."""

import inspect

import numpy as np
import pandas as pd
import polars as pl
import pytest

from peak_trade import ConfigError, rank_sweep, sweep, synthetic_ohlcv, top_n


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return {"A": synthetic_ohlcv(300, seed=3, symbol="A")}


def test_rank_sweep_has_every_keyword_option_of_sweep():
    def options(fn):
        params = inspect.signature(fn).parameters.values()
        return {p.name: p.default for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}

    ranked, swept = options(rank_sweep), options(sweep)
    assert set(swept) <= set(ranked)
    assert {name: ranked[name] for name in swept} == swept


@pytest.mark.smoke
def test_rank_sweep_skips_invalid_combinations_as_its_hint_says(frames):
    grid = {"fast": np.array([5, 40]), "slow": [30]}
    with pytest.raises(ConfigError) as info:
        rank_sweep(frames, "ma_crossover", grid, metric="sharpe", top=3)
    assert 'invalid="skip"' in (info.value.hint or "")
    results, best = rank_sweep(
        frames, "ma_crossover", grid, metric="sharpe", top=3, invalid="skip", chunk_size=1
    )
    assert results["fast"].to_list() == [5]
    assert best.equals(top_n(results, metric="sharpe", n=3))
    plain = sweep(frames, "ma_crossover", {"fast": [5], "slow": [30]})
    assert results.drop("psr", "dsr").equals(plain)  # rank_sweep adds psr and dsr


def test_sweep_takes_a_config_mapping_and_numpy_grid_values(frames):
    got = sweep(frames, "ma_crossover", {"fast": np.arange(5, 15, 5)}, config={"fee_bps": 1})
    want = sweep(frames, "ma_crossover", {"fast": [5, 10]}, config={"fee_bps": 1.0})
    assert got.drop("symbol").equals(want.drop("symbol"))
    assert got["fast"].to_list() == [5, 10]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda f: [f], id="list-of-polars"),
        pytest.param(lambda f: [f.to_pandas()], id="list-of-pandas"),
        pytest.param(lambda f: (f, f), id="tuple-of-polars"),
    ],
)
def test_a_list_of_frames_is_refused_without_printing_the_frame(frames, data):
    with pytest.raises(ConfigError) as info:
        sweep(data(frames["A"]), "ma_crossover", {"fast": [5]})
    text = str(info.value)
    assert "DataFrame (300 rows x 6 columns)" in text or "DataFrame (300 rows x" in text
    assert len(text) < 600
    assert "\n" not in info.value.message
    assert info.value.hint == 'pass frames keyed by symbol, e.g. {"BTC/USDT": df}'


def test_a_frame_as_source_is_shown_short(frames):
    with pytest.raises(ConfigError, match=r"got pandas DataFrame \(300 rows x 6 columns\)"):
        sweep(["A"], "ma_crossover", {"fast": [5]}, source=frames["A"].to_pandas())


def test_a_pandas_frame_per_symbol_sweeps_like_polars(frames):
    indexed = frames["A"].to_pandas().set_index("timestamp")
    got = sweep({"A": indexed}, "ma_crossover", {"fast": [5, 10]})
    assert got.equals(sweep(frames, "ma_crossover", {"fast": [5, 10]}))
    assert isinstance(indexed, pd.DataFrame)
