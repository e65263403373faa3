"""Backtest invariants: the configuration, the violation records and the error.

Every run proves its own bookkeeping (docs/invariants.md states each invariant).
The kernels in ``_nb/checks.py``, ``_nb/fill_checks.py`` and ``_nb/end.py`` return codes, bars
and offending values; this module turns them into :class:`InvariantViolation` records, a
``BacktestInvariantError`` (strict), or one ``invariant.violated`` warning log per
invariant (warn), and runs the user's extension checks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import polars as pl
from numba.core.registry import CPUDispatcher

from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest._nb.records import Violations
from peak_trade.backtest._nb.user import user_pass_nb
from peak_trade.core._frames import short_repr
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import BacktestInvariantError, ConfigError
from peak_trade.core.repro import ReproContext

__all__ = [
    "INVARIANT_NAMES",
    "InvariantConfig",
    "InvariantMode",
    "InvariantTiming",
    "InvariantViolation",
]

_log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
InvariantMode = Literal["strict", "warn", "off"]
InvariantTiming = Literal["every_bar", "end"]
_MODES: tuple[str, ...] = get_args(InvariantMode)
_TIMINGS: tuple[str, ...] = get_args(InvariantTiming)

#: The built-in invariants by kernel code (code = index + 1).
INVARIANT_NAMES: tuple[str, ...] = (
    "cash_non_negative",
    "equity_finite",
    "accounting_identity",
    "exposure_within_limit",
    "fill_price_valid",
    "fees_non_negative",
    "timestamps_increasing",
    "trades_reconcile",
)
_VALUE_NAMES: tuple[tuple[str, ...], ...] = (
    ("cash", "equity", "position"),
    ("equity", "cash", "position"),
    ("equity", "cash_plus_position_value", "mark_price"),
    ("abs_position_value", "equity", "limit"),
    ("fill_price", "low_bound", "high_bound"),
    ("fee", "fill_row"),
    ("previous_timestamp", "timestamp"),
    ("expected_equity", "final_equity", "difference"),
)
_HINTS: tuple[str, ...] = (
    "the account spent more cash than it had: check sizing, fees and slippage",
    "a price, fee or size produced NaN/inf: check the data and the config",
    "equity must be cash + position x close: an accounting step is missing",
    "the position is larger than max_leverage x equity allows: check sizing",
    "a fill happened outside its bar's [low, high] range widened by slippage",
    "fees must be >= 0: check fee_bps and the fill model",
    "timestamps must strictly increase: sort and deduplicate the data",
    "the trades' pnl does not add up to the final equity: a fill escaped the trade book",
)
_USER_CODE = 0


@dataclass(frozen=True, slots=True)
class InvariantViolation:
    """The first occurrence of one broken invariant, and how often it broke.

    Attributes:
        name: The invariant's stable name (``INVARIANT_NAMES`` or a user check's key).
        bar: The bar index of the first occurrence.
        timestamp: That bar's timestamp.
        count: Violations found (bars, or fills for the fill invariants); 1 in
            strict mode, which stops at the first.
        values: The offending values at the first occurrence, by name.

    Example:
        >>> InvariantViolation("fees_non_negative", 3, None, 1, {"fee": -1.0}).name
        'fees_non_negative'
    """

    name: str
    bar: int
    timestamp: Any
    count: int
    values: Mapping[str, float]


def _fail(name: str, expected: str, got: Any, hint: str) -> ConfigError:
    shown = short_repr(got)
    msg = f"`InvariantConfig.{name}` must be {expected}; got {shown}"
    return ConfigError(msg, hint=hint, context={"field": name, "expected": expected, "got": shown})


def _tolerance(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0.0:
        raise _fail(name, "a finite number >= 0", value, f"e.g. {name}=1e-6")
    if not math.isfinite(value):
        raise _fail(name, "a finite number >= 0", value, f"e.g. {name}=1e-6")
    return float(value)


@dataclass(frozen=True, slots=True)
class InvariantConfig:
    """Which invariants run, when, how strictly and with what tolerances.

    Args:
        mode: ``"strict"`` raises ``BacktestInvariantError`` at the first violation;
            ``"warn"`` logs one ``invariant.violated`` warning per invariant and
            records them in ``result.violations``; ``"off"`` skips every check.
        timing: ``"every_bar"`` checks inside the simulation kernel after each bar;
            ``"end"`` checks the finished arrays with a separate kernel.
        abs_tol: Absolute tolerance in cash units; see ``tol(x)`` in docs/invariants.md.
        rel_tol: Relative tolerance: ``tol(x) = abs_tol + rel_tol * max(1, |x|)``.
        max_leverage: The largest ``|position x close| / equity``; None derives it
            from the backtest config: 1 for long-only accounts (``position_fraction``
            <= 1 and cash >= 0 keep exposure <= 1), unbounded when shorts are allowed
            (a short's exposure grows as the price rises; the engine liquidates at
            equity <= 0).
        bar_checks: User per-bar checks: name -> ``@njit`` function
            ``(i, cash, position, price, equity) -> int`` (non-zero: violated, the
            value is recorded as ``code``).
        frame_checks: User post-hoc checks: name -> ``pl.Expr`` over
            ``result.equity`` that is true for a good row.

    Raises:
        ConfigError: A mode, timing, tolerance or check is invalid.

    Example:
        >>> InvariantConfig(mode="warn", timing="end").mode
        'warn'
    """

    mode: InvariantMode = "strict"
    timing: InvariantTiming = "every_bar"
    abs_tol: float = 1e-6
    rel_tol: float = 1e-9
    max_leverage: float | None = None
    bar_checks: Mapping[str, Any] = field(default_factory=dict)
    frame_checks: Mapping[str, pl.Expr] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not is_one_of(self.mode, _MODES):
            raise _fail("mode", f"one of {list(_MODES)}", self.mode, 'use mode="strict"')
        if not is_one_of(self.timing, _TIMINGS):
            raise _fail("timing", f"one of {list(_TIMINGS)}", self.timing, 'use "every_bar"')
        _tolerance("abs_tol", self.abs_tol)
        _tolerance("rel_tol", self.rel_tol)
        lev = self.max_leverage
        if lev is not None and (
            isinstance(lev, bool) or not isinstance(lev, int | float) or not lev > 0.0
        ):
            raise _fail("max_leverage", "a number > 0 or None", lev, "None derives it")
        self._check_names(self.bar_checks, "bar_checks", CPUDispatcher, "an @njit function")
        self._check_names(self.frame_checks, "frame_checks", pl.Expr, "a pl.Expr")
        object.__setattr__(self, "bar_checks", MappingProxyType(dict(self.bar_checks)))
        object.__setattr__(self, "frame_checks", MappingProxyType(dict(self.frame_checks)))

    @staticmethod
    def _check_names(checks: Any, where: str, kind: type, expected: str) -> None:
        if not isinstance(checks, Mapping):
            raise _fail(where, "a mapping of names to checks", checks, "e.g. {'my_check': ...}")
        for name, check in checks.items():
            if not isinstance(name, str) or not name or name in INVARIANT_NAMES:
                raise _fail(where, "unique non-built-in names", name, "rename the check")
            if not isinstance(check, kind):
                raise _fail(where, f"{expected} per name", type(check).__name__, f"pass {expected}")

    @property
    def has_user_checks(self) -> bool:
        """Whether any extension check is configured."""
        return bool(self.bar_checks) or bool(self.frame_checks)

    def leverage_limit(self, *, allow_short: bool) -> float:
        """The exposure limit used: ``max_leverage`` or the derived default.

        Example:
            >>> InvariantConfig().leverage_limit(allow_short=False)
            1.0
        """
        if self.max_leverage is not None:
            return float(self.max_leverage)
        return math.inf if allow_short else 1.0

    @property
    def kernel_mode(self) -> int:
        """The ``check_mode`` of the kernels for this mode."""
        if self.mode == "off":
            return ik.CHECK_OFF
        return ik.CHECK_STOP if self.mode == "strict" else ik.CHECK_COUNT


def _values(code: int, vals: Floats) -> dict[str, float]:
    names = _VALUE_NAMES[code - 1]
    return {name: float(vals[j]) for j, name in enumerate(names)}


def collect(viol: Violations, timestamps: pl.Series) -> list[InvariantViolation]:
    """The kernels' records as violations, ordered by first bar then code."""
    counts, first_bar, first_vals = viol
    out = [
        InvariantViolation(
            INVARIANT_NAMES[j],
            int(first_bar[j]),
            timestamps[int(first_bar[j])],
            int(counts[j]),
            _values(j + 1, first_vals[j]),
        )
        for j in range(ik.N_INVARIANTS)
        if counts[j] > 0
    ]
    return sorted(out, key=lambda v: v.bar)


