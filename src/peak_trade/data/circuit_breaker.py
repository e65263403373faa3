"""A thread-safe circuit breaker: stop calling an endpoint that keeps failing.

The breaker is *closed* while calls succeed. After ``failure_threshold``
consecutive failures it *opens* and rejects every call at once with
``CircuitOpenError``. After ``recovery_timeout`` seconds it turns *half-open*
and lets ``half_open_max_calls`` probes through at a time: a probe that succeeds
closes it, a probe that fails reopens it and restarts the timer.

Only errors that count as failures trip it; by default that is a
``ProviderError`` with ``transient=True`` (the same rule :class:`RetryPolicy`
retries on). Any other outcome, including a permanent error, proves that the
endpoint answered and counts as a success. A ``BaseException`` that is not an
``Exception`` (``KeyboardInterrupt``, ``SystemExit``) counts as neither.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Literal, ParamSpec, TypeAlias, TypeVar

from peak_trade.core.errors import CircuitOpenError, ConfigError, ProviderError

__all__ = [
    "BreakerState",
    "BreakerStats",
    "CircuitBreaker",
    "ErrorFilter",
    "StateChange",
    "error_predicate",
    "is_transient",
]

_log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

BreakerState: TypeAlias = Literal["closed", "open", "half_open"]
ErrorFilter: TypeAlias = (
    type[BaseException] | tuple[type[BaseException], ...] | Callable[[BaseException], bool]
)


def is_transient(exc: BaseException, /) -> bool:
    """The default failure rule: a ``ProviderError`` marked ``transient=True``.

    A ``CircuitOpenError`` is never transient here, whatever its flag says.

    Example:
        >>> is_transient(ProviderError("timeout", transient=True))
        True
    """
    return (
        isinstance(exc, ProviderError) and exc.transient and not isinstance(exc, CircuitOpenError)
    )


def error_predicate(spec: ErrorFilter | None, /) -> Callable[[BaseException], bool]:
    """Turn exception types, a tuple of them, or a predicate into a predicate.

    ``None`` gives :func:`is_transient`.

    Example:
        >>> error_predicate(TimeoutError)(TimeoutError())
        True
    """
    if spec is None:
        return is_transient
    if isinstance(spec, type) and issubclass(spec, BaseException):
        types: tuple[type[BaseException], ...] = (spec,)
    elif isinstance(spec, tuple) and all(
        isinstance(t, type) and issubclass(t, BaseException) for t in spec
    ):
        types = spec
    elif callable(spec) and not isinstance(spec, type):
        return spec
    else:
        msg = f"expected exception types, a tuple of them, or a predicate; got {spec!r}"
        raise ConfigError(msg, hint="pass e.g. (TimeoutError,) or lambda e: ...")

    def matches(exc: BaseException) -> bool:
        return isinstance(exc, types)

    return matches


@dataclass(frozen=True, slots=True)
class StateChange:
    """One transition of a breaker, as given to listeners.

    Attributes:
        breaker: The breaker's name.
        old: State before.
        new: State after.
        at: The breaker clock's reading at the change.
        failures: Consecutive failures counted when it happened.
    """

    breaker: str
    old: BreakerState
    new: BreakerState
    at: float
    failures: int


@dataclass(frozen=True, slots=True)
class BreakerStats:
    """A snapshot of a breaker's counters.

    Attributes:
        state: The current state.
        calls: Calls let through (probes included).
        failures: Calls that ended in a counted failure.
        rejections: Calls rejected with ``CircuitOpenError``.
        state_changes: Transitions so far.
    """

    state: BreakerState
    calls: int
    failures: int
    rejections: int
    state_changes: int


class CircuitBreaker:
    """Reject calls to a failing endpoint until it has had time to recover.

    Args:
        name: Shown in errors, logs and events.
        failure_threshold: Consecutive failures that open the breaker.
        recovery_timeout: Seconds the breaker stays open before a probe.
        half_open_max_calls: Probes allowed at the same time while half-open.
        clock: Monotonic time source, in seconds.
        failure_on: What counts as a failure: exception types or a predicate
            (default :func:`is_transient`).

    Example:
        >>> breaker = CircuitBreaker("binance", failure_threshold=3)
        >>> breaker.call(lambda: 42)
        42
        >>> breaker.state
        'closed'
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        half_open_max_calls: int = 1,
        clock: Callable[[], float] = time.monotonic,
        *,
        failure_on: ErrorFilter | None = None,
    ) -> None:
        problems = []
        if not isinstance(failure_threshold, int) or failure_threshold < 1:
            problems.append(f"`failure_threshold` must be an int >= 1; got {failure_threshold!r}")
        if not isinstance(recovery_timeout, int | float) or not recovery_timeout >= 0:
            problems.append(f"`recovery_timeout` must be >= 0 seconds; got {recovery_timeout!r}")
        if not isinstance(half_open_max_calls, int) or half_open_max_calls < 1:
            problems.append(
                f"`half_open_max_calls` must be an int >= 1; got {half_open_max_calls!r}"
            )
        if problems:
            msg = f"CircuitBreaker {name!r}: " + "; ".join(problems)
            raise ConfigError(msg, hint="use positive counts and a non-negative timeout")
        self.name = name
        self.failure_threshold = failure_threshold
        self.recovery_timeout = float(recovery_timeout)
        self.half_open_max_calls = half_open_max_calls
        self.clock = clock
        self._is_failure = error_predicate(failure_on)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[StateChange], None]] = []
        self._state: BreakerState = "closed"
        self._consecutive = 0
        self._opened_at = 0.0
        self._probes = 0
        self._calls = 0
        self._failures = 0
        self._rejections = 0
        self._changes = 0

    # -- public views -------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        """The current state; an open breaker past its timeout reads ``half_open``."""
        with self._lock:
            change = self._maybe_half_open()
            state = self._state
        self._emit(change)
        return state

    @property
    def stats(self) -> BreakerStats:
        """A consistent snapshot of the counters.

        Its ``state`` is the one last recorded: an open breaker past its timeout
        reads ``open`` here until the next call or a read of :attr:`state`.
        """
        with self._lock:
            return BreakerStats(
                self._state, self._calls, self._failures, self._rejections, self._changes
            )

    def add_listener(self, listener: Callable[[StateChange], None], /) -> None:
        """Call ``listener(change)`` after every state change (outside the lock).

        A listener must not raise: its exception reaches the caller whose call
        caused the change.

        Example:
            >>> CircuitBreaker("x").add_listener(print)
        """
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[StateChange], None], /) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def reset(self) -> None:
        """Close the breaker and forget the consecutive failures (counters stay)."""
        with self._lock:
            change = self._transition("closed")
        self._emit(change)

    # -- calling ------------------------------------------------------------

    def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``fn(*args, **kwargs)`` through the breaker.

        Raises:
            CircuitOpenError: The breaker is open, or half-open with every probe
                slot taken; ``fn`` was not called.

        Example:
            >>> CircuitBreaker("x").call(max, 1, 2)
            2
        """
        # Fast path for a closed breaker: one bare acquire/release (cheaper than
        # `with`; nothing between them can raise) and no second lock on success
        # unless there are failures to forget.
        lock = self._lock
        lock.acquire()
        if self._state == "closed":
            self._calls += 1
            lock.release()
            probe = False
        else:
            lock.release()
            probe = self._admit()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # classified, then re-raised
            self._record(probe, failed=self._is_failure(exc))
            raise
        except BaseException:
            # KeyboardInterrupt, SystemExit...: says nothing about the endpoint.
            if probe:
                self._release_probe()
            raise
        # Reading the count without the lock is safe: if a concurrent failure
        # raced in after the read, this success simply counts as the earlier one.
        if probe or self._consecutive:
            self._record(probe, failed=False)
        return result

    def __call__(self, fn: Callable[P, R], /) -> Callable[P, R]:
        """Use the breaker as a decorator.

        Example:
            >>> @CircuitBreaker("x")
            ... def ping() -> str:
            ...     return "pong"
            >>> ping()
            'pong'
        """

        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(fn, *args, **kwargs)

        return wrapper

    def _admit(self) -> bool:
        """Let the call through (True when it is a probe) or raise CircuitOpenError."""
        with self._lock:
            if self._state == "closed":
                self._calls += 1
                return False
            change = self._maybe_half_open()
            state = self._state
            admitted = state == "half_open" and self._probes < self.half_open_max_calls
            if admitted:
                self._probes += 1
                self._calls += 1
            else:
                self._rejections += 1
            retry_at = self._opened_at + self.recovery_timeout
            wait = max(retry_at - self.clock(), 0.0)
        self._emit(change)
        if admitted:
            return True
        if state == "open":
            msg = f"circuit breaker {self.name!r} is open; the call was not tried"
            hint = f"the next probe is allowed in {wait:.3g} s (breaker clock {retry_at:.6g})"
        else:
            msg = f"circuit breaker {self.name!r} is half-open and its probe slots are taken"
            hint = "a probe is running; retry after it finishes"
        raise CircuitOpenError(
            msg,
            transient=False,
            hint=hint,
            context={"breaker": self.name, "state": state, "retry_after_s": wait},
        )

    def _record(self, probe: bool, *, failed: bool) -> None:
        with self._lock:
            if probe:
                self._probes -= 1
            change = None
            if failed:
                self._failures += 1
                self._consecutive += 1
                state = self._state
                if (probe and state == "half_open") or (
                    state == "closed" and self._consecutive >= self.failure_threshold
                ):
                    change = self._transition("open")
                    self._opened_at = self.clock()
            else:
                self._consecutive = 0
                if probe and self._state == "half_open":
                    change = self._transition("closed")
        self._emit(change)

    def _release_probe(self) -> None:
        with self._lock:
            self._probes -= 1

    # -- state machine (call with the lock held) ------------------------------

    def _maybe_half_open(self) -> StateChange | None:
        if self._state == "open" and self.clock() >= self._opened_at + self.recovery_timeout:
            return self._transition("half_open")
        return None

    def _transition(self, new: BreakerState) -> StateChange | None:
        old = self._state
        if old == new:
            return None
        change = StateChange(self.name, old, new, self.clock(), self._consecutive)
        self._state = new
        self._changes += 1
        if new == "closed":
            self._consecutive = 0
        return change

    def _emit(self, change: StateChange | None) -> None:
        if change is None:
            return
        level = logging.WARNING if change.new == "open" else logging.INFO
        _log.log(
            level,
            "breaker.state_change",
            extra={
                "breaker": change.breaker,
                "old_state": change.old,
                "new_state": change.new,
                "failures": change.failures,
                "at": change.at,
            },
        )
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(change)
