"""Multi-node behaviour on one machine: ``ray.cluster_utils.Cluster``, a head and two 1-CPU nodes.

The sweep reads a cache directory that every node sees. It is bit-identical to
the local executor, survives the removal of a worker node through Ray's retries
(and says how many tasks were retried), resumes after its driver is killed, and
refuses workers of another peak_trade version.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from peak_trade.core.errors import CacheCorruptionError, ConfigError
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.sweep import sweep
from tests.research._bits import bits
from tests.research.fixture_strategies import GATE_ENV, GateCrossover

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ray") is None,
        reason="Ray is not installed: pip install 'peak-trade[ray]'",
    ),
]
SYMBOLS = ["BTC/USDT", "ETH", "SOL", "XRP"]
GRID = {"fast": [3, 5, 8], "slow": [21, 34]}
CHUNK = 2  # 3 chunks per symbol, 12 tasks
ROOT = Path(__file__).resolve().parents[2]


def _stored(out: Path) -> pl.DataFrame:
    """A sweep directory's rows in sweep order (symbol as listed, then combination)."""
    frame = pl.read_parquet(sorted(out.glob("part-*.parquet")))
    order = {s: i for i, s in enumerate(SYMBOLS)}
    return frame.sort(pl.col("symbol").replace_strict(order), maintain_order=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A head without CPUs and two 1-CPU worker nodes; the driver connected with a gate dir."""
    ray = importlib.import_module("ray")
    cluster_utils = importlib.import_module("ray.cluster_utils")
    temp = Path(tempfile_dir := f"/tmp/pt-i20-ray-{os.getpid()}")
    gate = tmp_path_factory.mktemp("gate")
    # Cluster records its address in Ray's default temp dir, which may not exist yet.
    address_file = importlib.import_module("ray._private.utils").get_ray_address_file(None)
    Path(address_file).parent.mkdir(parents=True, exist_ok=True)
    (gate / "go").touch()
    cluster = cluster_utils.Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "temp_dir": tempfile_dir, "include_dashboard": False},
    )
    nodes = [cluster.add_node(num_cpus=1) for _ in range(2)]
    cluster.wait_for_nodes(timeout=120)
    env = {"env_vars": {GATE_ENV: str(gate), "POLARS_MAX_THREADS": "1"}}
    ray.init(address=cluster.address, runtime_env=env, log_to_driver=False)
    yield cluster, nodes, gate
    ray.shutdown()
    cluster.shutdown()
    shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> OhlcvCache:
    store = OhlcvCache(tmp_path_factory.mktemp("cache"))
    for i, symbol in enumerate(SYMBOLS):
        store.put(symbol, synthetic_ohlcv(3_000, seed=i, symbol=symbol, volatility=0.02))
    return store


@pytest.fixture(scope="module")
def local(cache: OhlcvCache) -> pl.DataFrame:
    return sweep(cache, "ma_crossover", GRID, symbols=SYMBOLS, chunk_size=CHUNK, max_workers=1)


def test_cluster_sweep_of_a_cache_is_bit_identical_to_local(cluster, cache, local, tmp_path):
    ray = importlib.import_module("ray")
    on_cluster = sweep(
        cache, "ma_crossover", GRID, symbols=SYMBOLS, executor="ray", chunk_size=CHUNK,
        output=tmp_path, collect=False,
    )  # fmt: skip
    assert (on_cluster.rows, on_cluster.chunks, on_cluster.retried) == (24, 12, 0)
    assert bits(_stored(tmp_path)) == bits(local)
    assert ray.is_initialized()  # the caller's connection is left as it was


def test_a_corrupt_entry_fails_its_symbol_on_the_cluster_and_the_others_finish(
    cluster, cache, tmp_path
):
    copy = OhlcvCache(shutil.copytree(cache.root, tmp_path / "cache"))
    bad = copy.path_for("SOL")
    raw = bytearray(bad.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad.write_bytes(bytes(raw))
    with pytest.raises(CacheCorruptionError) as info:
        sweep(
            copy, "ma_crossover", GRID, symbols=SYMBOLS, executor="ray", chunk_size=CHUNK,
            output=tmp_path / "out", collect=False,
        )  # fmt: skip
    ctx = info.value.context
    assert (ctx["key"], ctx["failed_symbols"]) == ("SOL", ["SOL"])
    written = sorted(p.name.split("-")[1] for p in (tmp_path / "out").glob("part-*.parquet"))
    assert written == ["BTC_USDT"] * 3 + ["ETH"] * 3 + ["XRP"] * 3


_CHILD = """
import sys
from peak_trade.data.cache import OhlcvCache
from peak_trade.research.sweep import sweep

root, out, stop = sys.argv[1], sys.argv[2], int(sys.argv[3])
symbols = sys.argv[4].split(",")

def progress(event):
    print("chunk", event.done, flush=True)
    if event.done == stop:
        print("blocked", flush=True)
        sys.stdin.readline()

sweep(OhlcvCache(root), "ma_crossover", {"fast": [3, 5, 8], "slow": [21, 34]},
      symbols=symbols, executor="ray", output=out, collect=False, chunk_size=2,
      progress=progress)
"""


def test_a_killed_driver_resumes_from_the_written_chunks(cluster, cache, local, tmp_path):
    env = {**os.environ, "RAY_ADDRESS": cluster[0].address}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(cache.root), str(tmp_path), "5", ",".join(SYMBOLS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdin is not None
    for line in child.stdout:
        if line.strip() == "blocked":
            break
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=120) == -signal.SIGKILL
    child.stdout.close()
    child.stdin.close()
    assert len(list(tmp_path.glob("part-*.parquet"))) == 5
    summary = sweep(
        cache, "ma_crossover", GRID, symbols=SYMBOLS, executor="ray", chunk_size=CHUNK,
        output=tmp_path, collect=False,
    )  # fmt: skip
    assert (summary.rows, summary.chunks, summary.computed) == (24, 12, 7)
    assert bits(_stored(tmp_path)) == bits(local)


def test_workers_of_another_version_fail_fast_naming_both(cluster, cache, tmp_path):
    """Workers import a copy of the package whose version differs from the driver's."""
    ray = importlib.import_module("ray")
    copy = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "peak_trade", copy / "peak_trade")
    (copy / "peak_trade" / "_version.py").write_text('__version__ = "0.0.0+other"\n')
    ray.shutdown()
    env = {"env_vars": {"PYTHONPATH": str(copy)}}
    ray.init(address=cluster[0].address, runtime_env=env, log_to_driver=False)
    try:
        with pytest.raises(ConfigError, match=r"worker runs peak_trade 0\.0\.0\+other") as info:
            sweep(cache, "ma_crossover", GRID, symbols=SYMBOLS, executor="ray", chunk_size=CHUNK)
    finally:
        ray.shutdown()
        gate = {"env_vars": {GATE_ENV: str(cluster[2]), "POLARS_MAX_THREADS": "1"}}
        ray.init(address=cluster[0].address, runtime_env=gate, log_to_driver=False)
    ctx = info.value.context
    assert ctx["worker_version"] == "0.0.0+other"
    assert ctx["driver_version"] == importlib.import_module("peak_trade").__version__


