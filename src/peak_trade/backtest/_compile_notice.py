"""One line before the first-ever kernel compile, so a ~20 s pause is not a mystery.

numba compiles the engine's kernels on their first call and caches them on disk
(``__pycache__`` next to the sources, or ``NUMBA_CACHE_DIR``). When that cache holds
no index for the simulation kernel, the coming call compiles: say so once per
process, on stderr when it is a terminal, else as an INFO log event.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from typing import Any

__all__ = ["COMPILE_MESSAGE", "announce_compile", "has_disk_cache"]

COMPILE_MESSAGE = "compiling peak_trade kernels (once, ~20 s)"
_log = logging.getLogger("peak_trade.backtest.engine")


def has_disk_cache(kernel: Any) -> bool:
    """Whether numba's on-disk cache already indexes ``kernel`` (True when unknown)."""
    index = getattr(
        getattr(getattr(kernel, "_cache", None), "_cache_file", None), "_index_path", None
    )
    return not isinstance(index, str) or os.path.exists(index)


@functools.cache
def announce_compile(kernel: Any) -> bool:
    """Say once per process that ``kernel`` will compile; return whether it was said."""
    if has_disk_cache(kernel):
        return False
    if sys.stderr is not None and sys.stderr.isatty():
        print(COMPILE_MESSAGE, file=sys.stderr, flush=True)
    else:
        _log.info("backtest.compile", extra={"notice": COMPILE_MESSAGE})
    return True
