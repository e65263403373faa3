import logging
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import CircuitOpenError, ConfigError, ProviderError
from peak_trade.data.circuit_breaker import BreakerStats, CircuitBreaker, StateChange
from tests.data.providers.fakes import FakeClock, permanent, transient


def fail(error: BaseException):
    def fn() -> None:
        raise error

    return fn


def ok() -> str:
    return "ok"


def trip(breaker: CircuitBreaker, n: int) -> None:
    for i in range(n):
        with pytest.raises(ProviderError, match="timeout"):
            breaker.call(fail(transient(i)))


@pytest.mark.smoke
def test_opens_after_n_consecutive_failures_and_rejects_without_calling():
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=3, recovery_timeout=10.0, clock=clock)
    trip(breaker, 2)
    assert breaker.state == "closed"
    trip(breaker, 1)
    assert breaker.state == "open"
    clock.advance(4.0)
    called = []
    with pytest.raises(CircuitOpenError, match="'ex' is open") as info:
        breaker.call(lambda: called.append(1))
    assert called == []
    assert info.value.transient is False
    assert info.value.hint.startswith("the next probe is allowed in 6 s")
    assert info.value.context == {"breaker": "ex", "state": "open", "retry_after_s": 6.0}


@pytest.mark.smoke
def test_recovers_through_one_successful_probe():
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=2, recovery_timeout=5.0, clock=clock)
    trip(breaker, 2)
    clock.advance(5.0)
    assert breaker.state == "half_open"
    assert breaker.call(ok) == "ok"
    assert breaker.state == "closed"


def test_a_failed_probe_reopens_and_restarts_the_timer():
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=2, recovery_timeout=5.0, clock=clock)
    trip(breaker, 2)
    clock.advance(5.0)
    trip(breaker, 1)  # the probe fails
    assert breaker.state == "open"
    clock.advance(4.9)
    with pytest.raises(CircuitOpenError):
        breaker.call(ok)
    clock.advance(0.1)
    assert breaker.call(ok) == "ok"


def test_only_consecutive_failures_count():
    breaker = CircuitBreaker("ex", failure_threshold=3, clock=FakeClock())
    for _ in range(5):
        trip(breaker, 2)
        breaker.call(ok)
    assert breaker.state == "closed"


def test_errors_that_are_not_failures_do_not_trip_and_count_as_answers():
    breaker = CircuitBreaker("ex", failure_threshold=2, clock=FakeClock())
    trip(breaker, 1)
    for _ in range(5):
        with pytest.raises(ProviderError, match="bad symbol"):
            breaker.call(fail(permanent()))
    trip(breaker, 1)
    assert breaker.state == "closed"
    assert breaker.stats.failures == 2


def test_an_interrupted_probe_frees_its_slot_and_changes_nothing():
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=1, recovery_timeout=1.0, clock=clock)
    trip(breaker, 1)
    clock.advance(1.0)
    with pytest.raises(KeyboardInterrupt):
        breaker.call(fail(KeyboardInterrupt()))
    assert breaker.state == "half_open"
    assert breaker.call(ok) == "ok"
    assert breaker.state == "closed"


def test_failure_on_takes_types():
    breaker = CircuitBreaker("ex", failure_threshold=1, clock=FakeClock(), failure_on=KeyError)
    with pytest.raises(KeyError):
        breaker.call(fail(KeyError("k")))
    assert breaker.state == "open"


def test_stats_count_calls_failures_rejections_and_changes():
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=2, recovery_timeout=1.0, clock=clock)
    breaker.call(ok)
    trip(breaker, 2)  # closed -> open
    for _ in range(3):
        with pytest.raises(CircuitOpenError):
            breaker.call(ok)
    clock.advance(1.0)
    breaker.call(ok)  # open -> half_open -> closed
    assert breaker.stats == BreakerStats(
        state="closed", calls=4, failures=2, rejections=3, state_changes=3
    )


def test_listeners_and_logs_see_every_state_change(caplog):
    caplog.set_level(logging.INFO, logger="peak_trade.data.circuit_breaker")
    clock = FakeClock()
    breaker = CircuitBreaker("ex", failure_threshold=1, recovery_timeout=2.0, clock=clock)
    seen: list[StateChange] = []
    breaker.add_listener(seen.append)
    trip(breaker, 1)
    clock.advance(2.0)
    breaker.call(ok)
    assert seen == [
        StateChange("ex", "closed", "open", 0.0, 1),
        StateChange("ex", "open", "half_open", 2.0, 1),
        StateChange("ex", "half_open", "closed", 2.0, 0),
    ]
    logged = [
        (r.old_state, r.new_state, r.levelname)
        for r in caplog.records
        if r.msg == "breaker.state_change"
    ]
    assert logged == [
        ("closed", "open", "WARNING"),
        ("open", "half_open", "INFO"),
        ("half_open", "closed", "INFO"),
    ]
    breaker.remove_listener(seen.append)
    breaker.reset()
    assert len(seen) == 3


