"""Cost per order of the simulation kernel: a signal that flips every other bar.

``python -m benchmarks._order_cost [BARS]`` prints the median time of
``simulate_nb`` (checks off, reused buffers) per order, and the same per bar for a
signal that never changes (the quiet path alone), on a 0.1%-range random walk.
Run it from two trees (PYTHONPATH) to compare engines; docs/benchmarks.md has the
figures.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def _median_seconds(run, rounds: int = 15) -> float:
    run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(bars: int = 1_000_000) -> None:
    import benchmarks.cases_invariants as ci
    from benchmarks.cases_invariants import kernels

    original = ci._arrays
    for label, signal in (
        ("an order every 2 bars", (np.arange(bars) // 2 % 2).astype(np.float64)),
        ("no order after bar 0", np.ones(bars)),
    ):

        def arrays(n: int, signal: np.ndarray = signal) -> dict[str, np.ndarray]:
            out = original(n)
            out["signal"] = signal
            return out

        ci._arrays = arrays
        try:
            simulate, _, _ = kernels(bars)
        finally:
            ci._arrays = original
        seconds = _median_seconds(lambda simulate=simulate: simulate(0))
        orders = bars // 2 if label.startswith("an order") else bars
        what = "order" if label.startswith("an order") else "bar"
        print(f"{bars} bars, {label}: {seconds / orders * 1e9:.1f} ns per {what}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
