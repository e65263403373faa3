"""Former home of ``write_text_atomic``; the one atomic write now lives in ``core._atomic``.

Kept as a re-export so that code written against the old path keeps working;
import from :mod:`peak_trade.core._atomic` in new code.
"""

from __future__ import annotations

from peak_trade.core._atomic import write_text_atomic

__all__ = ["write_text_atomic"]