@pytest.mark.parametrize("max_calls", [1, 3])
def test_half_open_admits_exactly_max_calls_concurrent_probes(max_calls):
    """8 threads hit a half-open breaker at once; exactly `max_calls` probes run."""
    clock = FakeClock()
    breaker = CircuitBreaker(
        "ex", failure_threshold=1, recovery_timeout=1.0, half_open_max_calls=max_calls, clock=clock
    )
    trip(breaker, 1)
    clock.advance(1.0)
    n = 8
    barrier = threading.Barrier(n)
    release = threading.Event()
    lock = threading.Lock()
    entered: list[int] = []
    rejected: list[int] = []

    def probe(i: int) -> str:
        with lock:
            entered.append(i)
        assert release.wait(timeout=10.0)
        return "ok"

    def worker(i: int) -> None:
        barrier.wait(timeout=10.0)
        try:
            breaker.call(probe, i)
        except CircuitOpenError:
            with lock:
                rejected.append(i)
            if len(rejected) == n - max_calls:
                release.set()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20.0)
    assert not any(t.is_alive() for t in threads)
    assert (len(entered), len(rejected)) == (max_calls, n - max_calls)
    assert breaker.state == "closed"
    assert breaker.stats.rejections == n - max_calls


def test_counters_stay_exact_under_concurrent_calls():
    breaker = CircuitBreaker("ex", failure_threshold=10_000, clock=FakeClock())
    n, per = 8, 2000
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        barrier.wait(timeout=10.0)
        for k in range(per):
            if (i + k) % 4 == 0:
                with pytest.raises(ProviderError):
                    breaker.call(fail(transient()))
            else:
                breaker.call(ok)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30.0)
    assert breaker.stats == BreakerStats(
        state="closed", calls=n * per, failures=n * per // 4, rejections=0, state_changes=0
    )


def test_decorator_form():
    breaker = CircuitBreaker("ex", failure_threshold=1, clock=FakeClock())

    @breaker
    def flaky() -> None:
        raise transient()

    with pytest.raises(ProviderError):
        flaky()
    with pytest.raises(CircuitOpenError):
        flaky()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"failure_threshold": 0}, "failure_threshold"),
        ({"recovery_timeout": -1.0}, "recovery_timeout"),
        ({"half_open_max_calls": 0}, "half_open_max_calls"),
    ],
)
def test_invalid_options_raise_config_error(kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment):
        CircuitBreaker("ex", **kwargs)


class ReferenceBreaker:
    """A plain, sequential model of the breaker's rules, for comparison."""

    def __init__(self, threshold: int, timeout: float) -> None:
        self.threshold, self.timeout = threshold, timeout
        self.state, self.run, self.opened = "closed", 0, 0.0

    def step(self, now: float, outcome: str) -> str:
        if self.state == "open":
            if now - self.opened < self.timeout:
                return "rejected"
            self.state = "half_open"
        if outcome == "fail":
            self.run += 1
            if self.state == "half_open" or self.run >= self.threshold:
                self.state, self.opened = "open", now
        else:
            self.state, self.run = "closed", 0
        return outcome


@settings(max_examples=200, deadline=None)
@given(
    threshold=st.integers(1, 4),
    timeout=st.sampled_from([0.0, 1.0, 2.5]),
    steps=st.lists(
        st.tuples(st.sampled_from(["ok", "fail", "permanent"]), st.sampled_from([0.0, 0.5, 3.0])),
        max_size=40,
    ),
)
def test_matches_a_sequential_reference_model(threshold, timeout, steps):
    clock = FakeClock()
    breaker = CircuitBreaker(
        "ex", failure_threshold=threshold, recovery_timeout=timeout, clock=clock
    )
    model = ReferenceBreaker(threshold, timeout)
    for outcome, pause in steps:
        clock.advance(pause)
        expected = model.step(clock.now, "fail" if outcome == "fail" else "ok")
        fn = {"ok": ok, "fail": fail(transient()), "permanent": fail(permanent())}[outcome]
        try:
            breaker.call(fn)
            got = "ok"
        except CircuitOpenError:
            got = "rejected"
        except ProviderError as exc:
            got = "fail" if exc.transient else "ok"
        assert got == expected
        assert breaker.stats.state == model.state