def _victim(nodes: list[Any]) -> Any:
    """A worker node the driver is not attached to.

    A driver dies with the raylet it is attached to. Ray attaches it to the head
    when it finds the head among this host's raylets, or else to any node of the
    host, so the test removes a node it knows the driver does not use.
    """
    ray = importlib.import_module("ray")
    driver_node = ray.get_runtime_context().get_node_id()
    (victim, *_) = [node for node in nodes if node.node_id != driver_node]
    return victim


def test_removing_a_worker_node_mid_sweep_completes_through_retries(
    cluster, cache, local, tmp_path, caplog
):
    """Both nodes hold a gated task; one node is removed; Ray re-runs its task elsewhere."""
    ray_cluster, nodes, gate = cluster
    (gate / "go").unlink()
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["summary"] = sweep(
                cache, GateCrossover, GRID, symbols=SYMBOLS, executor="ray", chunk_size=CHUNK,
                output=tmp_path, collect=False,
            )  # fmt: skip
        except BaseException as exc:  # handed to the test thread below
            result["error"] = exc

    with caplog.at_level(logging.INFO, logger="peak_trade.research.sweep"):
        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 180
        while len({p.name.split("-")[1] for p in gate.glob("started-*")}) < 2:
            assert time.monotonic() < deadline, "the two workers never both started a task"
            assert runner.is_alive(), result
            time.sleep(0.05)  # waiting for Ray to start the workers
        ray_cluster.remove_node(_victim(nodes))
        (gate / "go").touch()
        runner.join(timeout=300)
    assert not runner.is_alive()
    assert "error" not in result, result.get("error")
    summary = result["summary"]
    assert summary.retried >= 1
    assert bits(_stored(tmp_path)) == bits(local)
    (done,) = [r for r in caplog.records if r.getMessage() == "sweep.done"]
    assert done.retried == summary.retried  # type: ignore[attr-defined]  # a log extra
