"""Strategies from outside the package: ``module:Class`` paths and installed plugins.

Two ways in, both ending in the registry:

- an import path ``"my_pkg.my_module:MyStrategy"`` wherever a strategy name is
  taken (``get_strategy``, a config's ``name``): the module is imported and the
  class registered, under its own ``name`` if it declares one, else the path;
- the entry-point group ``peak_trade.strategies``: each installed distribution's
  entry ``name = "module:Class"`` registers ``Class`` under ``name``.

A plugin that fails to import or register is remembered as broken: asking for it
raises a ``ConfigError`` naming it; every other strategy keeps working.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import re
import threading
from dataclasses import dataclass

from peak_trade.backtest.strategies import BUILTIN_STRATEGIES
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.errors import ConfigError

__all__ = ["GROUP", "Plugin", "import_strategy", "load_plugins", "strategy_origin"]

#: The entry-point group installed packages list their strategies in.
GROUP = "peak_trade.strategies"
_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*\Z")
_LOCK = threading.RLock()
_PATHS: dict[str, type[Strategy]] = {}
_ORIGINS: dict[str, str] = {}
_BROKEN: dict[str, ConfigError] = {}
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plugin:
    """One entry of the ``peak_trade.strategies`` group, loaded or broken."""

    name: str
    value: str
    distribution: str
    error: ConfigError | None = None


def is_import_path(name: object, /) -> bool:
    """True for ``"package.module:Class"``."""
    return isinstance(name, str) and _PATH.match(name) is not None


def _register(name: str, cls: object, origin: str) -> type[Strategy]:
    from peak_trade.backtest import registry

    try:
        known = registry.get_strategy_class(name, plugins=False)
    except ConfigError:
        known = None
    if known is None:
        registry.register_strategy(name)(cls)  # type: ignore[type-var]  # checked by the registry
    elif known is not cls:
        where = _ORIGINS.get(name, "built-in")
        msg = f"strategy name {name!r} from {origin} is taken by {where}"
        raise ConfigError(msg, hint="rename one of them", context={"strategy": name})
    _ORIGINS.setdefault(name, origin)
    assert isinstance(cls, type)
    return cls


def import_strategy(path: str, /) -> type[Strategy]:
    """Import ``"module:Class"`` and register the class (see the module docstring).

    Raises:
        ConfigError: The module or class cannot be imported, or is not a usable
            Strategy; the message names the path.

    Example:
        >>> import_strategy("my_pkg.my_module:MyStrategy")  # doctest: +SKIP
        <class 'my_pkg.my_module.MyStrategy'>
    """
    with _LOCK:
        if path in _PATHS:
            return _PATHS[path]
        module_name, _, attr = path.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            msg = f"strategy {path!r} cannot be imported: {type(exc).__name__}: {exc}"
            hint = "check the module is importable (installed or on PYTHONPATH) and the class name"
            raise ConfigError(msg, hint=hint, context={"strategy": path}, cause=exc) from exc
        declared = isinstance(cls, type) and issubclass(cls, Strategy) and not cls.name_is_default
        name = cls.name if declared else path
        try:
            found = _register(name, cls, f"import path {path}")
        except ConfigError as exc:
            msg = f"strategy {path!r} cannot be registered: {exc.message}"
            raise ConfigError(msg, hint=exc.hint, context={"strategy": path}, cause=exc) from exc
        _PATHS[path] = found
        return found


def load_plugins() -> list[Plugin]:
    """Register every strategy of the ``peak_trade.strategies`` entry-point group.

    Loading is repeated on each call (cheap once imported) so that a registry
    reset or a newly installed package is picked up. Failures are logged and kept:
    :func:`broken_plugin` returns the error for a name.

    Example:
        >>> [p.name for p in load_plugins()]  # doctest: +SKIP
        ['my_trend']
    """
    found: list[Plugin] = []
    for ep in importlib.metadata.entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else "unknown distribution"
        origin = f"plugin {dist} ({ep.value})"
        with _LOCK:
            try:
                _register(ep.name, ep.load(), origin)
            except Exception as exc:  # a plugin's import may raise anything: contain it
                cause = (
                    exc.message if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {exc}"
                )
                msg = f"strategy plugin {ep.name!r} from {dist} ({ep.value}) is broken: {cause}"
                err = ConfigError(
                    msg,
                    hint=f"fix or uninstall {dist}; the other strategies still work",
                    context={"plugin": ep.name, "distribution": dist, "value": ep.value},
                    cause=exc,
                )
                _BROKEN[ep.name] = err
                _log.warning("strategy.plugin_broken", extra={"plugin": ep.name, "error": cause})
                found.append(Plugin(ep.name, ep.value, dist, err))
                continue
            _BROKEN.pop(ep.name, None)
        found.append(Plugin(ep.name, ep.value, dist))
    return found


def broken_plugin(name: str, /) -> ConfigError | None:
    """The error of the plugin ``name`` if it failed to load."""
    with _LOCK:
        return _BROKEN.get(name)


def strategy_origin(name: str, /) -> str:
    """Where the registered strategy ``name`` comes from: ``built-in``, ``plugin
    <dist> (<module:Class>)``, ``import path <module:Class>`` or ``registered in Python``.

    Example:
        >>> strategy_origin("macd")
        'built-in'
    """
    if any(cls.name == name for cls in BUILTIN_STRATEGIES):
        return "built-in"
    with _LOCK:
        return _ORIGINS.get(name, "registered in Python")
