"""Did-you-mean suggestions for misspelt names (keys, strategies, parameters)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["suggest"]


def suggest(name: str, choices: Iterable[str], /, *, cutoff: float = 0.6) -> str | None:
    """The closest of ``choices`` to ``name``, or None when nothing is close enough.

    Case is ignored when comparing; the suggestion keeps the spelling of ``choices``.

    Args:
        name: The misspelt name.
        choices: The names that exist.
        cutoff: Similarity from 0 to 1 (``difflib`` ratio) a choice must reach.

    Example:
        >>> suggest("fee_bsp", ["fee_bps", "slippage_bps"])
        'fee_bps'
    """
    options = list(dict.fromkeys(choices))
    by_lower: dict[str, str] = {}
    for option in options:
        by_lower.setdefault(option.lower(), option)
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None
