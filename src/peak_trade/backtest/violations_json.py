"""Invariant violations as strict JSON records, for ``stats.json`` and the report."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from peak_trade.core.errors import jsonable

if TYPE_CHECKING:
    from peak_trade.backtest.invariants import InvariantViolation

__all__ = ["violation_records"]


def violation_records(violations: Iterable[InvariantViolation], /) -> list[dict[str, Any]]:
    """One dict per violation, in the given order (first bar first for a result's).

    Keys: ``name``, ``bar``, ``timestamp`` (ISO 8601, or None), ``count`` and
    ``values`` (offending values by name; a NaN or inf value is None, so the
    record is strict JSON).

    Example:
        >>> v = InvariantViolation("fees_non_negative", 3, None, 1, {"fee": float("nan")})
        >>> violation_records([v])  # doctest: +SKIP
        [{'name': 'fees_non_negative', 'bar': 3, 'timestamp': None, 'count': 1,
          'values': {'fee': None}}]
    """
    return [
        {
            "name": v.name,
            "bar": int(v.bar),
            "timestamp": jsonable(v.timestamp),
            "count": int(v.count),
            "values": {
                str(k): float(x) if math.isfinite(float(x)) else None for k, x in v.values.items()
            },
        }
        for v in violations
    ]
