"""numba's failure to find a writable kernel cache becomes a ConfigError with its fix."""

import pytest

from peak_trade.backtest._cache_errors import kernel_cache_errors
from peak_trade.core.errors import ConfigError

NUMBA_MESSAGE = (
    "cannot cache function 'entries_exits_nb': no locator available for file "
    "'/usr/lib/python3/site-packages/peak_trade/backtest/_nb/entries.py'"
)


def test_the_no_locator_error_names_numba_cache_dir():
    with pytest.raises(ConfigError, match="no writable directory") as info, kernel_cache_errors():
        raise RuntimeError(NUMBA_MESSAGE)
    assert "NUMBA_CACHE_DIR" in info.value.hint
    assert info.value.context["numba"] == NUMBA_MESSAGE
    assert isinstance(info.value.__cause__, RuntimeError)


def test_other_runtime_errors_pass_through_unchanged():
    with pytest.raises(RuntimeError, match="something else"), kernel_cache_errors():
        raise RuntimeError("something else")
