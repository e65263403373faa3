"""Gate cases for the retry policy and circuit breaker (issue 8, section 5).

The issue's figure is *overhead*: the time of a wrapped no-op call minus the
time of the bare call. A gate case can only hold a ratio of two timings, so
each case times whole wrapped no-op calls. Against tenacity that is the stricter
test: with overheads ``a < b`` and a bare call ``c > 0``,
``(c + a) / (c + b) > a / b``, so a total-time ratio under the budget implies
an overhead ratio under it too.

Fairness: our side is ``policy.call(breaker.call, noop)``, a RetryPolicy around
a closed CircuitBreaker (what ResilientProvider runs). tenacity has no circuit
breaker, so its side does strictly less: ``Retrying(...)(noop)`` with the same
stop rule, full-jitter exponential wait and transient-only retry predicate,
called directly (its cheapest path; the ``@retry`` decorator copies the
Retrying object on every call and is slower).

Run ``python -m benchmarks.cases_retry`` for the overhead figures in ns.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from benchmarks.gatekit import RatioCase, measure_ratio

# Short timed samples (well under a millisecond) keep the medians honest on a
# loaded machine: a sample of several ms is often cut by preemption, which
# inflates the longer side. The tenacity side is ~30x slower per call, so its
# samples use fewer calls.
INNER = 200
INNER_TENACITY = 10


def noop() -> None:
    return None


def _ours() -> Callable[[], object]:
    from peak_trade.data.retry import CircuitBreaker, RetryPolicy

    policy = RetryPolicy()
    breaker = CircuitBreaker("bench")
    return lambda: policy.call(breaker.call, noop)


def _tenacity() -> Callable[[], object] | None:
    try:
        import tenacity
    except ImportError:  # tenacity is a benchmark-only peer
        return None
    from peak_trade.data.retry import is_transient

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(5),
        wait=tenacity.wait_random_exponential(multiplier=0.5, max=30.0),
        retry=tenacity.retry_if_exception(is_transient),
        reraise=True,
    )
    return lambda: retrying(noop)


def _passthrough() -> Callable[[], object]:
    """Two plain forwarding layers: the floor for any retry-around-breaker wrapper."""

    def outer(fn: Callable[..., object], /, *args: object, **kwargs: object) -> object:
        return fn(*args, **kwargs)

    def inner(fn: Callable[..., object], /, *args: object, **kwargs: object) -> object:
        return fn(*args, **kwargs)

    return lambda: outer(inner, noop)


def cases() -> list[RatioCase]:
    ours = _ours()
    out = [
        RatioCase(
            "retry_breaker_vs_passthrough",
            candidate=ours,
            reference=_passthrough(),
            rounds=41,
            warmup=2,
            inner=INNER,
        )
    ]
    tenacity_call = _tenacity()
    if tenacity_call is not None:
        out.append(
            RatioCase(
                "retry_breaker_vs_tenacity",
                candidate=ours,
                reference=tenacity_call,
                rounds=61,
                warmup=2,
                inner=INNER_TENACITY,
            )
        )
    return out


def overheads(rounds: int = 61) -> dict[str, float]:
    """Median per-call overhead over a bare call, in ns, sides alternated."""
    sides: dict[str, tuple[Callable[[], object], int]] = {
        "bare": (noop, INNER),
        "peak_trade": (_ours(), INNER),
    }
    tenacity_call = _tenacity()
    if tenacity_call is not None:
        sides["tenacity"] = (tenacity_call, INNER_TENACITY)
    samples: dict[str, list[float]] = {k: [] for k in sides}
    for i in range(rounds):
        order = list(sides.items()) if i % 2 == 0 else list(reversed(sides.items()))
        for name, (fn, inner) in order:
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples[name].append((time.perf_counter() - start) / inner * 1e9)
    medians = {k: statistics.median(v) for k, v in samples.items()}
    return {k: v - medians["bare"] for k, v in medians.items() if k != "bare"}


if __name__ == "__main__":
    for case in cases():
        print(f"{case.name}: ratio {measure_ratio(case).ratio:.4f}")
    figures = overheads()
    for name, ns in figures.items():
        print(f"overhead {name}: {ns:.0f} ns per call")
    if "tenacity" in figures:
        print(f"tenacity overhead / ours: {figures['tenacity'] / figures['peak_trade']:.1f}x")
