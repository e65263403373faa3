"""numba's "cannot cache" failure at import, as a ``ConfigError`` with its fix.

The engine's kernels are compiled with ``cache=True``. numba looks for a writable
place for that cache when a kernel module is imported (the package's
``__pycache__``, then the user's cache directory) and raises a bare ``RuntimeError``
("cannot cache function ...: no locator available") when there is none: a
read-only install with no writable home. ``NUMBA_CACHE_DIR`` fixes it
(docs/backtest.md, "Read-only installs").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from peak_trade.core.errors import ConfigError

__all__ = ["kernel_cache_errors"]

_NUMBA_SAYS = "cannot cache function"


@contextmanager
def kernel_cache_errors() -> Iterator[None]:
    """Turn numba's no-writable-cache ``RuntimeError`` into a ``ConfigError``."""
    try:
        yield
    except RuntimeError as exc:
        if _NUMBA_SAYS not in str(exc):
            raise
        msg = f"numba found no writable directory for peak_trade's kernel cache: {exc}"
        hint = "set NUMBA_CACHE_DIR to a writable directory, e.g. NUMBA_CACHE_DIR=/tmp/numba"
        raise ConfigError(msg, hint=hint, context={"numba": str(exc)}) from exc
