"""Polars expression building blocks shared by the strategy families."""

from __future__ import annotations

import polars as pl

__all__ = [
    "BAND_MARGIN",
    "above_band",
    "after_warmup",
    "bar_index",
    "below_band",
    "col",
    "hold_state",
    "sma",
    "while_true",
]

BAND_MARGIN = 1e-9
"""Relative margin of the band rules: a price within ``BAND_MARGIN * (|mean| + |z| * std)``
of ``mean + z * std`` only touches it. Far above float rounding (~1e-16), far below a tick."""

_LONG = pl.lit(1.0)
_FLAT = pl.lit(0.0)


def col(name: str = "close") -> pl.Expr:
    """An OHLCV column as float64."""
    return pl.col(name).cast(pl.Float64)


def bar_index() -> pl.Expr:
    """0, 1, 2, ... over the frame's rows."""
    return pl.int_range(pl.len())


def after_warmup(expr: pl.Expr, bars: int) -> pl.Expr:
    """``expr`` from bar ``bars`` on; null (flat) on the first ``bars`` bars."""
    return pl.when(bar_index() >= bars).then(expr)


def sma(expr: pl.Expr, window: int) -> pl.Expr:
    """Simple moving average of the last ``window`` values, the current one included.

    Computed as ``(S[i] - S[i - window]) / window`` over the running sum ``S``
    (``S[-1] = 0``), so the numba kernel of ``ma_crossover`` reproduces it bit for
    bit. Null for the first ``window - 1`` bars.
    """
    running = expr.cum_sum()
    return after_warmup((running - running.shift(window).fill_null(0.0)) / window, window - 1)


def while_true(condition: pl.Expr) -> pl.Expr:
    """Long (1) on bars where ``condition`` holds, flat (0) elsewhere and on nulls."""
    return pl.when(condition).then(_LONG).otherwise(_FLAT)


def hold_state(enter: pl.Expr, leave: pl.Expr) -> pl.Expr:
    """A long position state: 1 from a bar where ``enter`` holds until ``leave`` holds.

    ``enter`` wins when both hold (strategies rule that out with their parameter
    checks). Bars where neither holds (a null counts as not holding) keep the
    previous state; the state before the first decision is flat.
    """
    decided = pl.when(enter).then(_LONG).when(leave).then(_FLAT).otherwise(None)
    return decided.forward_fill().fill_null(0.0)


def _band(mean: pl.Expr, std: pl.Expr, z: float) -> tuple[pl.Expr, pl.Expr]:
    """The band ``mean + z * std`` and its touch margin ``BAND_MARGIN * (|mean| + |z| * std)``."""
    return mean + z * std, BAND_MARGIN * (mean.abs() + abs(z) * std)


def below_band(x: pl.Expr, mean: pl.Expr, std: pl.Expr, z: float) -> pl.Expr:
    """``x`` strictly below the band ``mean + z * std``, by more than the touch margin.

    Values within rounding of the band (e.g. the close of a flat window, or the
    window minimum on the 1-std band of a 2-bar window) only touch it: false.
    """
    band, margin = _band(mean, std, z)
    return x < band - margin


def above_band(x: pl.Expr, mean: pl.Expr, std: pl.Expr, z: float) -> pl.Expr:
    """``x`` strictly above the band ``mean + z * std``, by more than the touch margin."""
    band, margin = _band(mean, std, z)
    return x > band + margin
