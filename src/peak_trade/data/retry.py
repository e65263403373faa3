"""Retry with capped exponential backoff, full jitter and a deadline.

:class:`RetryPolicy` retries only what is worth retrying (by default a
``ProviderError`` with ``transient=True``), never a ``CircuitOpenError``, and
never sleeps past its deadline. When it gives up it re-raises the last original
error, never an opaque wrapper. :func:`no_wait` turns every wait to zero, for
tests. The circuit breaker lives in :mod:`peak_trade.data.circuit_breaker` and
is re-exported here.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

from peak_trade.core.errors import CircuitOpenError, ConfigError, PeakTradeError
from peak_trade.data.circuit_breaker import (
    BreakerState,
    BreakerStats,
    CircuitBreaker,
    ErrorFilter,
    StateChange,
    error_predicate,
    is_transient,
)

__all__ = [
    "BreakerState",
    "BreakerStats",
    "CircuitBreaker",
    "ErrorFilter",
    "RetryPolicy",
    "StateChange",
    "error_predicate",
    "is_transient",
    "no_wait",
    "waits_disabled",
]

_log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# The zero-wait switch: a process-wide nesting depth, so that it also reaches
# worker threads started inside the block. Guarded by a lock; exiting every
# block (even by an exception) resets it.
_no_wait_lock = threading.Lock()
_no_wait_depth = 0


@contextmanager
def no_wait() -> Iterator[None]:
    """Within the block, every :class:`RetryPolicy` waits zero seconds.

    The switch is process-wide (worker threads see it too) and nests. The
    policies still count attempts and honour their deadlines; they just do not
    call their ``sleep``.

    Example:
        >>> with no_wait():
        ...     waits_disabled()
        True
    """
    global _no_wait_depth
    with _no_wait_lock:
        _no_wait_depth += 1
    try:
        yield
    finally:
        with _no_wait_lock:
            _no_wait_depth -= 1


def waits_disabled() -> bool:
    """True inside a :func:`no_wait` block.

    Example:
        >>> waits_disabled()
        False
    """
    return _no_wait_depth > 0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry a call on transient errors, with capped exponential backoff.

    The wait before retry ``n`` (1-based) is ``min(max_delay, base_delay *
    multiplier ** (n - 1))``; with ``jitter="full"`` it is drawn uniformly from
    zero to that cap. A wait that would end past ``deadline`` seconds after the
    first attempt started is not slept: the policy gives up instead.

    Args:
        max_attempts: Attempts in total, the first one included.
        base_delay: Cap of the first wait, in seconds.
        max_delay: Largest cap of any wait.
        multiplier: Growth of the cap per retry.
        jitter: ``"full"`` draws each wait uniformly in ``[0, cap]``; ``"none"``
            waits the cap.
        deadline: Seconds from the first attempt after which no retry starts.
        retry_on: Exception types or a predicate; default :func:`is_transient`.
            A ``CircuitOpenError`` is never retried.
        sleep: Called with each wait in seconds.
        clock: Monotonic time source, in seconds.
        rng: Random source for the jitter; default a private ``random.Random()``.
            Pass ``random.Random(seed)`` for reproducible waits.

    Example:
        >>> policy = RetryPolicy(max_attempts=3, base_delay=0.1)
        >>> policy.call(int, "7")
        7
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: Literal["full", "none"] = "full"
    deadline: float | None = None
    retry_on: ErrorFilter | None = None
    sleep: Callable[[float], object] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random | None = None
    _should_retry: Callable[[BaseException], bool] = field(init=False, repr=False, compare=False)
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            problems.append(f"`max_attempts` must be an int >= 1; got {self.max_attempts!r}")
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value >= 0:
                problems.append(f"`{name}` must be >= 0 seconds; got {value!r}")
        if not isinstance(self.multiplier, int | float) or not self.multiplier >= 1:
            problems.append(f"`multiplier` must be >= 1; got {self.multiplier!r}")
        if self.jitter not in ("full", "none"):
            problems.append(f"`jitter` must be 'full' or 'none'; got {self.jitter!r}")
        if self.deadline is not None and (
            not isinstance(self.deadline, int | float) or not self.deadline > 0
        ):
            problems.append(f"`deadline` must be None or > 0 seconds; got {self.deadline!r}")
        if problems:
            msg = "invalid RetryPolicy: " + "; ".join(problems)
            raise ConfigError(msg, hint="see the RetryPolicy docstring for the valid ranges")
        object.__setattr__(self, "_should_retry", error_predicate(self.retry_on))
        object.__setattr__(self, "_random", self.rng if self.rng is not None else random.Random())

    def should_retry(self, exc: BaseException, /) -> bool:
        """Whether ``exc`` is worth another attempt under this policy.

        Example:
            >>> RetryPolicy().should_retry(ValueError("bad"))
            False
        """
        return not isinstance(exc, CircuitOpenError) and self._should_retry(exc)

    def delay(self, retry: int, /) -> float:
        """The wait before retry number ``retry`` (1-based), jitter applied.

        Example:
            >>> RetryPolicy(base_delay=1.0, jitter="none").delay(3)
            4.0
        """
        cap = min(self.max_delay, self.base_delay * self.multiplier ** (retry - 1))
        if self.jitter == "full":
            return self._random.uniform(0.0, cap)
        return cap

    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn(*args, **kwargs)``, retrying as the policy says.

        Raises:
            BaseException: The last error ``fn`` raised, the same object. After a
                retry, a ``PeakTradeError`` gets ``attempts``, ``waited_s`` and
                ``gave_up`` (``max_attempts``, ``deadline`` or ``not_retryable``)
                in its context; another error gets a note saying the same. A
                non-retryable error on the first attempt passes through untouched.

        Example:
            >>> RetryPolicy().call(divmod, 7, 2)
            (3, 1)
        """
        started = self.clock() if self.deadline is not None else 0.0
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:
            if not self.should_retry(exc):
                raise
            first = exc
        return self._retry_after(first, started, fn, args, kwargs)

    def _retry_after(
        self,
        exc: BaseException,
        started: float,
        fn: Callable[..., R],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> R:
        # The slow path, kept out of `call` so that a first success stays cheap.
        waited = 0.0
        attempt = 1
        while True:
            if attempt >= self.max_attempts:
                raise _give_up(exc, attempt, waited, "max_attempts")
            wait = 0.0 if waits_disabled() else self.delay(attempt)
            if self.deadline is not None and self.clock() - started + wait > self.deadline:
                raise _give_up(exc, attempt, waited, "deadline")
            if _log.isEnabledFor(logging.INFO):
                _log.info(
                    "provider.retry",
                    extra={
                        "function": getattr(fn, "__qualname__", repr(fn)),
                        "attempt": attempt,
                        "max_attempts": self.max_attempts,
                        "delay_s": wait,
                        "error": type(exc).__name__,
                        "error_message": str(exc).splitlines()[0] if str(exc) else "",
                    },
                )
            if wait > 0.0:
                self.sleep(wait)
                waited += wait
            attempt += 1
            try:
                return fn(*args, **kwargs)
            except BaseException as again:
                if not self.should_retry(again):
                    raise _give_up(again, attempt, waited, "not_retryable")  # noqa: B904
                exc = again

    def __call__(self, fn: Callable[P, R], /) -> Callable[P, R]:
        """Use the policy as a decorator.

        Example:
            >>> @RetryPolicy(max_attempts=2)
            ... def fetch() -> int:
            ...     return 1
            >>> fetch()
            1
        """

        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return wrapper


def _give_up(exc: BaseException, attempts: int, waited: float, reason: str) -> BaseException:
    """Annotate the last original error with what the policy did, and return it."""
    if isinstance(exc, PeakTradeError):
        exc.context["attempts"] = attempts
        exc.context["waited_s"] = waited
        exc.context["gave_up"] = reason
    else:
        exc.add_note(
            f"peak_trade RetryPolicy gave up ({reason}) after {attempts} attempts "
            f"and {waited:.3f} s of waiting"
        )
    return exc
