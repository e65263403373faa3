"""The local executor: a thread pool over the nogil kernels, or a process pool.

Both bound the compute threads by ``max_workers``: ``lanes`` tasks run at once and
each bounds numba's parallel kernels to ``max_workers // lanes`` threads. Worker
processes get ``POLARS_MAX_THREADS`` and ``NUMBA_NUM_THREADS`` in their
environment when they are spawned, and read each symbol's frame from a
memory-mapped Arrow IPC file: frames are never pickled. Tasks are submitted in
plan order (symbol by symbol) with at most ``2 x lanes`` in flight.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import Literal, Protocol, TypeVar

import numba
import polars as pl

from peak_trade.core.errors import PeakTradeError
from peak_trade.research._chunks import ChunkTask, decode_frame, encode_frame
from peak_trade.research._compute import compute_chunk
from peak_trade.research._kernels import start_pool_nb
from peak_trade.research._refs import SymbolRef, load_ref

__all__ = [
    "IN_FLIGHT_PER_CPU",
    "Pool",
    "Sink",
    "Source",
    "frame_of",
    "lanes_and_threads",
    "run_inline",
    "run_processes",
    "run_threads",
]

_log = logging.getLogger(__name__)
Pool = Literal["threads", "processes"]
Source = pl.DataFrame | SymbolRef
#: Tasks kept in flight per worker: the driver never holds the whole plan in the pool.
IN_FLIGHT_PER_CPU = 2
_ENV_LOCK = threading.Lock()
_THREAD_ENV = ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS")
_THREADSAFE_LAYERS = frozenset({"omp", "tbb"})
_T = TypeVar("_T")


class Sink(Protocol):
    """Where finished chunks go: the sweep's collector."""

    def __call__(self, task: ChunkTask, frame: pl.DataFrame, /) -> None:
        """Take one finished chunk."""

    def failed(self, task: ChunkTask, exc: PeakTradeError, /) -> bool:
        """Record a failure; True when it is scoped to the task's symbol (keep going)."""

    def skips(self, task: ChunkTask, /) -> bool:
        """True when the task's symbol already failed (do not run it)."""

    def note_retries(self, count: int, /) -> None:
        """Count tasks the executor saw re-run (Ray, after a worker or node died)."""


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


def frame_of(source: Source, /) -> pl.DataFrame:
    """The frame itself, or the referenced symbol loaded in this worker (LRU)."""
    return load_ref(source) if isinstance(source, SymbolRef) else source


def _compute(source: Source, task: ChunkTask, threads: int) -> pl.DataFrame:
    return compute_chunk(frame_of(source), task, threads=threads)


def run_inline(
    sources: Mapping[str, Source], tasks: Sequence[ChunkTask], /, *, threads: int, done: Sink
) -> None:
    """Run the tasks one after another in this thread, numba bounded to ``threads``."""
    for task in tasks:
        if done.skips(task):
            continue
        try:
            frame = _compute(sources[task.symbol], task, threads)
        except PeakTradeError as exc:
            if not done.failed(task, exc):
                raise
            continue
        done(task, frame)


def _drain(
    pool: Executor,
    tasks: Sequence[ChunkTask],
    submit: Callable[[ChunkTask], Future[_T]],
    done: Sink,
    convert: Callable[[_T], pl.DataFrame],
    window: int,
) -> None:
    """Keep ``window`` tasks in flight, in plan order; hand results to ``done`` as they finish.

    A symbol-scoped failure (``done.failed`` is True) drops that symbol's other
    tasks; any other failure cancels the rest and is raised.
    """
    queue = list(reversed(tasks))
    futures: dict[Future[_T], ChunkTask] = {}
    try:
        while queue or futures:
            while queue and len(futures) < window:
                task = queue.pop()
                if not done.skips(task):
                    futures[submit(task)] = task
            if not futures:
                break
            finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: futures[f].order):
                task = futures.pop(future)
                try:
                    frame = convert(future.result())
                except PeakTradeError as exc:
                    if not done.failed(task, exc):
                        raise
                    continue
                done(task, frame)
    finally:
        for future in futures:
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
    sources: Mapping[str, Source],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int,
    done: Sink,
) -> None:
    """Run the tasks on a thread pool; numba kernels release the GIL."""
    lanes, threads = lanes_and_threads(max_workers, len(tasks))
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="peak_trade-sweep")

    def submit(task: ChunkTask) -> Future[pl.DataFrame]:
        return pool.submit(_compute, sources[task.symbol], task, threads)

    _drain(pool, tasks, submit, done, _same, IN_FLIGHT_PER_CPU * lanes)


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


def _process_task(ref: SymbolRef, task: ChunkTask, threads: int) -> bytes:
    """In a worker process: load (map) the symbol, compute, return IPC bytes."""
    return encode_frame(compute_chunk(load_ref(ref), task, threads=threads)).tobytes()


def run_processes(
    refs: Mapping[str, SymbolRef],
    tasks: Sequence[ChunkTask],
    /,
    *,
    max_workers: int,
    done: Sink,
    start_method: Literal["spawn", "forkserver"] = "spawn",
) -> None:
    """Run the tasks on spawned processes that load (memory-map) each symbol's file."""
    lanes, threads = lanes_and_threads(max_workers, len(tasks))
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(lanes, mp_context=context)

    def submit(task: ChunkTask) -> Future[bytes]:
        # Children are spawned on submit, inside the bounded env.
        with _child_env(threads):
            return pool.submit(_process_task, refs[task.symbol], task, threads)

    _drain(pool, tasks, submit, done, decode_frame, IN_FLIGHT_PER_CPU * lanes)
