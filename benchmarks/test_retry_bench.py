"""Per-call cost of RetryPolicy around a closed CircuitBreaker, next to tenacity.

    pytest benchmarks/test_retry_bench.py --benchmark-group-by=group

Every side wraps the same no-op, so the differences are pure overhead. The
issue's figures (overhead in ns, and the ratio to tenacity's) come from
``python -m benchmarks.cases_retry``, which alternates the sides in one run.
"""

from __future__ import annotations

import pytest

from benchmarks.cases_retry import _ours, _passthrough, noop
from peak_trade.data.retry import CircuitBreaker, RetryPolicy, is_transient

GROUP = "retry-overhead"


@pytest.mark.benchmark(group=GROUP)
def test_bare_call(benchmark):
    benchmark(noop)


@pytest.mark.benchmark(group=GROUP)
def test_two_passthrough_layers(benchmark):
    benchmark(_passthrough())


@pytest.mark.benchmark(group=GROUP)
def test_peak_trade_policy_call_around_breaker(benchmark):
    benchmark(_ours())


@pytest.mark.benchmark(group=GROUP)
def test_peak_trade_decorators(benchmark):
    benchmark(RetryPolicy()(CircuitBreaker("bench")(noop)))


@pytest.mark.benchmark(group=GROUP)
def test_tenacity_retrying_call(benchmark):
    tenacity = pytest.importorskip("tenacity")
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(5),
        wait=tenacity.wait_random_exponential(multiplier=0.5, max=30.0),
        retry=tenacity.retry_if_exception(is_transient),
        reraise=True,
    )
    benchmark(retrying, noop)


@pytest.mark.benchmark(group=GROUP)
def test_tenacity_decorator(benchmark):
    tenacity = pytest.importorskip("tenacity")
    wrapped = tenacity.retry(
        stop=tenacity.stop_after_attempt(5),
        wait=tenacity.wait_random_exponential(multiplier=0.5, max=30.0),
        retry=tenacity.retry_if_exception(is_transient),
        reraise=True,
    )(noop)
    benchmark(wrapped)
