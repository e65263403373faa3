"""Expanding a parameter grid into the combinations a grid or sweep runs.

``expand_grid`` checks each grid value against the strategy's parameter specs, takes
the cartesian product and splits off the combinations that break a cross-parameter
rule. ``run_grid``, ``run_combos``, ``sweep`` and config validation share it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

import numpy as np

from peak_trade.backtest.engine import strategy_class
from peak_trade.backtest.strategies.base import Strategy, suggest
from peak_trade.core._frames import short_repr, to_series
from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError

__all__ = ["Combo", "InvalidCombos", "expand_grid"]

InvalidCombos = Literal["raise", "skip"]
_INVALID: tuple[str, ...] = get_args(InvalidCombos)
_SHOWN = 5

Combo = dict[str, int | float]


def _grid_values(cls: type[Strategy], grid: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """Check the grid's names and each value against the parameter specs."""
    if not isinstance(grid, Mapping):
        msg = f"`grid` must map parameter names to sequences; got {type(grid).__name__}"
        raise ConfigError(msg, hint='e.g. {"fast": [10, 20], "slow": [50, 100]}')
    specs = {s.name: s for s in cls.param_specs}
    out: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if name not in specs:
            close = suggest(str(name), list(specs))
            hint = f"did you mean {close!r}? " if close else ""
            msg = f"strategy `{cls.name}` has no parameter {name!r} (in the grid)"
            raise ConfigError(
                msg,
                hint=f"{hint}allowed: {', '.join(specs)}",
                context={"strategy": cls.name, "param": name, "allowed": list(specs)},
            )
        items = _value_list(values)
        if not items:
            got = short_repr(values)
            msg = f"grid values of `{name}` must be a non-empty 1-D sequence of numbers; got {got}"
            raise ConfigError(
                msg,
                hint=f'e.g. "{name}": [{specs[name].default!r}], range(...) or np.arange(...)',
                context={"param": name, "got": type(values).__name__},
            )
        out[name] = [specs[name].check(v, strategy=cls.name) for v in items]
    return out


def _value_list(values: Any) -> list[Any]:
    """A grid entry's values as a list; empty when it is not a 1-D sequence."""
    if isinstance(values, np.ndarray):
        return values.tolist() if values.ndim == 1 else []
    series = to_series(values)  # polars, pandas or pyarrow
    if series is not None:
        return series.to_list()
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        return []
    return list(values)


def expand_grid(
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    invalid: InvalidCombos = "raise",
) -> tuple[list[Combo], list[Combo]]:
    """The cartesian product of ``grid`` as full parameter dicts, and the invalid ones.

    Names vary in the grid's insertion order (the last name fastest), values in the
    order given. Parameters missing from the grid take the instance's values (for a
    ``Strategy`` instance) or the defaults. A combination that breaks a cross-parameter
    rule (e.g. ``fast >= slow``) is invalid: ``invalid="raise"`` raises one
    ``ConfigError`` listing them, ``"skip"`` returns them as the second list.

    Example:
        >>> combos, skipped = expand_grid("ma_crossover", {"fast": [10, 60], "slow": [50]},
        ...                               invalid="skip")  # doctest: +SKIP
        >>> combos, skipped  # doctest: +SKIP
        ([{'fast': 10, 'slow': 50}], [{'fast': 60, 'slow': 50}])
    """
    if not is_one_of(invalid, _INVALID):
        msg = f"`invalid` must be one of {list(_INVALID)}; got {short_repr(invalid)}"
        raise ConfigError(msg, hint='use invalid="skip" to drop invalid combinations')
    cls = strategy_class(strategy)
    base = dict(strategy.params) if isinstance(strategy, Strategy) else {}
    values = _grid_values(cls, grid)
    names = list(values)
    good: list[Combo] = []
    bad: list[Combo] = []
    first_error: ConfigError | None = None
    for point in itertools.product(*values.values()):
        wanted = {**base, **dict(zip(names, point, strict=True))}
        try:
            good.append(cls.resolve_params(wanted))
        except ConfigError as exc:
            bad.append(wanted)
            first_error = first_error or exc
    if bad and invalid == "raise":
        shown = ", ".join(repr(c) for c in bad[:_SHOWN])
        msg = (
            f"{len(bad)} of {len(bad) + len(good)} grid combinations of `{cls.name}` are "
            f"invalid, e.g. {shown}: {first_error.message if first_error else ''}"
        )
        raise ConfigError(
            msg,
            hint='narrow the grid, or pass invalid="skip" to drop them',
            context={"invalid": len(bad), "total": len(bad) + len(good), "first": bad[:_SHOWN]},
            cause=first_error,
        )
    return good, bad
