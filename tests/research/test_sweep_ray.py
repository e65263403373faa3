"""The Ray executor on a local 2-CPU instance: bit-identical to local, same errors."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from peak_trade.core.errors import BacktestInvariantError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.sweep import SweepProgress, sweep
from tests.research._bits import bits
from tests.research.fixture_strategies import GUILTY, SizedHold, TripwireCrossover
from tests.research.invariant_cases import CFG as INV_CFG
from tests.research.invariant_cases import FAULTY, FRAMES, assert_rows, reference
from tests.research.invariant_cases import GRID as INV_GRID
from tests.research.invariant_cases import SYMBOLS as INV_SYMBOLS
from tests.research.invariant_cases import checks as invariant_checks

# Ray is imported by the fixture, not here: importing it costs ~1 s of every
# collection, including `pytest -m smoke`, which deselects these tests.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ray") is None,
        reason="Ray is not installed: pip install 'peak-trade[ray]'",
    ),
]
SYMBOLS = ["BTC/USDT", "ETH", "SOL"]
GRID = {"fast": [3, 5, 8, 13], "slow": [21, 34, 55]}


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    """One local 2-CPU Ray instance for the module; sweep reuses it and leaves it up."""
    ray = importlib.import_module("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _frames() -> dict[str, pl.DataFrame]:
    return {s: synthetic_ohlcv(2_000, seed=9, symbol=s, volatility=0.02) for s in SYMBOLS}


def test_ray_results_are_bit_identical_to_local(ray_instance: Any, tmp_path: Path):
    frames = _frames()
    on_ray = sweep(frames, "ma_crossover", GRID, executor="ray", chunk_size=5, output=tmp_path)
    local = sweep(frames, "ma_crossover", GRID, executor="local", max_workers=2, chunk_size=5)
    assert on_ray.height == len(SYMBOLS) * 12
    assert bits(on_ray) == bits(local)
    events: list[SweepProgress] = []
    resumed = sweep(
        frames, "ma_crossover", GRID, chunk_size=5, output=tmp_path, progress=events.append
    )
    assert events == []  # every chunk Ray wrote is reused
    assert bits(resumed) == bits(local)
    assert ray_instance.is_initialized()  # the sweep did not shut down an instance it did not start


def test_ray_task_error_keeps_type_and_context(ray_instance: None):
    grid = {"fast": [3, 5, 7], "slow": [21, 30]}
    with pytest.raises(BacktestInvariantError, match="equity went negative") as info:
        sweep(_frames(), TripwireCrossover, grid, executor="ray", chunk_size=6)
    assert info.value.context["params"] == GUILTY
    assert info.value.context["combination"] == 5
    assert info.value.context["symbol"] in SYMBOLS


@pytest.mark.parametrize("mode", ["warn", "off"])
def test_ray_honours_invariants_like_one_backtest_per_combination(ray_instance: None, mode):
    """The settings reach the Ray tasks: rows equal the run_backtest reference."""
    on_ray = sweep(
        FRAMES, SizedHold, INV_GRID, config=INV_CFG, executor="ray", chunk_size=2,
        invariants=invariant_checks(mode),
    )  # fmt: skip
    assert_rows(on_ray, reference(mode))
    if mode == "warn":
        assert on_ray["invariant_violation"].to_list() == FAULTY * len(INV_SYMBOLS)


def test_ray_strict_names_the_faulty_combination(ray_instance: None):
    with pytest.raises(BacktestInvariantError, match="exposure_within_limit") as info:
        sweep(
            FRAMES, SizedHold, INV_GRID, config=INV_CFG, executor="ray", chunk_size=6,
            invariants=invariant_checks("strict"),
        )  # fmt: skip
    ctx = info.value.context
    assert ctx["symbol"] in INV_SYMBOLS
    assert (ctx["chunk"], ctx["combination"], ctx["params"]) == (0, 1, {"start": 0, "size": 0.9})
