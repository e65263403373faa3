"""The strategy contract: declared parameters and a signal built from polars expressions.

A signal is a target exposure per bar in [-1, 1], known at that bar's close.
Warm-up bars are flat (0). Signals are position states: they hold until an exit.
"""

from __future__ import annotations

import abc
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.core.errors import ConfigError

__all__ = ["ParamSpec", "Strategy", "suggest"]


def suggest(name: str, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to ``name``, or None when nothing is close."""
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One declared strategy parameter.

    Args:
        name: Parameter name.
        kind: ``int`` or ``float``.
        default: Default value.
        low: Smallest allowed value (inclusive), or None.
        high: Largest allowed value (inclusive), or None.
        description: One line saying what it does.
    """

    name: str
    kind: type[int] | type[float]
    default: int | float
    low: float | None = None
    high: float | None = None
    description: str = ""

    def check(self, value: Any, *, strategy: str) -> int | float:
        """Return ``value`` coerced to the declared kind, or raise ``ConfigError``."""
        where = f"{strategy}.{self.name}"
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
        if self.kind is int and ok_type and isinstance(value, float) and value.is_integer():
            value = int(value)
        if not ok_type or (self.kind is int and not isinstance(value, int)):
            msg = f"`{where}` expects {self.kind.__name__}; got {value!r}"
            raise ConfigError(
                msg,
                hint=f"pass a {self.kind.__name__}, e.g. {self.name}={self.default!r}",
                context={"param": where, "expected": self.kind.__name__, "got": repr(value)},
            )
        if (
            not math.isfinite(value)
            or (self.low is not None and value < self.low)
            or (self.high is not None and value > self.high)
        ):
            msg = f"`{where}` must lie in [{self.low}, {self.high}]; got {value!r}"
            raise ConfigError(
                msg,
                hint=f"choose {self.name} within [{self.low}, {self.high}]",
                context={"param": where, "low": self.low, "high": self.high, "got": value},
            )
        return self.kind(value)


class Strategy(abc.ABC):
    """Base of every strategy. Subclasses declare ``name``, ``description``, ``params``.

    Instances are immutable: ``Strategy(**params)`` validates and fills defaults.

    Example:
        >>> from peak_trade.backtest.strategies import MaCrossover  # doctest: +SKIP
        >>> MaCrossover(fast=10, slow=30).params  # doctest: +SKIP
        {'fast': 10, 'slow': 30}
    """

    name: ClassVar[str]
    description: ClassVar[str]
    param_specs: ClassVar[tuple[ParamSpec, ...]]

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, int | float] = self.resolve_params(params)

    @classmethod
    def resolve_params(cls, params: Mapping[str, Any]) -> dict[str, int | float]:
        """Check names, types and ranges; fill defaults; run the cross-parameter check."""
        specs = {s.name: s for s in cls.param_specs}
        for key in params:
            if key not in specs:
                close = suggest(key, list(specs))
                hint = f"did you mean {close!r}? " if close else ""
                msg = f"strategy `{cls.name}` has no parameter {key!r}"
                raise ConfigError(
                    msg,
                    hint=f"{hint}allowed: {', '.join(specs)}",
                    context={"strategy": cls.name, "param": key, "allowed": list(specs)},
                )
        resolved = {
            name: spec.check(params.get(name, spec.default), strategy=cls.name)
            for name, spec in specs.items()
        }
        cls.check_params(resolved)
        return resolved

    @classmethod
    def check_params(cls, params: Mapping[str, int | float]) -> None:
        """Cross-parameter rules (e.g. ``fast < slow``); raise ``ConfigError``."""
        del params  # the base class has no cross-parameter rule

    @abc.abstractmethod
    def signal_expr(self) -> pl.Expr:
        """The target exposure as an expression over the OHLCV columns.

        Nulls (warm-up) are treated as flat.
        """

    def signal(self, data: pl.DataFrame, /) -> npt.NDArray[np.float64]:
        """Evaluate the signal over ``data`` as a contiguous float64 array."""
        expr = self.signal_expr().cast(pl.Float64).fill_null(0.0).fill_nan(0.0)
        out = data.select(expr.alias("signal")).to_series().to_numpy()
        return np.ascontiguousarray(out, dtype=np.float64)

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Signals of many parameter combinations: shape (bars, combos), Fortran order.

        The default evaluates every combination's expression in one polars
        ``select``; families may override it to share work between combinations.
        """
        exprs = [
            cls(**combo).signal_expr().cast(pl.Float64).fill_null(0.0).fill_nan(0.0).alias(str(i))
            for i, combo in enumerate(combos)
        ]
        if not exprs:
            return np.zeros((data.height, 0), dtype=np.float64, order="F")
        return np.asfortranarray(data.select(exprs).to_numpy(), dtype=np.float64)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"
