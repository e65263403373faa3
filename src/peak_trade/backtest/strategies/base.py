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

from peak_trade.core._frames import short_repr, to_polars
from peak_trade.core.errors import ConfigError, DataContractError

__all__ = ["ParamSpec", "Strategy", "param_error", "suggest"]


def suggest(name: str, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to ``name``, or None when nothing is close.

    Example:
        >>> suggest("fsat", ["fast", "slow"])
        'fast'
    """
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _bound_text(value: float | None, unbounded: str) -> str:
    if value is None:
        return unbounded
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _range_text(low: float | None, high: float | None) -> str:
    return f"[{_bound_text(low, '-inf')}, {_bound_text(high, 'inf')}]"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One declared strategy parameter.

    Args:
        name: Parameter name (a Python identifier).
        kind: ``int`` or ``float``.
        default: Default value; must lie within ``[low, high]``.
        low: Smallest allowed value (inclusive), or None.
        high: Largest allowed value (inclusive), or None.
        description: One line saying what it does.

    Example:
        >>> ParamSpec("window", int, 14, low=1, high=10_000).check(20, strategy="rsi")
        20
    """

    name: str
    kind: type[int] | type[float]
    default: int | float
    low: float | None = None
    high: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        problem = None
        bounds = [b for b in (self.low, self.high) if b is not None]
        if not isinstance(self.name, str) or not self.name.isidentifier():
            problem = f"the name {short_repr(self.name)} is not an identifier"
        elif not (self.kind is int or self.kind is float):
            problem = f"`kind` must be int or float; got {short_repr(self.kind)}"
        elif any(isinstance(b, bool) or not isinstance(b, int | float) or b != b for b in bounds):
            problem = f"`low` and `high` must be numbers or None; got {bounds!r:.80}"
        elif self.low is not None and self.high is not None and self.low > self.high:
            problem = f"`low` {self.low!r} exceeds `high` {self.high!r}"
        if problem is not None:
            name = self.name if isinstance(self.name, str) else short_repr(self.name)
            msg = f"bad parameter spec `{name}`: {problem}"
            raise ConfigError(msg, hint="fix the ParamSpec declaration", context={"param": name})
        self.check(self.default, strategy="<default>")

    @property
    def range_text(self) -> str:
        """The allowed range as text, e.g. ``[1, 10000]``."""
        return _range_text(self.low, self.high)

    def check(self, value: Any, *, strategy: str) -> int | float:
        """Return ``value`` coerced to the declared kind, or raise ``ConfigError``.

        Example:
            >>> ParamSpec("entry", float, 0.02).check(1, strategy="momentum")
            1.0
        """
        where = f"{strategy}.{self.name}"
        ok_type = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
        if ok_type:
            value = value.item() if isinstance(value, np.generic) else value
        if self.kind is int and ok_type and isinstance(value, float) and value.is_integer():
            value = int(value)
        if not ok_type or (self.kind is int and not isinstance(value, int)):
            msg = f"`{where}` expects {self.kind.__name__}; got {short_repr(value)}"
            raise ConfigError(
                msg,
                hint=f"pass a {self.kind.__name__}, e.g. {self.name}={self.default!r}",
                context={"param": where, "expected": self.kind.__name__, "got": short_repr(value)},
            )
        if (
            not math.isfinite(value)
            or (self.low is not None and value < self.low)
            or (self.high is not None and value > self.high)
        ):
            msg = f"`{where}` must lie in {self.range_text}; got {value!r}"
            raise ConfigError(
                msg,
                hint=f"choose {self.name} within {self.range_text}",
                context={"param": where, "low": self.low, "high": self.high, "got": value},
            )
        return self.kind(value)


def param_error(
    strategy: str, rule: str, params: Mapping[str, int | float], *, hint: str
) -> ConfigError:
    """The ``ConfigError`` for a broken cross-parameter rule such as ``fast < slow``.

    Example:
        >>> param_error("macd", "fast < slow", {"fast": 30, "slow": 26}, hint="x").message
        '`macd` needs fast < slow; got fast=30, slow=26'
    """
    got = ", ".join(f"{k}={v!r}" for k, v in params.items())
    msg = f"`{strategy}` needs {rule}; got {got}"
    return ConfigError(msg, hint=hint, context={"strategy": strategy, "rule": rule, **params})


def _evaluate(
    cls: type[Strategy], data: pl.DataFrame, exprs: Sequence[pl.Expr]
) -> list[npt.NDArray[np.float64]]:
    """The signal expressions over ``data``: one float64 array per expression.

    Nulls (warm-up) and NaNs become 0 (flat), as ``fill_null(0.0).fill_nan(0.0)``
    would. A scalar expression (e.g. ``pl.lit(1.0)``) is broadcast to every bar. All
    expressions go through one ``select``, so polars shares their common parts.
    """
    names = [f"__peak_trade_signal_{i}" for i in range(len(exprs))]
    typed = [e.cast(pl.Float64).alias(n) for e, n in zip(exprs, names, strict=True)]
    try:
        frame = data.select(typed)
        if frame.height not in (1, data.height):
            data.with_columns(typed)  # raises polars' own shape error, reported below
    except pl.exceptions.PolarsError as exc:
        msg = f"the signal expression of `{cls.name}` failed on a {data.height}-bar frame: {exc}"
        raise ConfigError(
            msg,
            hint="signal_expr must give one value per bar from the OHLCV columns",
            context={"strategy": cls.name, "bars": data.height},
            cause=exc,
        ) from exc
    if frame.height not in (1, data.height):
        msg = (
            f"the signal expression of `{cls.name}` failed on a {data.height}-bar frame: "
            f"it gave {frame.height} values"
        )
        raise ConfigError(
            msg,
            hint="signal_expr must give one value per bar (or one scalar) from the OHLCV columns",
            context={"strategy": cls.name, "bars": data.height, "got": frame.height},
        )
    out = []
    for name in names:
        values = np.asarray(frame.get_column(name).to_numpy(), dtype=np.float64)  # null -> NaN
        flat = np.isnan(values)
        if flat.any():
            values = np.where(flat, 0.0, values)
        if values.shape[0] != data.height:
            values = np.full(data.height, values[0])
        out.append(values)
    return out


def _owner(cls: type, attribute: str) -> type:
    """The class in ``cls``'s MRO that defines ``attribute``."""
    return next(c for c in cls.__mro__ if attribute in c.__dict__)


class Strategy(abc.ABC):
    """Base of every strategy. Subclasses declare ``name``, ``description``, ``param_specs``.

    A subclass without its own ``name`` is called by its class name until it is
    registered (``register_strategy`` gives it the registered name).

    ``Strategy(**params)`` validates and fills defaults; treat instances as immutable
    (equality and hashing use the resolved ``params``).
    Signals are long-only (0 or 1) for every built-in; see docs/strategies.md.

    Example:
        >>> from peak_trade.backtest.strategies import MaCrossover
        >>> MaCrossover(fast=10, slow=30).params
        {'fast': 10, 'slow': 30}
    """

    name: ClassVar[str]
    description: ClassVar[str]
    param_specs: ClassVar[tuple[ParamSpec, ...]]
    required_columns: ClassVar[tuple[str, ...]] = ("close",)
    name_is_default: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass that names itself keeps it; any other takes its class name until
        # the registry renames it, so messages never show an inherited, wrong name.
        super().__init_subclass__(**kwargs)
        cls.name_is_default = "name" not in cls.__dict__
        if cls.name_is_default:
            cls.name = cls.__name__

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, int | float] = self.resolve_params(params)

    @classmethod
    def resolve_params(cls, params: Mapping[str, Any]) -> dict[str, int | float]:
        """Check names, types and ranges; fill defaults; run the cross-parameter check.

        Example:
            >>> from peak_trade.backtest.strategies import MaCrossover
            >>> MaCrossover.resolve_params({"fast": 5})
            {'fast': 5, 'slow': 50}
        """
        specs = {s.name: s for s in cls.param_specs}
        for key in params:
            if key not in specs:
                close = suggest(str(key), list(specs))
                hint = f"did you mean {close!r}? " if close else ""
                msg = f"strategy `{cls.name}` has no parameter {key!r}"
                raise ConfigError(
                    msg,
                    hint=f"{hint}allowed: {', '.join(specs) or '(none)'}",
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

    def warmup(self) -> int:
        """How many leading bars are always flat, whatever the data."""
        return 0

    @classmethod
    def check_columns(cls, data: pl.DataFrame, /) -> None:
        """Raise ``DataContractError`` when ``data`` lacks a column the strategy reads."""
        missing = [c for c in cls.required_columns if c not in data.columns]
        if missing:
            msg = f"strategy `{cls.name}` reads columns {missing} that the data lacks"
            raise DataContractError(
                msg,
                hint="pass a canonical OHLCV frame (see validate_ohlcv)",
                context={"missing": missing, "columns": list(data.columns)},
            )

    def signal(self, data: pl.DataFrame, /) -> npt.NDArray[np.float64]:
        """Evaluate the signal over ``data`` as a contiguous float64 array.

        Example:
            >>> from peak_trade.backtest.strategies import MaCrossover
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> MaCrossover(fast=2, slow=3).signal(synthetic_ohlcv(5)).shape
            (5,)
        """
        data = to_polars(data)
        self.check_columns(data)
        cls = type(self)
        matrix_owner = _owner(cls, "signal_matrix")
        if matrix_owner is not Strategy and issubclass(matrix_owner, _owner(cls, "signal_expr")):
            # The family's own kernel serves one combination too: the same values as
            # a grid over this combination, and no polars expression per call.
            return np.ascontiguousarray(cls.signal_matrix(data, [self.params])[:, 0])
        (values,) = _evaluate(cls, data, [self.signal_expr()])
        return np.ascontiguousarray(values, dtype=np.float64)

    @classmethod
    def signal_matrix(
        cls, data: pl.DataFrame, combos: Sequence[Mapping[str, Any]], /
    ) -> npt.NDArray[np.float64]:
        """Signals of many parameter combinations: shape (bars, combos), Fortran order.

        The default evaluates every combination's expression in one polars
        ``select``; families may override it to share work between combinations.

        Example:
            >>> from peak_trade.backtest.strategies import Momentum
            >>> from peak_trade.data.providers.synthetic import synthetic_ohlcv
            >>> Momentum.signal_matrix(synthetic_ohlcv(9), [{}, {"lookback": 3}]).shape
            (9, 2)
        """
        data = to_polars(data)
        cls.check_columns(data)
        exprs = [cls(**combo).signal_expr() for combo in combos]
        if not exprs:
            return np.zeros((data.height, 0), dtype=np.float64, order="F")
        out = np.empty((data.height, len(exprs)), dtype=np.float64, order="F")
        for j, values in enumerate(_evaluate(cls, data, exprs)):
            out[:, j] = values
        return out

    def __eq__(self, other: object) -> bool:
        """Equal when of the same class with the same resolved parameters."""
        if not isinstance(other, Strategy) or type(other) is not type(self):
            return NotImplemented
        return other.params == self.params

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"
