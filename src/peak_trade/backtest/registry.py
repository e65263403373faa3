"""The strategy registry (stability plan B4): strategies by name, checked when registered.

The built-ins of :mod:`peak_trade.backtest.strategies` are registered when this
module is imported. Register your own with the decorator::

    from peak_trade.backtest.registry import register_strategy
    from peak_trade.backtest.strategies import ParamSpec, Strategy

    @register_strategy("my_strat")
    class MyStrat(Strategy):
        description = "long while close is above its 10-bar high"
        param_specs = (ParamSpec("window", int, 10, low=1, description="bars"),)

        def signal_expr(self): ...

The registry is process-wide and guarded by a lock; ``reset_registry()`` puts it
back to the built-ins (for tests and notebooks).
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from peak_trade.backtest.strategies import BUILTIN_STRATEGIES
from peak_trade.backtest.strategies.base import ParamSpec, Strategy, suggest
from peak_trade.core.errors import ConfigError

__all__ = [
    "StrategyInfo",
    "get_strategy",
    "get_strategy_class",
    "get_strategy_info",
    "list_strategies",
    "register_strategy",
    "reset_registry",
]

S = TypeVar("S", bound=type[Strategy])

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z|[A-Za-z_][\w.]*:[A-Za-z_]\w*\Z")  # or module:Class
_LOCK = threading.RLock()
_REGISTRY: dict[str, type[Strategy]] = {}


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    """What a registered strategy is and which parameters it takes.

    Example:
        >>> info = next(i for i in list_strategies() if i.name == "macd")
        >>> [p.name for p in info.params]
        ['fast', 'slow', 'signal']
    """

    name: str
    description: str
    params: tuple[ParamSpec, ...]

    def defaults(self) -> dict[str, int | float]:
        """The default parameters.

        Example:
            >>> get_strategy_info("ma_crossover").defaults()
            {'fast': 20, 'slow': 50}
        """
        return {p.name: p.default for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (kinds as ``"int"``/``"float"``).

        Example:
            >>> get_strategy_info("breakout_donchian").to_dict()["params"][0]["kind"]
            'int'
        """
        params = [
            {
                "name": p.name,
                "kind": p.kind.__name__,
                "default": p.default,
                "low": p.low,
                "high": p.high,
                "description": p.description,
            }
            for p in self.params
        ]
        return {"name": self.name, "description": self.description, "params": params}


def _reject(name: str, problem: str, hint: str, **context: Any) -> ConfigError:
    msg = f"cannot register strategy {name!r}: {problem}"
    return ConfigError(msg, hint=hint, context={"strategy": name, **context})


