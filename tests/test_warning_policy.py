"""pytest's warning policy (pyproject): ours are errors, a peer's compile warnings are not."""

from __future__ import annotations

import warnings

import pytest

# What numba 0.68 says while compiling vectorbt's kernels with an empty cache.
PEER_COMPILE_WARNING = (
    "\nEncountered the use of a type that is scheduled for deprecation: type 'reflected "
    "list' found for argument 'windows' of function 'ma_cache_nb'.\n\n"
    'File "../../venv/lib/python3.11/site-packages/vectorbt/indicators/nb.py", line 43:\n'
)


@pytest.mark.smoke
def test_peer_compile_warning_is_not_an_error() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn(PendingDeprecationWarning(PEER_COMPILE_WARNING), stacklevel=1)
    assert caught == []


@pytest.mark.parametrize(
    "message",
    [
        PEER_COMPILE_WARNING.replace("vectorbt/", "peak_trade/"),
        "`run_backtest(df, column)` is deprecated: use signal=",
    ],
)
def test_our_warnings_stay_errors(message: str) -> None:
    with pytest.raises(PendingDeprecationWarning, match="deprecat"):
        warnings.warn(PendingDeprecationWarning(message), stacklevel=1)
