"""The local executor's thread bounds and its fallback to processes."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

import numba
import pytest

from peak_trade.core.errors import ConfigError
from peak_trade.data.cache_atomic import atomic_read
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research import _compute
from peak_trade.research._local import lanes_and_threads
from peak_trade.research.sweep import sweep
from tests.research.fixture_strategies import ReportThreads

FRAMES = {s: synthetic_ohlcv(300, seed=4, symbol=s) for s in ("A", "B")}
GRID = {"fast": [3, 5, 8], "slow": [20, 30]}
# The package re-exports the function `sweep`, which shadows the module's name.
sweep_module = importlib.import_module("peak_trade.research._driver")


@pytest.mark.parametrize(
    ("workers", "tasks", "expected"),
    [(1, 10, (1, 1)), (2, 10, (2, 1)), (4, 2, (2, 2)), (4, 1, (1, 4)), (3, 2, (2, 1))],
)
def test_lanes_times_threads_never_exceed_max_workers(workers, tasks, expected):
    lanes, threads = lanes_and_threads(workers, tasks)
    assert (lanes, threads) == expected
    assert lanes * threads <= workers


@pytest.mark.parametrize(
    ("workers", "chunk_size", "expected"),
    [(1, 2, {1}), (2, 2, {1}), (2, 100, {2})],  # chunk_size 100, one symbol: a single task
)
def test_numba_threads_inside_a_chunk_are_bounded(monkeypatch, workers, chunk_size, expected):
    seen: set[int] = set()
    real = _compute.run_combos

    def spy(data: Any, strategy: Any, combos: Sequence[Mapping[str, Any]], /, **kw: Any) -> Any:
        seen.add(numba.get_num_threads())
        return real(data, strategy, combos, **kw)

    monkeypatch.setattr(_compute, "run_combos", spy)
    data = FRAMES if chunk_size < 100 else {"A": FRAMES["A"]}
    sweep(data, "ma_crossover", GRID, max_workers=workers, chunk_size=chunk_size)
    cap = numba.config.NUMBA_NUM_THREADS
    assert seen == {min(t, cap) for t in expected}


def test_workqueue_layer_falls_back_to_the_process_pool(monkeypatch):
    calls: list[int] = []

    def fake_processes(paths: Mapping[str, Any], tasks: Sequence[Any], /, **kw: Any) -> None:
        calls.append(len(tasks))
        for task in tasks:
            frame = atomic_read(paths[task.symbol].location)  # the file the workers would map
            kw["done"](task, _compute.compute_chunk(frame, task))

    monkeypatch.setattr(sweep_module, "threads_are_safe", lambda: False)
    monkeypatch.setattr(sweep_module, "run_processes", fake_processes)
    out = sweep(FRAMES, "ma_crossover", GRID, max_workers=2, chunk_size=3)
    assert calls == [4]
    assert out.height == 12
    assert out["symbol"].to_list() == ["A"] * 6 + ["B"] * 6


@pytest.mark.slow
def test_worker_processes_start_with_bounded_polars_and_numba_pools():
    with pytest.raises(ConfigError, match="thread report") as info:
        sweep(FRAMES, ReportThreads, GRID, max_workers=2, chunk_size=3, pool="processes")
    ctx = info.value.context
    facts = (ctx["polars_threads"], ctx["numba_pool"], ctx["numba_threads"])
    assert facts == (1, 1, 1)
    assert ctx["symbol"] in FRAMES


class _FakeRay:
    """Records how the executor connects; never starts anything."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def is_initialized(self) -> bool:
        return False

    def init(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ray://head:10001", {"address": "ray://head:10001", "log_to_driver": False}),
        (None, {"num_cpus": 3, "include_dashboard": False, "log_to_driver": False}),
    ],
)
def test_ray_joins_ray_address_or_starts_a_local_instance(monkeypatch, address, expected):
    from peak_trade.research._ray import _connect

    if address is None:
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("RAY_ADDRESS", address)
    fake = _FakeRay()
    assert _connect(fake, 3) is True  # type: ignore[arg-type]  # a duck-typed stand-in for the ray module
    (call,) = fake.calls
    env = call.pop("runtime_env")
    assert call == expected
    assert env["env_vars"]["POLARS_MAX_THREADS"] == "1"
