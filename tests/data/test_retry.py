import logging
import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import CircuitOpenError, ConfigError, ProviderError
from peak_trade.data.retry import RetryPolicy, no_wait, waits_disabled
from tests.data.providers.fakes import FakeClock, Script, permanent, transient


def policy(clock: FakeClock, **kwargs) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, clock=clock, **kwargs)


@pytest.mark.smoke
def test_transient_failures_are_retried_with_exponential_waits():
    clock = FakeClock()
    fn = Script([transient(1), transient(2), transient(3)], value=42)
    assert policy(clock, jitter="none").call(fn) == 42
    assert fn.calls == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_waits_are_capped_at_max_delay():
    clock = FakeClock()
    fn = Script([transient()] * 4)
    p = policy(clock, max_attempts=5, base_delay=1.0, multiplier=10.0, max_delay=5.0, jitter="none")
    p.call(fn)
    assert clock.sleeps == [1.0, 5.0, 5.0, 5.0]


def test_full_jitter_draws_uniformly_below_each_cap_from_the_given_rng():
    clock = FakeClock()
    fn = Script([transient()] * 4)
    policy(clock, base_delay=1.0, multiplier=3.0, max_delay=20.0, rng=random.Random(7)).call(fn)
    reference = random.Random(7)
    caps = [1.0, 3.0, 9.0, 20.0]  # min(20, 1 * 3**k)
    assert clock.sleeps == [reference.uniform(0.0, cap) for cap in caps]


def test_final_failure_reraises_the_same_error_with_attempts_and_wait():
    clock = FakeClock()
    errors = [transient(i) for i in range(5)]
    fn = Script(errors)
    with pytest.raises(ProviderError, match="timeout #4") as info:
        policy(clock, jitter="none").call(fn)
    assert info.value is errors[4]
    assert info.value.context == {"attempts": 5, "waited_s": 7.5, "gave_up": "max_attempts"}
    assert fn.calls == 5


def test_permanent_errors_are_never_retried():
    clock = FakeClock()
    error = permanent()
    fn = Script([error])
    with pytest.raises(ProviderError) as info:
        policy(clock).call(fn)
    assert info.value is error
    assert (fn.calls, clock.sleeps, error.context) == (1, [], {})


def test_a_permanent_error_after_retries_stops_them_and_says_so():
    clock = FakeClock()
    fn = Script([transient(), transient(), permanent()])
    with pytest.raises(ProviderError, match="bad symbol") as info:
        policy(clock, jitter="none").call(fn)
    assert fn.calls == 3
    assert info.value.context == {"attempts": 3, "waited_s": 1.5, "gave_up": "not_retryable"}


def test_circuit_open_error_is_never_retried_even_when_retry_on_matches_it():
    clock = FakeClock()
    fn = Script([CircuitOpenError("open", transient=True)])
    with pytest.raises(CircuitOpenError):
        policy(clock, retry_on=ProviderError).call(fn)
    assert fn.calls == 1


def test_retry_on_types_and_foreign_errors_get_a_note():
    clock = FakeClock()
    fn = Script([TimeoutError("slow")] * 3)
    with pytest.raises(TimeoutError, match="slow") as info:
        policy(clock, max_attempts=3, retry_on=(TimeoutError,), jitter="none").call(fn)
    assert fn.calls == 3
    assert info.value.__notes__ == [
        "peak_trade RetryPolicy gave up (max_attempts) after 3 attempts and 1.500 s of waiting"
    ]


def test_retry_on_predicate_decides():
    clock = FakeClock()
    fn = Script([KeyError("a"), KeyError("b"), ValueError("c")])
    with pytest.raises(ValueError, match="c"):
        policy(clock, retry_on=lambda e: isinstance(e, KeyError)).call(fn)
    assert fn.calls == 3


def test_deadline_stops_before_a_wait_that_would_pass_it():
    clock = FakeClock()
    fn = Script([transient()] * 10)
    with pytest.raises(ProviderError) as info:
        policy(clock, base_delay=1.0, jitter="none", deadline=2.5).call(fn)
    # t=0 fail, wait 1 (ends at 1 <= 2.5), fail, wait 2 would end at 3 > 2.5: give up
    assert clock.sleeps == [1.0]
    assert fn.calls == 2
    assert info.value.context["gave_up"] == "deadline"


@settings(max_examples=200, deadline=None)
@given(
    base=st.floats(0.01, 5.0),
    multiplier=st.floats(1.0, 4.0),
    deadline=st.floats(0.1, 60.0),
    durations=st.lists(st.floats(0.0, 3.0), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_sleep_ever_ends_past_the_deadline(base, multiplier, deadline, durations, seed):
    clock = FakeClock()
    ends: list[float] = []

    def sleep(s: float) -> None:
        clock.sleep(s)
        ends.append(clock.now)

    calls = iter(durations)

    def attempt() -> None:
        clock.advance(next(calls, 0.0))
        raise transient()

    p = RetryPolicy(
        max_attempts=20,
        base_delay=base,
        multiplier=multiplier,
        deadline=deadline,
        sleep=sleep,
        clock=clock,
        rng=random.Random(seed),
    )
    with pytest.raises(ProviderError):
        p.call(attempt)
    assert all(end <= deadline for end in ends)


@pytest.mark.smoke
def test_no_wait_skips_every_sleep_but_keeps_the_attempts():
    clock = FakeClock()
    fn = Script([transient()] * 3)
    with no_wait():
        assert policy(clock).call(fn) == "ok"
    assert (fn.calls, clock.sleeps) == (4, [])


def test_no_wait_nests_resets_on_error_and_reaches_other_threads():
    seen: list[bool] = []

    def block() -> None:
        with no_wait():
            with no_wait():
                pass
            thread = threading.Thread(target=lambda: seen.append(waits_disabled()))
            thread.start()
            thread.join()
            seen.append(waits_disabled())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        block()
    assert seen == [True, True]
    assert not waits_disabled()


def test_decorator_keeps_the_name_and_retries():
    clock = FakeClock()
    script = Script([transient()], value=3)

    @policy(clock, jitter="none")
    def fetch(x: int) -> object:
        """Doc."""
        return script(x)

    assert fetch(1) == 3
    assert (fetch.__name__, fetch.__doc__, script.calls) == ("fetch", "Doc.", 2)


def test_retries_are_logged_as_provider_retry_events(caplog):
    clock = FakeClock()
    caplog.set_level(logging.INFO, logger="peak_trade.data.retry")
    policy(clock, jitter="none").call(Script([transient(1), transient(2)]))
    records = [r for r in caplog.records if r.msg == "provider.retry"]
    assert [(r.attempt, r.delay_s, r.error) for r in records] == [
        (1, 0.5, "ProviderError"),
        (2, 1.0, "ProviderError"),
    ]


def test_delay_is_the_capped_exponential():
    p = RetryPolicy(base_delay=0.5, multiplier=2.0, max_delay=3.0, jitter="none")
    assert [p.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"base_delay": -1.0}, "base_delay"),
        ({"max_delay": float("nan")}, "max_delay"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"jitter": "half"}, "jitter"),
        ({"deadline": 0}, "deadline"),
        ({"retry_on": 3}, "predicate"),
    ],
)
def test_invalid_options_raise_config_error(kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment):
        RetryPolicy(**kwargs)
