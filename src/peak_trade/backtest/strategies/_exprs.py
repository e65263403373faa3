"""Polars expression building blocks shared by the strategy families."""

from __future__ import annotations

import polars as pl

__all__ = ["after_warmup", "bar_index", "col", "hold_state", "sma", "while_true"]

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
