"""Plain-text tables for the terminal: right-aligned numbers, no dependency."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["format_cell", "render_table"]


def format_cell(value: object, /) -> str:
    """A cell as text: floats with 4 significant decimals, None as ``-``.

    Example:
        >>> format_cell(0.123456), format_cell(None), format_cell(3)
        ('0.1235', '-', '3')
    """
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if math.isfinite(value) else str(value)
    return str(value)


def _numeric(values: Sequence[object]) -> bool:
    """True when every set value is a number (bools are not); None cells do not count."""
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    )


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], /) -> str:
    """The rows under the headers, columns padded; numbers right-aligned.

    Example:
        >>> print(render_table(["a", "n"], [["x", 1.5]]))
        a       n
        -  ------
        x  1.5000
    """
    cells = [[format_cell(v) for v in row] for row in rows]
    numeric = [_numeric([row[i] for row in rows]) for i in range(len(headers))]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
