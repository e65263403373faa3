"""Strategy entries of a config checked against declared parameters passed in by the caller.

``core`` cannot import the strategy registry (it lives in ``backtest``), so the
caller hands over the declared parameters: any objects with ``name``, ``kind``,
``default``, ``low`` and ``high`` (:class:`ParamLike`), such as
``peak_trade.backtest.strategies.ParamSpec``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from peak_trade.core._config_issues import ConfigIssue, Loc, format_loc
from peak_trade.core._suggest import suggest

__all__ = ["ParamLike", "StrategyRule", "check_strategies"]

StrategyRule = Callable[[str, Mapping[str, Any]], Sequence[str]]
"""``rule(name, params) -> problems``: cross-parameter rules such as ``fast < slow``.

Called only for an entry whose parameters all passed, with the defaults filled in;
each returned string is reported as a problem of that entry's ``params``.
"""


@runtime_checkable
class ParamLike(Protocol):
    """A declared strategy parameter, as config validation needs to see it.

    ``kind`` is ``int``, ``float``, ``bool`` or ``str``; ``low`` and ``high`` are
    inclusive bounds of a numeric parameter, or None.
    """

    @property
    def name(self) -> str:
        """The parameter name."""

    @property
    def kind(self) -> type:
        """The accepted type."""

    @property
    def default(self) -> object:
        """The value used when the config leaves it out."""

    @property
    def low(self) -> float | None:
        """The smallest allowed value, or None."""

    @property
    def high(self) -> float | None:
        """The largest allowed value, or None."""


def _expected(spec: ParamLike) -> str:
    kind = getattr(spec.kind, "__name__", repr(spec.kind))
    if spec.low is None and spec.high is None:
        return kind
    low = "-inf" if spec.low is None else f"{spec.low:g}"
    high = "inf" if spec.high is None else f"{spec.high:g}"
    return f"{kind} in [{low}, {high}]"


def _coerce(spec: ParamLike, value: Any) -> tuple[bool, Any]:
    """``(True, value as the declared kind)`` or ``(False, None)`` on a type mismatch."""
    if spec.kind is bool or spec.kind is str:
        return isinstance(value, spec.kind), value
    if isinstance(value, bool):
        return False, None
    if spec.kind is int:
        return isinstance(value, int), value
    if spec.kind is float:
        return isinstance(value, int | float), float(value) if isinstance(value, int) else value
    return isinstance(value, spec.kind), value


def _in_range(spec: ParamLike, value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return (spec.low is None or value >= spec.low) and (spec.high is None or value <= spec.high)


def _check_params(
    loc: Loc, strategy: str, params: Mapping[Any, Any], specs: Sequence[ParamLike]
) -> tuple[list[ConfigIssue], dict[str, Any]]:
    by_name = {spec.name: spec for spec in specs}
    issues: list[ConfigIssue] = []
    for key in params:
        if key not in by_name:
            close = suggest(str(key), by_name)
            suggestion = None if close is None else format_loc((*loc, close))
            problem = f"unknown parameter of strategy {strategy!r}"
            allowed = tuple(by_name)
            issues.append(ConfigIssue((*loc, key), problem, None, params[key], suggestion, allowed))
    resolved: dict[str, Any] = {}
    for name, spec in by_name.items():
        if name not in params:
            resolved[name] = spec.default
            continue
        value = params[name]
        ok, coerced = _coerce(spec, value)
        if not ok:
            issues.append(ConfigIssue((*loc, name), "wrong type", _expected(spec), value))
        elif not _in_range(spec, coerced):
            issues.append(ConfigIssue((*loc, name), "out of range", _expected(spec), value))
        else:
            resolved[name] = coerced
    return issues, resolved


def check_strategies(
    entries: Sequence[tuple[Loc, Any]],
    specs: Mapping[str, Sequence[ParamLike]],
    *,
    rule: StrategyRule | None = None,
    skip: frozenset[str] = frozenset(),
) -> tuple[list[ConfigIssue], list[dict[str, Any] | None]]:
    """Check raw strategy entries against ``specs``; fill default parameters.

    Args:
        entries: ``(loc, entry)`` per strategy, ``entry`` as read from the file.
        specs: Declared parameters by strategy name.
        rule: Optional cross-parameter check, see :data:`StrategyRule`.
        skip: Paths already reported elsewhere (by the schema), not to repeat.

    Returns:
        The issues, and per entry its resolved parameters (defaults filled, in
        declaration order), or None when the entry has a problem.

    Example:
        >>> from types import SimpleNamespace as P
        >>> fast = P(name="fast", kind=int, default=10, low=1, high=None)
        >>> issues, resolved = check_strategies(
        ...     [(("strategy",), {"name": "ma", "params": {}})], {"ma": [fast]})
        >>> issues, resolved
        ([], [{'fast': 10}])
    """
    issues: list[ConfigIssue] = []
    resolved: list[dict[str, Any] | None] = []
    for loc, entry in entries:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        params = entry.get("params", {}) if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not isinstance(params, Mapping):
            resolved.append(None)  # the schema reports the malformed entry
            continue
        if name not in specs:
            close = suggest(name, specs)
            allowed = tuple(sorted(specs))
            got = ConfigIssue((*loc, "name"), "unknown strategy", None, name, close, allowed, True)
            issues.append(got)
            resolved.append(None)
            continue
        found, values = _check_params((*loc, "params"), name, params, specs[name])
        found = [issue for issue in found if issue.path not in skip]
        if not found and rule is not None:
            problems = rule(name, values)
            found = [ConfigIssue((*loc, "params"), str(p)) for p in problems]
        issues += found
        resolved.append(None if found else values)
    return issues, resolved