def one_violation(code: int, bar: int, vals: Floats, timestamps: pl.Series) -> InvariantViolation:
    """A single kernel violation (a grid column's) as a record."""
    return InvariantViolation(
        INVARIANT_NAMES[code - 1], bar, timestamps[bar], 1, _values(code, vals)
    )


def user_violations(
    config: InvariantConfig, equity: pl.DataFrame, arrays: Mapping[str, Floats]
) -> list[InvariantViolation]:
    """Run the extension checks: ``bar_checks`` over the per-bar arrays, then ``frame_checks``."""
    out: list[InvariantViolation] = []
    stop = config.mode == "strict"
    ts = equity.get_column("timestamp")
    for name, check in config.bar_checks.items():
        code, bar, count = user_pass_nb(
            check, arrays["cash"], arrays["position"], arrays["price"], arrays["equity"], stop
        )
        if code != 0:
            out.append(InvariantViolation(name, bar, ts[bar], count, {"code": float(code)}))
            if stop:
                return out
    if config.frame_checks:
        names = list(config.frame_checks)
        good = equity.with_columns(  # with_columns broadcasts a scalar result to every row
            [
                expr.fill_null(False).alias(f"__check_{j}")
                for j, expr in enumerate(config.frame_checks.values())
            ]
        ).select(f"__check_{j}" for j in range(len(names)))
        for j, name in enumerate(names):
            column = good.get_column(f"__check_{j}")
            bad = np.flatnonzero(~column.to_numpy())
            if bad.size:
                bar = int(bad[0])
                row = equity.row(bar, named=True)
                values = {k: float(v) for k, v in row.items() if isinstance(v, float)}
                out.append(InvariantViolation(name, bar, ts[bar], int(bad.size), values))
                if stop:
                    return out
    return out


