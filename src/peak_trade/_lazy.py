"""Lazy re-exports, so ``import peak_trade`` does not pay for numba or pydantic."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``table[name]`` on first use.

    Example:
        >>> getter = lazy_getattr("pkg", {"sqrt": "math"})
        >>> getter("sqrt")(9.0)
        3.0
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's required name
        module = table.get(name)
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        return getattr(importlib.import_module(module), name)

    return __getattr__
