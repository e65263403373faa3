"""Compact JSON for the page's series: times as steps of one tick, values to 7 digits.

A decimated series of 4,000 points written as epoch milliseconds and full-precision
floats costs about 33 bytes a point. Here:

- times are ``t0`` plus whole steps of ``dt`` (the greatest common divisor of
  the gaps, e.g. one bar), sent as the steps between consecutive points: a few
  digits each instead of 13, and every time stays exact;
- values are rounded to 7 significant digits of the value or of the series'
  range, whichever is finer (a chart cannot show more), except the first, the
  last, the largest and the smallest value, which keep their exact float (the
  shortest repr that reads back the same double). Rounded values are clipped into
  ``[min, max]``, so the drawn extremes are the true ones.

``decode`` in ``assets/report.js`` turns ``{"t0", "dt", "dx"}`` back into times.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["compact_values", "encode_series", "encode_times"]

#: Significant digits kept of each value (and of the range).
DIGITS: Final = 7
#: Decimal places past which a value is left as it is (1e-22 is the last exact power of 10).
_MAX_DECIMALS: Final = 22

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def encode_times(ms: Ints, /) -> dict[str, Any]:
    """Ascending epoch ms as ``{"t0", "dt", "dx"}``: ``ms[i] = t0 + dt * sum(dx[: i + 1])``."""
    if ms.size == 0:
        return {"t0": 0, "dt": 1, "dx": []}
    gaps = np.diff(ms)
    tick = int(np.gcd.reduce(gaps)) if gaps.size else 1
    tick = max(tick, 1)
    steps = np.concatenate(([0], gaps // tick))
    return {"t0": int(ms[0]), "dt": tick, "dx": steps.tolist()}


def _decimals(values: Floats) -> npt.NDArray[np.int64]:
    """Per value: the decimal places of 7 significant digits of it or of the range."""
    finite = values[np.isfinite(values)]
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    size = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(size > 0.0, DIGITS - 1 - np.floor(np.log10(size)), -_MAX_DECIMALS)
    by_span = DIGITS - 1 - math.floor(math.log10(span)) if span > 0.0 else -_MAX_DECIMALS
    own = np.where(np.isfinite(own), own, -_MAX_DECIMALS)
    return np.maximum(own, by_span).astype(np.int64)


def compact_values(values: Floats, /) -> list[float | None]:
    """``values`` rounded for display (see the module), as JSON-ready floats; NaN/inf as None."""
    out = values.astype(np.float64, copy=True)
    finite = np.isfinite(out)
    if not finite.any():
        return [None] * out.size
    decimals = _decimals(out)
    for d in np.unique(decimals[finite]):
        sel = finite & (decimals == d)
        if d > _MAX_DECIMALS:
            continue  # below 1e-15 of the range and the value: leave it exact
        if d >= 0:
            scale = 10.0 ** int(d)  # exact for d <= 22
            out[sel] = np.round(out[sel] * scale) / scale
        else:
            unit = 10.0 ** int(-d)
            out[sel] = np.round(out[sel] / unit) * unit
    exact = values[finite]
    lo, hi = float(exact.min()), float(exact.max())
    np.clip(out, lo, hi, out=out, where=finite)
    idx = np.flatnonzero(finite)
    for i in (idx[0], idx[-1], idx[np.argmin(exact)], idx[np.argmax(exact)]):
        out[i] = values[i]
    cells: list[float | None] = out.tolist()
    for i in np.flatnonzero(~finite).tolist():  # NaN and inf (few, if any): None
        cells[i] = None
    return cells


def encode_series(ms: Ints, values: Floats, /) -> dict[str, Any]:
    """Times and values of one series for the page: ``{"t0", "dt", "dx", "y"}``."""
    return encode_times(ms) | {"y": compact_values(values)}