def _repro_context(repro: ReproContext | None) -> dict[str, Any]:
    if repro is None:
        return {"run_id": None, "seed": None, "config_hash": None, "git_sha": None}
    return {
        "run_id": repro.run_id,
        "seed": repro.seed,
        "config_hash": repro.config_hash,
        "git_sha": repro.git_sha,
    }


def invariant_error(
    violation: InvariantViolation,
    *,
    repro: ReproContext | None,
    where: str = "the backtest",
    extra: Mapping[str, Any] | None = None,
) -> BacktestInvariantError:
    """The strict-mode error for ``violation``, with the run's repro data in context."""
    name = violation.name
    shown = ", ".join(f"{k}={v!r}" for k, v in violation.values.items())
    msg = (
        f"{where} broke invariant `{name}` at bar {violation.bar} ({violation.timestamp}): {shown}"
    )
    builtin = name in INVARIANT_NAMES
    hint = _HINTS[INVARIANT_NAMES.index(name)] if builtin else "see the check's definition"
    context = {
        "invariant": name,
        "bar": violation.bar,
        "timestamp": violation.timestamp,
        "values": dict(violation.values),
        **_repro_context(repro),
        **(dict(extra) if extra else {}),
    }
    return BacktestInvariantError(
        msg, hint=f"{hint} (docs/invariants.md; mode='warn' records instead)", context=context
    )


def report(
    violations: list[InvariantViolation],
    config: InvariantConfig,
    *,
    repro: ReproContext | None,
    where: str = "the backtest",
    extra: Mapping[str, Any] | None = None,
) -> tuple[InvariantViolation, ...]:
    """Strict: raise the first violation. Warn: log each one. Returns them.

    Raises:
        BacktestInvariantError: In strict mode, when there is any violation.
    """
    if not violations or config.mode == "off":
        return ()
    if config.mode == "strict":
        raise invariant_error(violations[0], repro=repro, where=where, extra=extra)
    for v in violations:
        _log.warning(
            "invariant.violated",
            extra={
                "invariant": v.name,
                "bar": v.bar,
                "timestamp": str(v.timestamp),
                "count": v.count,
                "values": dict(v.values),
                "where": where,
                "repro": _repro_context(repro),
                **(dict(extra) if extra else {}),
            },
        )
    return tuple(violations)
