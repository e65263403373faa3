import random

import pytest

from peak_trade.core.errors import CircuitOpenError, ConfigError, ProviderError
from peak_trade.data.circuit_breaker import CircuitBreaker
from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.resilient import ResilientProvider
from peak_trade.data.providers.synthetic import SyntheticProvider
from peak_trade.data.retry import RetryPolicy, no_wait
from tests.data.providers.fakes import FakeClock, FlakyProvider, permanent, transient

SYMBOLS = [f"SYM{i}/USDT" for i in range(40)]


def resilient(flaky: FlakyProvider, clock: FakeClock, **retry) -> ResilientProvider:
    policy = RetryPolicy(sleep=clock.sleep, clock=clock, rng=random.Random(0), **retry)
    return ResilientProvider(flaky, retry=policy)


@pytest.mark.smoke
def test_scripted_faults_are_ridden_out_and_the_data_is_unchanged():
    clock = FakeClock()
    flaky = FlakyProvider(script=[transient(1), transient(2), None, transient(3)])
    provider = resilient(flaky, clock)
    assert isinstance(provider, Provider)
    clean = SyntheticProvider(seed=11, bars=50)
    assert provider.fetch_ohlcv("BTC/USDT", "1h").equals(clean.fetch_ohlcv("BTC/USDT", "1h"))
    assert provider.fetch_ohlcv("ETH/USDT", "1h").equals(clean.fetch_ohlcv("ETH/USDT", "1h"))
    assert (flaky.calls, len(clock.sleeps)) == (5, 3)


def test_a_seeded_30_percent_fault_rate_returns_exactly_the_fault_free_data():
    clock = FakeClock()
    flaky = FlakyProvider(failure_rate=0.3, seed=1234)
    provider = resilient(flaky, clock, max_attempts=10)
    provider.breaker = CircuitBreaker("flaky", failure_threshold=10, clock=clock)
    clean = SyntheticProvider(seed=11, bars=50)
    for symbol in SYMBOLS:
        got = provider.fetch_ohlcv(symbol, "1h")
        assert got.equals(clean.fetch_ohlcv(symbol, "1h")), symbol
    assert flaky.failures > 0.2 * len(SYMBOLS)  # the faults really happened
    assert flaky.calls == len(SYMBOLS) + flaky.failures
    assert len(clock.sleeps) == flaky.failures


def test_permanent_errors_are_never_retried():
    clock = FakeClock()
    error = permanent()
    flaky = FlakyProvider(script=[error])
    with pytest.raises(ProviderError) as info:
        resilient(flaky, clock).fetch_ohlcv("BTC/USDT", "1h")
    assert info.value is error
    assert (flaky.calls, clock.sleeps) == (1, [])


def test_the_deadline_is_honoured():
    clock = FakeClock()
    flaky = FlakyProvider(script=[transient(i) for i in range(100)])
    provider = resilient(flaky, clock, jitter="none", base_delay=1.0, max_attempts=50, deadline=10)
    provider.breaker = CircuitBreaker("flaky", failure_threshold=100, clock=clock)
    with pytest.raises(ProviderError, match="timeout") as info:
        provider.fetch_ohlcv("BTC/USDT", "1h")
    assert clock.sleeps == [1.0, 2.0, 4.0]  # the next wait (8) would end at 15 > 10
    assert info.value.context["gave_up"] == "deadline"
    assert clock.now <= 10


def test_the_breaker_opens_and_its_rejection_is_not_retried():
    clock = FakeClock()
    flaky = FlakyProvider(script=[transient(i) for i in range(100)])
    breaker = CircuitBreaker("flaky", failure_threshold=3, recovery_timeout=60.0, clock=clock)
    policy = RetryPolicy(max_attempts=10, sleep=clock.sleep, clock=clock, rng=random.Random(0))
    provider = ResilientProvider(flaky, retry=policy, breaker=breaker)
    with pytest.raises(CircuitOpenError, match="is open"):
        provider.fetch_ohlcv("BTC/USDT", "1h")
    # three real attempts trip it; the fourth is rejected and ends the fetch
    assert (flaky.calls, len(clock.sleeps), breaker.stats.rejections) == (3, 3, 1)


def test_the_breaker_recovers_through_one_probe():
    clock = FakeClock()
    flaky = FlakyProvider(script=[transient(i) for i in range(3)])
    breaker = CircuitBreaker("flaky", failure_threshold=3, recovery_timeout=60.0, clock=clock)
    policy = RetryPolicy(max_attempts=3, sleep=clock.sleep, clock=clock, rng=random.Random(0))
    provider = ResilientProvider(flaky, retry=policy, breaker=breaker)
    with pytest.raises(ProviderError):
        provider.fetch_ohlcv("BTC/USDT", "1h")
    assert breaker.state == "open"
    clock.advance(60.0)
    assert provider.fetch_ohlcv("BTC/USDT", "1h").height == 50
    assert (breaker.state, flaky.calls) == ("closed", 4)


def test_each_instance_owns_its_breaker_unless_one_is_shared():
    inner = SyntheticProvider()
    a, b = ResilientProvider(inner), ResilientProvider(inner)
    assert a.breaker is not b.breaker
    shared = CircuitBreaker("shared")
    assert ResilientProvider(inner, breaker=shared).breaker is shared


def test_default_breaker_counts_what_the_retry_retries():
    flaky = FlakyProvider(script=[KeyError("a")] * 10)
    policy = RetryPolicy(max_attempts=2, retry_on=KeyError)
    provider = ResilientProvider(flaky, retry=policy)
    with no_wait():
        for _ in range(2):
            with pytest.raises(KeyError):
                provider.fetch_ohlcv("BTC/USDT", "1h")
    assert provider.breaker.stats.failures == 4


def test_no_wait_makes_the_default_policy_instant():
    flaky = FlakyProvider(script=[transient(1), transient(2)])
    with no_wait():
        assert ResilientProvider(flaky).fetch_ohlcv("BTC/USDT", "1h").height == 50
    assert flaky.calls == 3


def test_rejects_non_providers():
    with pytest.raises(ConfigError, match="expected a Provider"):
        ResilientProvider(object())
