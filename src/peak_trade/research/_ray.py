"""The Ray executor: each symbol's data in the object store once, one task per chunk.

Ray is imported only when this executor runs. With ``RAY_ADDRESS`` set the sweep
joins that cluster; otherwise it starts a local instance (and shuts down only an
instance it started). A symbol's frame goes into the object store as Arrow IPC
bytes in a uint8 array, which tasks read zero-copy; results come back the same way.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from peak_trade.core.errors import ConfigError, PeakTradeError
from peak_trade.research._chunks import ChunkTask, decode_frame, encode_frame
from peak_trade.research._compute import compute_chunk
from peak_trade.research._local import Done

__all__ = ["run_ray"]

_log = logging.getLogger(__name__)
Payload = npt.NDArray[np.uint8]
#: Task retries after a worker or node dies; errors raised by the sweep are not retried.
MAX_RETRIES = 3
#: Tasks kept in flight per CPU, so that the driver never holds the whole plan in Ray.
_IN_FLIGHT_PER_CPU = 2
_WORKER_ENV = {"POLARS_MAX_THREADS": "1", "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _import_ray() -> ModuleType:
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        msg = 'executor="ray" needs Ray, which is not installed'
        raise ConfigError(
            msg,
            hint="pip install 'peak-trade[ray]', or use executor=\"local\"",
            context={"executor": "ray"},
            cause=exc,
        ) from exc


def _connect(ray: ModuleType, max_workers: int | None) -> bool:
    """Join ``RAY_ADDRESS`` or start a local instance; True when this call started it."""
    if ray.is_initialized():
        return False
    runtime_env = {"env_vars": dict(_WORKER_ENV)}
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, runtime_env=runtime_env, log_to_driver=False)
    else:
        ray.init(
            num_cpus=max_workers or os.cpu_count() or 1,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env=runtime_env,
        )
    if _log.isEnabledFor(logging.INFO):
        _log.info("sweep.ray_started", extra={"address": address or "local"})
    return True


def _task(payload: Payload, task: ChunkTask) -> Payload:
    """In a Ray worker: the chunk's result as IPC bytes (numba bounded to 1 thread)."""
    return encode_frame(compute_chunk(decode_frame(payload), task, threads=1))


def run_ray(
    payloads: Mapping[str, Payload],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int | None,
    done: Done,
) -> None:
    """Run the tasks on Ray, handing each result to ``done`` as it arrives."""
    ray = _import_ray()
    started = _connect(ray, max_workers)
    pending: dict[Any, ChunkTask] = {}
    try:
        refs = {symbol: ray.put(payload) for symbol, payload in payloads.items()}
        remote = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_task)
        cpus = max_workers or int(ray.cluster_resources().get("CPU", 1))
        window = max(1, _IN_FLIGHT_PER_CPU * cpus)
        queue = list(reversed(tasks))
        while queue or pending:
            while queue and len(pending) < window:
                task = queue.pop()
                pending[remote.remote(refs[task.symbol], task)] = task
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                task = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    cause = getattr(exc, "cause", None)
                    if isinstance(cause, PeakTradeError):
                        # The sweep's own error, re-raised with its own cause chain intact.
                        raise cause from cause.__cause__
                    raise
                done(task, decode_frame(result))
    finally:
        for ref in pending:
            ray.cancel(ref)
        if started:
            ray.shutdown()
