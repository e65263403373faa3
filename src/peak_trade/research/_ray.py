"""The Ray executor: each symbol's data in the object store once, one task per chunk.

Ray is imported only when this executor runs. An instance that is already
initialised (``ray.init`` by the caller) is used and left running; with
``RAY_ADDRESS`` set the sweep joins that cluster; otherwise it starts a local
instance (and shuts down only an instance it started). A symbol's frame goes into
the object store as Arrow IPC bytes in a uint8 array, put when the task queue
reaches it, which tasks read zero-copy; a :class:`SymbolRef` goes to the task
as is and the worker loads the file. Results come back as IPC bytes. Every task
checks that its worker runs the driver's peak_trade version.
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

from peak_trade._version import __version__
from peak_trade.core.errors import ConfigError, PeakTradeError
from peak_trade.research._chunks import ChunkTask, decode_frame, encode_frame
from peak_trade.research._compute import compute_chunk
from peak_trade.research._local import IN_FLIGHT_PER_CPU, Sink
from peak_trade.research._refs import SymbolRef, load_ref

__all__ = ["check_version", "run_ray"]

_log = logging.getLogger(__name__)
Payload = npt.NDArray[np.uint8]
#: Task retries after a worker or node dies; errors raised by the sweep are not retried.
MAX_RETRIES = 3
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


def _attempt() -> int:
    """This task's attempt number (0 for the first run, more after Ray retried it)."""
    from ray._private.worker import global_worker  # only inside a Ray task

    core = global_worker.core_worker  # type: ignore[attr-defined]  # set by Ray at run time
    number = core.get_current_task_attempt_number()
    return int(number)


def check_version(driver: str, worker: str = __version__) -> None:
    """Raise ``ConfigError`` naming both versions when a worker's package differs."""
    if driver != worker:
        msg = f"Ray worker runs peak_trade {worker}, the driver runs {driver}"
        raise ConfigError(
            msg,
            hint="install the same peak_trade version on every node (build the cluster "
            "from one image, or pass a runtime_env that installs it)",
            context={"driver_version": driver, "worker_version": worker},
        )


def _task(source: Any, task: ChunkTask, version: str) -> tuple[Payload, int]:
    """In a Ray worker: the chunk's result as IPC bytes (numba bounded to 1 thread).

    ``source`` is a symbol's IPC bytes (a frame the driver put) or a
    :class:`SymbolRef` this worker loads itself.
    """
    check_version(version)
    frame = load_ref(source) if isinstance(source, SymbolRef) else decode_frame(source)
    return encode_frame(compute_chunk(frame, task, threads=1)), _attempt()


def run_ray(
    sources: Mapping[str, Payload | SymbolRef],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int | None,
    done: Sink,
    version: str = __version__,
) -> int:
    """Run the tasks on Ray, handing each result to ``done`` as it arrives.

    Frames (IPC bytes) are put in the object store once each; references go to
    the tasks as they are. Returns how many tasks Ray retried.
    """
    ray = _import_ray()
    started = _connect(ray, max_workers)
    pending: dict[Any, ChunkTask] = {}
    retried = 0
    try:
        refs: dict[str, Any] = {}

        def source(symbol: str) -> Any:
            value = sources[symbol]
            if isinstance(value, SymbolRef):
                return value
            if symbol not in refs:  # put each frame when the queue reaches it
                refs[symbol] = ray.put(value)
            return refs[symbol]

        remote = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_task)
        cpus = max_workers or int(ray.cluster_resources().get("CPU", 1))
        window = max(1, IN_FLIGHT_PER_CPU * cpus)
        queue = list(reversed(tasks))
        while queue or pending:
            while queue and len(pending) < window:
                task = queue.pop()
                if not done.skips(task):
                    pending[remote.remote(source(task.symbol), task, version)] = task
            if not pending:
                break
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                task = pending.pop(ref)
                try:
                    result, attempt = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    cause = getattr(exc, "cause", None)
                    if not isinstance(cause, PeakTradeError):
                        raise
                    if done.failed(task, cause):
                        continue
                    # The sweep's own error, re-raised with its own cause chain intact.
                    raise cause from cause.__cause__
                if attempt > 0:  # Ray re-ran it after a worker or node died
                    retried += 1
                    done.note_retries(1)
                done(task, decode_frame(result))
    finally:
        for ref in pending:
            ray.cancel(ref)
        if started:
            ray.shutdown()
    return retried
