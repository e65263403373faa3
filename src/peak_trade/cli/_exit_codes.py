"""Exit codes of the ``peak-trade`` command, one per failure family (docs/cli.md)."""

from __future__ import annotations

from typing import Final

from peak_trade.core.errors import (
    BacktestInvariantError,
    CacheCorruptionError,
    ConfigError,
    DataContractError,
    PeakTradeError,
    ProviderError,
)

__all__ = [
    "EXIT_CACHE",
    "EXIT_CONTRACT",
    "EXIT_FAILED",
    "EXIT_INVARIANT",
    "EXIT_OK",
    "EXIT_PROVIDER",
    "EXIT_USAGE",
    "exit_code_for",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1  # any other deliberate failure (e.g. `reproduce` found a difference)
EXIT_USAGE: Final = 2
EXIT_CONTRACT: Final = 3
EXIT_INVARIANT: Final = 4
EXIT_PROVIDER: Final = 5
EXIT_CACHE: Final = 6

_BY_TYPE: Final[tuple[tuple[type[PeakTradeError], int], ...]] = (
    (ConfigError, EXIT_USAGE),
    (DataContractError, EXIT_CONTRACT),
    (BacktestInvariantError, EXIT_INVARIANT),
    (ProviderError, EXIT_PROVIDER),
    (CacheCorruptionError, EXIT_CACHE),
)


def exit_code_for(err: PeakTradeError, /) -> int:
    """The exit code for ``err``: the first family it belongs to, else 1.

    Example:
        >>> exit_code_for(ConfigError("bad"))
        2
    """
    return next((code for kind, code in _BY_TYPE if isinstance(err, kind)), EXIT_FAILED)
