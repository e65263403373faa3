"""The local executor: a thread pool over the nogil kernels, or a process pool.

Both bound the compute threads by ``max_workers``: ``lanes`` tasks run at once and
each bounds numba's parallel kernels to ``max_workers // lanes`` threads. Worker
processes get ``POLARS_MAX_THREADS`` and ``NUMBA_NUM_THREADS`` in their
environment when they are spawned, and read each symbol's frame from a
memory-mapped Arrow IPC file: frames are never pickled.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_EXCEPTION,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from pathlib import Path
from typing import Literal, TypeVar

import numba
import polars as pl

from peak_trade.data.cache_atomic import atomic_read
from peak_trade.research._chunks import ChunkTask, decode_frame, encode_frame
from peak_trade.research._compute import compute_chunk
from peak_trade.research._kernels import start_pool_nb

__all__ = ["Done", "Pool", "lanes_and_threads", "run_inline", "run_processes", "run_threads"]

_log = logging.getLogger(__name__)
Pool = Literal["threads", "processes"]
Done = Callable[[ChunkTask, pl.DataFrame], None]
_ENV_LOCK = threading.Lock()
_THREAD_ENV = ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS")
_THREADSAFE_LAYERS = frozenset({"omp", "tbb"})
_T = TypeVar("_T")


def _same(frame: pl.DataFrame) -> pl.DataFrame:
    return frame


def lanes_and_threads(max_workers: int, n_tasks: int) -> tuple[int, int]:
    """Concurrent tasks, and numba threads per task, within ``max_workers`` threads.

    Example:
        >>> lanes_and_threads(4, 16), lanes_and_threads(4, 1)
        ((4, 1), (1, 4))
    """
    lanes = max(1, min(max_workers, n_tasks))
    return lanes, max(1, max_workers // lanes)


def run_inline(
    frames: Mapping[str, pl.DataFrame], tasks: Sequence[ChunkTask], /, *, threads: int, done: Done
) -> None:
    """Run the tasks one after another in this thread, numba bounded to ``threads``."""
    for task in tasks:
        done(task, compute_chunk(frames[task.symbol], task, threads=threads))


def _drain(
    pool: Executor,
    futures: dict[Future[_T], ChunkTask],
    done: Done,
    convert: Callable[[_T], pl.DataFrame],
) -> None:
    """Hand results to ``done`` as they finish; on the first failure cancel the rest."""
    pending = set(futures)
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in sorted(finished, key=lambda f: futures[f].order):
                done(futures[future], convert(future.result()))
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def threads_are_safe() -> bool:
    """Whether numba's threading layer takes parallel launches from many threads.

    ``workqueue`` does not (it aborts the process), ``omp`` and ``tbb`` do.
    """
    start_pool_nb(2)
    layer = numba.threading_layer()  # type: ignore[attr-defined]  # not re-exported in stubs
    return layer in _THREADSAFE_LAYERS


def run_threads(
    frames: Mapping[str, pl.DataFrame],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int,
    done: Done,
) -> None:
    """Run the tasks on a thread pool; numba kernels release the GIL."""
    lanes, threads = lanes_and_threads(max_workers, len(tasks))
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="peak_trade-sweep")
    futures = {pool.submit(compute_chunk, frames[t.symbol], t, threads=threads): t for t in tasks}
    _drain(pool, futures, done, _same)


@contextlib.contextmanager
def _child_env(threads: int) -> Iterator[None]:
    """Set the thread-pool sizes that spawned children inherit, then restore them."""
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in _THREAD_ENV}
        os.environ.update({k: str(threads) for k in _THREAD_ENV})
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _process_task(path: str, task: ChunkTask, threads: int) -> bytes:
    """In a worker process: map the symbol's IPC file, compute, return IPC bytes."""
    frame = atomic_read(path)
    return encode_frame(compute_chunk(frame, task, threads=threads)).tobytes()


def run_processes(
    paths: Mapping[str, Path],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int,
    done: Done,
    start_method: Literal["spawn", "forkserver"] = "spawn",
) -> None:
    """Run the tasks on spawned processes that memory-map each symbol's IPC file."""
    lanes, threads = lanes_and_threads(max_workers, len(tasks))
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(lanes, mp_context=context)
    with _child_env(threads):
        # Children are spawned on submit, so every one starts inside the bounded env.
        futures = {pool.submit(_process_task, str(paths[t.symbol]), t, threads): t for t in tasks}
    _drain(pool, futures, done, decode_frame)
