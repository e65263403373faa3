"""Structured logging with run ids: the library logs, the application configures.

Library modules log through ``logging.getLogger("peak_trade.<module>")``; the
message is the event name (``cache.write``) and the fields go in ``extra``. No
printing handler is configured on import. Every record from ``peak_trade.*``
carries ``run_id`` and ``trace_id`` (``None`` when unbound) from
:func:`run_context`, stamped by the library's silent handler on the
``peak_trade`` logger (no process-wide record factory is replaced); applications
and the CLI call :func:`configure_logging` to print them.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import IO, Literal

from peak_trade.core._log_context import (
    RESERVED_KEYS,
    ContextFilter,
    bind_context,
    current_context,
    install_stamping_handler,
    run_context,
    spawn_thread,
)
from peak_trade.core._log_format import JsonFormatter, TextFormatter
from peak_trade.core.errors import ConfigError

__all__ = [
    "RESERVED_KEYS",
    "ContextFilter",
    "JsonFormatter",
    "TextFormatter",
    "bind_context",
    "configure_logging",
    "current_context",
    "run_context",
    "spawn_thread",
]

# The library's only handler: a NullHandler, as the logging docs advise for libraries,
# so that WARNING events are not printed by Python's last-resort handler when the
# application configured no logging; this one also stamps the run ids on records
# (StampingHandler). Nothing process-wide changes on import. configure_logging adds
# the handler that prints.
install_stamping_handler(logging.getLogger("peak_trade"))

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_configure_lock = threading.Lock()


def configure_logging(
    level: str | int = "INFO",
    fmt: Literal["text", "json"] = "text",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Print ``peak_trade.*`` records to ``stream`` (stderr by default); for apps and the CLI.

    Installs one handler on the ``peak_trade`` logger, replacing the one an earlier
    call installed, and sets that logger's level. Records still propagate to the
    root logger, so do not also route ``peak_trade`` there.

    Args:
        level: A level name (``"DEBUG"`` ... ``"CRITICAL"``) or number.
        fmt: ``"json"`` for one JSON object per line (``ts``, ``level``, ``logger``,
            ``event``, ``run_id``, ``trace_id``, bound and ``extra`` fields), or
            ``"text"`` for ``ts LEVEL logger event key=value ...``.
        stream: A text stream; ``sys.stderr`` when omitted.

    Returns:
        The installed handler (remove it with ``logging.getLogger("peak_trade").removeHandler``).

    Raises:
        ConfigError: Unknown ``level`` or ``fmt``.

    Example:
        >>> configure_logging("DEBUG", fmt="json")  # doctest: +SKIP
    """
    if isinstance(level, str) and level.upper() in _LEVELS:
        number = logging.getLevelNamesMapping()[level.upper()]
    elif isinstance(level, int) and not isinstance(level, bool) and level >= 0:
        number = level
    else:
        msg = f"configure_logging: `level` must be one of {list(_LEVELS)} or an int; got {level!r}"
        raise ConfigError(msg, hint='pass e.g. level="INFO"', context={"level": repr(level)})
    formatters = {"text": TextFormatter, "json": JsonFormatter}
    if fmt not in formatters:
        msg = f"configure_logging: `fmt` must be 'text' or 'json'; got {fmt!r}"
        raise ConfigError(msg, hint='pass fmt="json" for JSON lines', context={"fmt": repr(fmt)})
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatters[fmt]())
    handler.addFilter(ContextFilter())  # in case the library's stamping handler was removed
    handler._peak_trade_configured = True  # type: ignore[attr-defined]  # marks our handler
    logger = logging.getLogger("peak_trade")
    with _configure_lock:
        for old in [h for h in logger.handlers if getattr(h, "_peak_trade_configured", False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(number)
    return handler
