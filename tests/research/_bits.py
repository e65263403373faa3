"""Bit-exact comparison of result frames, shared by the sweep tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl


def bits(frame: pl.DataFrame) -> dict[str, Any]:
    """Each column's exact content: float columns as their IEEE-754 bit patterns."""
    out: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        values = frame.get_column(name)
        out[name] = (
            values.to_numpy().view(np.int64).tolist() if dtype == pl.Float64 else values.to_list()
        )
    return out
