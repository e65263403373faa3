"""Test-wide hygiene: no test leaks logging configuration into the next one."""

import logging
from collections.abc import Iterator

import pytest


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
