"""The bound run context: ``run_id``, ``trace_id`` and fields, kept in a ContextVar.

Every record from a ``peak_trade.*`` logger is stamped with the context bound
when it is logged, by :class:`StampingHandler`, the first handler on the
``peak_trade`` logger. It runs only for records that are actually created, so a
disabled ``logger.debug`` costs nothing extra, and it changes no process-wide
state (the log-record factory is left alone). :class:`ContextFilter` stamps
records of any other logger or handler it is attached to.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from contextlib import ContextDecorator
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

from peak_trade.core.errors import ConfigError

__all__ = [
    "RESERVED_KEYS",
    "ContextFilter",
    "StampingHandler",
    "bind_context",
    "current_context",
    "run_context",
    "spawn_thread",
]

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

# Keys every JSON line has; bound fields may not reuse them.
RESERVED_KEYS = ("ts", "level", "logger", "event", "run_id", "trace_id")
_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class _Bound:
    """One immutable snapshot of what is bound (a single ContextVar read per record)."""

    __slots__ = ("fields", "run_id", "trace_id")

    def __init__(self, run_id: str | None, trace_id: str | None, fields: Mapping[str, Any]):
        self.run_id = run_id
        self.trace_id = trace_id
        self.fields = fields


_UNBOUND = _Bound(None, None, _NO_FIELDS)
_BOUND: contextvars.ContextVar[_Bound] = contextvars.ContextVar(
    "peak_trade_run_context", default=_UNBOUND
)


def _check_id(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        msg = f"run_context: `{name}` must be a str or None; got {value!r}"
        raise ConfigError(msg, hint=f"pass {name}=str(value)", context={name: repr(value)})


class _RunContext(ContextDecorator):
    """Binds values on enter and restores the outer ones on exit; also a decorator."""

    def __init__(self, run_id: str | None, trace_id: str | None, fields: dict[str, Any]):
        _check_id("run_id", run_id)
        _check_id("trace_id", trace_id)
        clashes = sorted(set(fields) & set(RESERVED_KEYS))
        if clashes:
            msg = f"run_context: field names {clashes} are reserved for the log line itself"
            raise ConfigError(
                msg, hint="rename the fields, e.g. `sweep_event`", context={"fields": clashes}
            )
        self._run_id = run_id
        self._trace_id = trace_id
        self._fields = fields
        self._tokens: list[contextvars.Token[_Bound]] = []

    def _recreate_cm(self) -> _RunContext:
        # A fresh manager per decorated call, so concurrent calls never share tokens.
        return _RunContext(self._run_id, self._trace_id, self._fields)

    def __enter__(self) -> dict[str, Any]:
        outer = _BOUND.get()
        fields = {**outer.fields, **self._fields} if self._fields else outer.fields
        bound = _Bound(
            self._run_id if self._run_id is not None else outer.run_id,
            self._trace_id if self._trace_id is not None else outer.trace_id,
            MappingProxyType(fields) if self._fields else fields,
        )
        self._tokens.append(_BOUND.set(bound))
        return current_context()

    def __exit__(self, *exc: object) -> None:
        _BOUND.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):
            coroutine: Callable[..., Awaitable[Any]] = func

            @functools.wraps(func)
            async def bound_coroutine(*args: Any, **kwargs: Any) -> Any:
                with self._recreate_cm():
                    return await coroutine(*args, **kwargs)

            return bound_coroutine  # type: ignore[return-value]  # wraps keeps F's shape
        return super().__call__(func)


def run_context(
    *, run_id: str | None = None, trace_id: str | None = None, **fields: Any
) -> _RunContext:
    """Bind ``run_id``, ``trace_id`` and extra fields for the records logged inside.

    A context manager and a decorator (sync or async). Values left ``None`` keep
    the outer binding; fields merge over the outer ones; everything is restored on
    exit. Bindings live in ``contextvars``: asyncio tasks inherit them, and so do
    threads started with :func:`spawn_thread` or callables wrapped by
    :func:`bind_context` (plain ``threading.Thread`` targets do not).

    Raises:
        ConfigError: An id is not a str, or a field reuses a name in ``RESERVED_KEYS``.

    Example:
        >>> with run_context(run_id="r1", symbol="BTC"):
        ...     current_context()
        {'run_id': 'r1', 'trace_id': None, 'symbol': 'BTC'}
    """
    return _RunContext(run_id, trace_id, fields)


def current_context() -> dict[str, Any]:
    """What is bound now: ``run_id``, ``trace_id`` (``None`` when unbound), then fields.

    Example:
        >>> current_context()
        {'run_id': None, 'trace_id': None}
    """
    bound = _BOUND.get()
    return {"run_id": bound.run_id, "trace_id": bound.trace_id, **bound.fields}


def bind_context(fn: Callable[P, R], /) -> Callable[P, R]:
    """Wrap ``fn`` to run in a copy of the context bound now, in whatever thread calls it.

    Use it for executors: ``pool.submit(bind_context(work), item)``. Each call runs
    in its own copy, so concurrent calls are safe.

    Example:
        >>> with run_context(run_id="r1"):
        ...     job = bind_context(current_context)
        >>> job()["run_id"]
        'r1'
    """
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        return captured.copy().run(fn, *args, **kwargs)

    return in_context


def spawn_thread(target: Callable[..., object], /, *args: Any, **kwargs: Any) -> threading.Thread:
    """Start a thread running ``target(*args, **kwargs)`` with the current bindings.

    Example:
        >>> with run_context(run_id="r1"):
        ...     t = spawn_thread(print, "hi")  # doctest: +SKIP
        >>> t.join()  # doctest: +SKIP
    """
    thread = threading.Thread(target=bind_context(target), args=args, kwargs=kwargs)
    thread.start()
    return thread


def _stamp(record: logging.LogRecord) -> None:
    bound = _BOUND.get()
    record.run_id = bound.run_id
    record.trace_id = bound.trace_id
    record.bound_fields = bound.fields


class ContextFilter(logging.Filter):
    """Adds ``run_id``, ``trace_id`` and ``bound_fields`` to records that lack them.

    Records from ``peak_trade.*`` already carry them; attach this filter to your
    own loggers or handlers to stamp theirs too. It never drops a record.

    Example:
        >>> logging.getLogger("myapp").addFilter(ContextFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "run_id"):
            _stamp(record)
        return True


class StampingHandler(logging.NullHandler):
    """The library's own handler on the ``peak_trade`` logger: stamps records, emits nothing.

    It is installed first on that logger (in place of the plain ``NullHandler``
    libraries install), so every record a ``peak_trade.*`` logger passes up gets
    ``run_id``, ``trace_id`` and ``bound_fields`` before any handler added after it
    (the user's, ``configure_logging``'s, the run's ``log.jsonl``) or the root
    logger's handlers see it. It runs only for records that are made, in the
    logging call's own thread and context. No process-wide state is touched: the
    log-record factory stays the application's.
    """

    def handle(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "run_id"):
            _stamp(record)
        return True


def install_stamping_handler(logger: logging.Logger) -> None:
    """Put a :class:`StampingHandler` first on ``logger``; idempotent."""
    if not any(isinstance(h, StampingHandler) for h in logger.handlers):
        logger.handlers.insert(0, StampingHandler())
