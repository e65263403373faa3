"""The frame conversion every data function uses; it lives in ``core._frames``.

It sits in ``core`` because ``stable_hash`` (core) needs it too; this module keeps
the data layer's import path.
"""

from __future__ import annotations

from peak_trade.core._frames import FRAME_KINDS, is_frame, short_repr, to_polars, to_series

__all__ = ["FRAME_KINDS", "is_frame", "short_repr", "to_polars", "to_series"]