def _checked(name: str, cls: Any) -> type[Strategy]:
    """``cls`` if it is a usable Strategy subclass for ``name``; else ``ConfigError``."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise _reject(str(name), "names are lower_snake_case", 'e.g. "my_strategy"')
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise _reject(name, f"{cls!r} is not a Strategy subclass", "subclass Strategy")
    if inspect.isabstract(cls):
        missing = sorted(getattr(cls, "__abstractmethods__", ()))
        raise _reject(name, f"it leaves {missing} abstract", "implement signal_expr")
    own = None if cls.name_is_default else cls.name
    if own is not None and own != name:
        hint = f"register it as {own!r} or drop the class attribute `name`"
        raise _reject(name, f"the class says its name is {own!r}", hint)
    specs = getattr(cls, "param_specs", None)
    if not isinstance(specs, tuple) or not all(isinstance(s, ParamSpec) for s in specs):
        raise _reject(name, "`param_specs` is not a tuple of ParamSpec", "declare param_specs")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise _reject(name, f"repeated parameter names {names}", "name each parameter once")
    if not isinstance(getattr(cls, "description", None), str) or not cls.description.strip():
        raise _reject(name, "it has no `description`", "add a one-line `description`")
    try:
        cls.resolve_params({})
    except ConfigError as exc:
        msg = f"cannot register strategy {name!r}: its defaults are invalid: {exc.message}"
        raise ConfigError(msg, hint="fix the defaults", cause=exc) from exc
    return cls


def _add(name: str, cls: Any) -> type[Strategy]:
    with _LOCK:
        checked = _checked(name, cls)
        if name in _REGISTRY:
            taken = _REGISTRY[name]
            raise _reject(
                name,
                f"the name is taken by {taken.__module__}.{taken.__qualname__}",
                "choose another name (reset_registry() restores the built-ins)",
                registered=f"{taken.__module__}.{taken.__qualname__}",
            )
        if checked.name_is_default:
            checked.name = name
            checked.name_is_default = False  # registered: the name is now its own
        _REGISTRY[name] = checked
    return checked


def register_strategy(name: str, /) -> Callable[[S], S]:
    """Class decorator: register a ``Strategy`` subclass under ``name``.

    The class is checked now: a Strategy subclass with ``signal_expr``, a
    ``description``, ``param_specs`` with unique names and valid defaults. Its
    ``name`` is set to ``name`` unless the class declares the same one itself.

    Raises:
        ConfigError: The name is taken or malformed, or the class is unusable.

    Example:
        >>> @register_strategy("always_long")  # doctest: +SKIP
        ... class AlwaysLong(Strategy):
        ...     description = "always fully long"
        ...     param_specs = ()
        ...     def signal_expr(self):
        ...         return pl.lit(1.0)
    """

    def decorate(cls: S) -> S:
        _add(name, cls)
        return cls

    return decorate


def get_strategy_class(name: str, /, *, plugins: bool = True) -> type[Strategy]:
    """The class registered under ``name``.

    An unknown ``name`` of the form ``"module:Class"`` is imported and registered;
    any other unknown name is looked for among the installed plugins first (see
    :mod:`peak_trade.backtest.plugins`) unless ``plugins`` is False.

    Raises:
        ConfigError: Unknown name (the hint lists the names and a close match),
            or a plugin or import path that is broken (the message names it).

    Example:
        >>> get_strategy_class("macd").__name__
        'Macd'
    """
    with _LOCK:
        found = _REGISTRY.get(name) if isinstance(name, str) else None
    if found is None and plugins and isinstance(name, str):
        from peak_trade.backtest import plugins as _plugins

        if _plugins.is_import_path(name):
            return _plugins.import_strategy(name)
        _plugins.load_plugins()
        broken = _plugins.broken_plugin(name)
        if broken is not None:
            raise broken
    with _LOCK:
        found = _REGISTRY.get(name) if isinstance(name, str) else None
        known = sorted(_REGISTRY)
    if found is None:
        close = suggest(name, known) if isinstance(name, str) else None
        mean = f"did you mean {close!r}? " if close else ""
        msg = f"unknown strategy {name!r}"
        raise ConfigError(
            msg,
            hint=f"{mean}available: {', '.join(known)}",
            context={"strategy": name, "available": known, "suggestion": close},
        )
    return found


def get_strategy(name: str, /, **params: Any) -> Strategy:
    """An instance of the strategy ``name`` with ``params`` (others at their defaults).

    Raises:
        ConfigError: Unknown name or parameter (with suggestions), or a bad value.

    Example:
        >>> get_strategy("ma_crossover", fast=10)
        MaCrossover(fast=10, slow=50)
    """
    return get_strategy_class(name)(**params)


def get_strategy_info(name: str, /) -> StrategyInfo:
    """The :class:`StrategyInfo` of one registered strategy.

    Example:
        >>> get_strategy_info("momentum").description
        'long from lookback return > entry until it falls below exit'
    """
    cls = get_strategy_class(name)
    return StrategyInfo(name=name, description=cls.description, params=cls.param_specs)


def list_strategies() -> list[StrategyInfo]:
    """Every registered strategy, sorted by name.

    Example:
        >>> [i.name for i in list_strategies()][:2]
        ['bollinger_bands', 'breakout_donchian']
    """
    with _LOCK:
        items = sorted(_REGISTRY.items())
    return [StrategyInfo(name=n, description=c.description, params=c.param_specs) for n, c in items]


def reset_registry() -> None:
    """Forget every user registration: only the built-ins remain.

    Example:
        >>> reset_registry()
        >>> len(list_strategies())
        7
    """
    with _LOCK:
        _REGISTRY.clear()
        for cls in BUILTIN_STRATEGIES:
            _add(cls.name, cls)


reset_registry()
