"""Test-wide hygiene: no test leaks logging configuration into the next one, and no
property test fails on the clock."""

import logging
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Hypothesis's default 200 ms deadline fails an example that is merely slow, and the
# first example of a test calling a numba kernel pays its JIT compile when the cache
# is cold (a fresh clone): Hypothesis then calls the test flaky, as it did for
# test_quiet_kernels.py::test_first_change_matches_the_plain_loop in a fresh-clone
# run with -p no:cacheprovider. Speed is measured in benchmarks/, never in tests.
settings.register_profile("peak_trade", deadline=None)
settings.load_profile("peak_trade")


@pytest.fixture(autouse=True)
def _restore_library_logger() -> Iterator[None]:
    """Put the `peak_trade` logger's level, handlers and propagation back after each test.

    In-process CLI tests call `configure_logging`, which sets the level to INFO; left
    in place, INFO records would reach later tests' `caplog` and make them order-dependent.
    """
    logger = logging.getLogger("peak_trade")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    for handler in list(logger.handlers):
        if handler not in saved[1]:
            logger.removeHandler(handler)
            handler.close()
    for handler in saved[1]:
        if handler not in logger.handlers:
            logger.addHandler(handler)
    logger.propagate = saved[2]
