"""The backtest configuration: costs, sizing, fill timing, stops and end-of-run behaviour."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from peak_trade.core._frames import short_repr
from peak_trade.core._options import is_one_of
from peak_trade.core._suggest import suggest
from peak_trade.core.errors import ConfigError

__all__ = ["BacktestConfig", "ConfigLike", "Execution", "as_backtest_config"]

Execution = Literal["next_open", "close"]
_EXECUTIONS: tuple[str, ...] = get_args(Execution)
_STOPS = ("stop_loss", "take_profit", "trailing_stop")


def _fail(field: str, expected: str, got: Any, hint: str) -> ConfigError:
    shown = short_repr(got)
    msg = f"`BacktestConfig.{field}` must be {expected}; got {shown}"
    return ConfigError(msg, hint=hint, context={"field": field, "expected": expected, "got": shown})


def _number(field: str, value: Any) -> float:
    """``value`` as a finite float, or a ``ConfigError`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, "a number", value, f"pass a float, e.g. {field}=10.0")
    if not math.isfinite(value):
        raise _fail(field, "finite", value, f"pass a finite {field}")
    return float(value)


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """How a backtest fills orders and sizes positions; checked when it is built.

    Args:
        initial_cash: Starting cash, > 0.
        fee_bps: Fee in basis points of each fill's notional, in [0, 1000).
        slippage_bps: Price slippage in basis points, in [0, 1000): buys fill at
            ``price * (1 + s)``, sells at ``price * (1 - s)``.
        execution: ``"next_open"`` fills bar i's signal at ``open[i + 1]``;
            ``"close"`` fills it at ``close[i]``.
        position_fraction: Share of equity a target exposure of 1 commits, in (0, 1].
        allow_short: Accept negative target exposures.
        close_at_end: Close any open position at the last bar's close.
        periods_per_year: Bars per year for annualised stats; None infers it from
            the median bar spacing (365-day years).
        stop_loss: Exit when the price moves this fraction of the entry price
            against the position (> 0, finite), checked intrabar on high and low;
            None for no stop. The fill rules are in docs/backtest.md ("Stops").
        take_profit: Exit when the price moves this fraction of the entry price in
            favour of the position (> 0, finite); None for none.
        trailing_stop: Exit when the price falls this fraction below the highest
            high since entry (a long) or rises it above the lowest low (a short)
            (> 0, finite); None for none.

    Raises:
        ConfigError: A value is out of range or of the wrong type.

    Example:
        >>> BacktestConfig(fee_bps=5.0, execution="close").execution
        'close'
    """

    initial_cash: float = 10_000.0
    fee_bps: float = 10.0
    slippage_bps: float = 5.0
    execution: Execution = "next_open"
    position_fraction: float = 1.0
    allow_short: bool = False
    close_at_end: bool = False
    periods_per_year: float | None = None
    stop_loss: float | None = None
    take_profit: float | None = None
    trailing_stop: float | None = None

    def __post_init__(self) -> None:
        cash = _number("initial_cash", self.initial_cash)
        if cash <= 0:
            raise _fail("initial_cash", "> 0", self.initial_cash, "start with positive cash")
        for name in ("fee_bps", "slippage_bps"):
            value = _number(name, getattr(self, name))
            if not 0.0 <= value < 1000.0:
                raise _fail(
                    name, "in [0, 1000) basis points", value, f"10 bps is 0.1%: {name}=10.0"
                )
        if not is_one_of(self.execution, _EXECUTIONS):
            raise _fail(
                "execution", f"one of {list(_EXECUTIONS)}", self.execution, 'use "next_open"'
            )
        fraction = _number("position_fraction", self.position_fraction)
        if not 0.0 < fraction <= 1.0:
            raise _fail(
                "position_fraction",
                "in (0, 1]",
                self.position_fraction,
                "leverage is not modelled; use a fraction of equity up to 1.0",
            )
        for name in ("allow_short", "close_at_end"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(name, "a bool", getattr(self, name), f"pass {name}=True or False")
        if self.periods_per_year is not None:
            ppy = _number("periods_per_year", self.periods_per_year)
            if ppy <= 0:
                raise _fail(
                    "periods_per_year", "> 0 or None", ppy, "e.g. 252 for daily equity bars"
                )
        for name in _STOPS:
            value = getattr(self, name)
            if value is not None and not _number(name, value) > 0.0:
                raise _fail(
                    name,
                    "a fraction > 0 or None",
                    value,
                    f"0.05 is 5% of the entry price: {name}=0.05",
                )

    @property
    def has_stops(self) -> bool:
        """Whether any of ``stop_loss``, ``take_profit`` or ``trailing_stop`` is set."""
        return any(getattr(self, name) is not None for name in _STOPS)

    @property
    def fee_rate(self) -> float:
        """The fee as a fraction of notional (``fee_bps / 1e4``)."""
        return float(self.fee_bps) / 1e4

    @property
    def slippage_rate(self) -> float:
        """The slippage as a fraction of price (``slippage_bps / 1e4``)."""
        return float(self.slippage_bps) / 1e4

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (JSON/TOML friendly except ``None``).

        The stop fields appear only when set, so that a config without stops has
        the same dict (and the same chunk keys in a sweep) as before stops existed.
        """
        stops = {name: getattr(self, name) for name in _STOPS if getattr(self, name) is not None}
        return {
            "initial_cash": self.initial_cash,
            "fee_bps": self.fee_bps,
            "slippage_bps": self.slippage_bps,
            "execution": self.execution,
            "position_fraction": self.position_fraction,
            "allow_short": self.allow_short,
            "close_at_end": self.close_at_end,
            "periods_per_year": self.periods_per_year,
            **stops,
        }


#: What every ``config=`` option takes: a BacktestConfig or a mapping of its fields.
ConfigLike = BacktestConfig | Mapping[str, Any]


def as_backtest_config(value: Any, /) -> BacktestConfig:
    """``value`` as a ``BacktestConfig``: one as is, or a mapping of its fields.

    A mapping is checked like the ``[backtest]`` table of a config file: unknown
    keys are refused (with a did-you-mean), then every value goes through
    ``BacktestConfig``'s own checks.

    Raises:
        ConfigError: Not a BacktestConfig or mapping, an unknown key, or a bad value.

    Example:
        >>> as_backtest_config({"fee_bps": 5}).fee_bps
        5
    """
    if isinstance(value, BacktestConfig):
        return value
    names = [f.name for f in fields(BacktestConfig)]
    if not isinstance(value, Mapping):
        msg = (
            f"`config` must be a BacktestConfig or a mapping of its fields; got {short_repr(value)}"
        )
        raise ConfigError(
            msg,
            hint='e.g. config={"fee_bps": 5.0} or config=BacktestConfig(fee_bps=5.0)',
            context={"got": type(value).__name__, "allowed": names},
        )
    unknown = [k for k in value if k not in names]
    if unknown:
        close = suggest(str(unknown[0]), names)
        maybe = f"did you mean {close!r}? " if close else ""
        msg = f"`config` has unknown keys {unknown!r}"
        raise ConfigError(
            msg,
            hint=f"{maybe}allowed: {', '.join(names)}",
            context={"unknown": [repr(k) for k in unknown], "allowed": names},
        )
    return BacktestConfig(**value)
