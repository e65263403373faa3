"""The one-line notice before the first-ever kernel compile."""

import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from peak_trade.backtest._compile_notice import COMPILE_MESSAGE, announce_compile, has_disk_cache
from peak_trade.backtest._nb.simulate import simulate_nb
from peak_trade.backtest.engine import run_backtest
from peak_trade.data.providers.synthetic import synthetic_ohlcv


class _Kernel:
    """Stands in for a dispatcher: numba 0.68's path to its cache index, and hashable."""

    def __init__(self, index: Path) -> None:
        self._cache = SimpleNamespace(_cache_file=SimpleNamespace(_index_path=str(index)))


def test_a_kernel_that_ran_has_a_disk_cache():
    run_backtest(synthetic_ohlcv(10), signal=np.zeros(10))
    assert Path(simulate_nb._cache._cache_file._index_path).exists()
    assert has_disk_cache(simulate_nb)


@pytest.mark.smoke
def test_no_cache_index_logs_the_notice_once_when_stderr_is_not_a_terminal(tmp_path, caplog):
    kernel = _Kernel(tmp_path / "missing.nbi")
    with caplog.at_level(logging.INFO, logger="peak_trade.backtest.engine"):
        assert announce_compile(kernel) is True
        assert announce_compile(kernel) is True  # cached: the same answer, no new event
    events = [r for r in caplog.records if r.getMessage() == "backtest.compile"]
    assert len(events) == 1
    assert events[0].notice == COMPILE_MESSAGE


def test_an_existing_cache_index_says_nothing(tmp_path, caplog):
    index = tmp_path / "kernel.nbi"
    index.write_bytes(b"")
    with caplog.at_level(logging.INFO, logger="peak_trade.backtest.engine"):
        assert announce_compile(_Kernel(index)) is False
    assert [r for r in caplog.records if r.getMessage() == "backtest.compile"] == []
