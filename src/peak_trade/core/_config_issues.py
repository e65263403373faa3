"""Config problems: one record per problem, and the single ``ConfigError`` that lists them.

pydantic's ``ValidationError`` entries and TOML syntax errors are translated here
into :class:`ConfigIssue` records with a dotted path (``strategies[1].params.fast``),
what was expected, what was found and, for misspellings, the closest allowed name.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from peak_trade.core._frames import short_repr
from peak_trade.core._suggest import suggest
from peak_trade.core.errors import ConfigError

__all__ = [
    "ConfigIssue",
    "Loc",
    "allowed_keys",
    "build_error",
    "format_loc",
    "from_validation_error",
    "toml_error",
]

Loc = tuple[str | int, ...]
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()
_MAX_REPR = 60
_DOCS_HINT = "see docs/config.md for every key, its type and its range"
_TYPE_WORDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "tuple_type": "an array",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "finite_number": "a finite number",
    "datetime_type": "a TOML datetime or date",
    "timeframe": "a count and a unit, like '1h'",
    "param_type": "a number, boolean or string",
}
_COMPARISONS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<"}
_COMPARISONS["less_than_equal"] = "<="


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in a config: where, what, what was expected and found.

    Args:
        loc: Path of the offending key, e.g. ``("strategies", 1, "params", "fats")``.
        problem: What is wrong, e.g. ``unknown key``.
        expected: What would be accepted, or None.
        got: The offending value; absent for a missing key.
        suggestion: The closest allowed key (as a full path) or value, for misspellings.
        allowed: The allowed keys or values at ``loc``, when there is a short list.
        suggests_value: ``suggestion`` is a value for ``loc``, not a key path.
    """

    loc: Loc
    problem: str
    expected: str | None = None
    got: Any = _MISSING
    suggestion: str | None = None
    allowed: tuple[str, ...] | None = None
    suggests_value: bool = False

    @property
    def path(self) -> str:
        """The dotted path, e.g. ``strategies[1].params.fats``."""
        return format_loc(self.loc)

    def line(self) -> str:
        """The issue as one line of the error message."""
        text = f"{self.path}: {self.problem}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.got is not _MISSING:
            got = repr(self.got)
            got = short_repr(self.got) if "\n" in got else got  # a frame or a big array
            text += f", got {got if len(got) <= _MAX_REPR else got[: _MAX_REPR - 3] + '...'}"
        hint = self.hint()
        return text if hint is None else f"{text} ({hint})"

    def hint(self) -> str | None:
        """The did-you-mean text, e.g. ``did you mean 'backtest.fee_bps'?``, or None."""
        if self.suggestion is None:
            return None
        if self.suggests_value:
            return f"did you mean {self.path} = {self.suggestion!r}?"
        return f"did you mean {self.suggestion!r}?"

    def to_dict(self) -> dict[str, Any]:
        """The issue as the plain dict stored in ``ConfigError.context["errors"]``."""
        return {
            "path": self.path,
            "problem": self.problem,
            "expected": self.expected,
            "got": None if self.got is _MISSING else _plain_got(self.got),
            "suggestion": self.suggestion,
            "allowed": None if self.allowed is None else list(self.allowed),
        }


def _plain_got(value: Any) -> Any:
    """The received value for ``context``; frames and arrays as their short repr."""
    return short_repr(value) if "\n" in repr(value) else value


def format_loc(loc: Sequence[str | int]) -> str:
    """``("a", 1, "b")`` as ``a[1].b``; the empty path is ``<root>``.

    Example:
        >>> format_loc(("strategies", 1, "params", "fast"))
        'strategies[1].params.fast'
    """
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``annotation`` (through Optional and ``tuple[Model, ...]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def allowed_keys(root: type[BaseModel], loc: Loc) -> tuple[str, ...] | None:
    """The keys the table at ``loc`` accepts, or None when ``loc`` is not a model table.

    Example:
        >>> from peak_trade.core._config_models import ProviderSection
        >>> allowed_keys(ProviderSection, ())
        ('retry', 'circuit_breaker')
    """
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue  # an index into a tuple of models keeps the model
        field = model.model_fields.get(part)
        model = None if field is None else _model_of(field.annotation)
    return None if model is None else tuple(model.model_fields)


def from_validation_error(
    exc: ValidationError,
    root: type[BaseModel],
    *,
    extra_root_keys: Sequence[str] = (),
    rewrite: Callable[[Loc], Loc] = lambda loc: loc,
) -> list[ConfigIssue]:
    """Translate every entry of a pydantic ``ValidationError`` into a ``ConfigIssue``.

    Args:
        exc: The error ``root.model_validate`` raised.
        root: The model that was validated (to look up allowed keys).
        extra_root_keys: Top-level keys accepted besides ``root``'s fields.
        rewrite: Maps a validation path to the path the user wrote.
    """
    issues: list[ConfigIssue] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        kind, ctx, got = err["type"], err.get("ctx", {}), err.get("input", _MISSING)
        if kind == "config_rules":
            for rule in ctx["rules"]:
                full = loc + tuple(rule["loc"])
                got_value = _MISSING if rule["got"] is None else rule["got"]
                issues.append(
                    ConfigIssue(rewrite(full), rule["problem"], rule["expected"], got_value)
                )
        elif (
            kind == "too_short" and isinstance(got, list | tuple) and len(got) >= ctx["min_length"]
        ):
            continue  # only short after dropping bad items, which are reported themselves
        elif kind == "extra_forbidden":
            issues.append(_unknown_key(root, loc, got, extra_root_keys, rewrite))
        else:
            issues.append(_value_issue(rewrite(loc), kind, ctx, got, err["msg"]))
    return issues


def _unknown_key(
    root: type[BaseModel],
    loc: Loc,
    got: Any,
    extra_root_keys: Sequence[str],
    rewrite: Callable[[Loc], Loc],
) -> ConfigIssue:
    parent, key = loc[:-1], str(loc[-1])
    allowed = allowed_keys(root, parent) or ()
    if not parent:
        allowed = (*allowed, *extra_root_keys)
    close = suggest(key, allowed)
    suggestion = None if close is None else format_loc(rewrite((*parent, close)))
    problem = "unknown section" if not parent else "unknown key"
    return ConfigIssue(rewrite(loc), problem, None, got, suggestion, tuple(sorted(allowed)))


def _value_issue(loc: Loc, kind: str, ctx: dict[str, Any], got: Any, msg: str) -> ConfigIssue:
    if kind == "missing":
        return ConfigIssue(loc, "missing required key")
    if kind in _COMPARISONS:
        bound = next(iter(ctx.values()))
        return ConfigIssue(loc, "out of range", f"{_COMPARISONS[kind]} {bound!r}", got)
    if kind == "literal_error":
        allowed = tuple(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        close = suggest(got, allowed) if isinstance(got, str) else None
        expected = "one of " + ", ".join(repr(a) for a in allowed)
        return ConfigIssue(loc, "not an allowed value", expected, got, close, allowed, True)
    if kind in ("too_short", "string_too_short"):
        size = ctx.get("min_length", 1)
        what = "a non-empty string" if kind == "string_too_short" else f"at least {size} item(s)"
        return ConfigIssue(loc, "too short", what, got)
    if kind == "repeated":
        return ConfigIssue(loc, "repeats a value", "distinct values", got)
    if kind == "timeframe":
        return ConfigIssue(loc, "not a timeframe", _TYPE_WORDS[kind], got)
    if kind in _TYPE_WORDS:
        return ConfigIssue(loc, "wrong type", _TYPE_WORDS[kind], got)
    return ConfigIssue(loc, msg, None, got)


def build_error(issues: Sequence[ConfigIssue], *, source: str) -> ConfigError:
    """One ``ConfigError`` listing every issue, one per line, with the suggestions as hint.

    Example:
        >>> err = build_error([ConfigIssue(("run", "seed"), "out of range", ">= 0", -1)],
        ...                   source="cfg.toml")
        >>> err.message.splitlines()[1]
        '  run.seed: out of range; expected >= 0, got -1'
    """
    count = len(issues)
    lines = [f"{source}: {count} problem{'s' if count != 1 else ''} in the config"]
    lines += [f"  {issue.line()}" for issue in issues]
    hints = [text for text in (issue.hint() for issue in issues) if text is not None]
    hint = "; ".join([*hints, _DOCS_HINT])
    context = {"source": source, "errors": [issue.to_dict() for issue in issues]}
    return ConfigError("\n".join(lines), hint=hint, context=context)


_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_error(exc: tomllib.TOMLDecodeError, text: str, *, source: str) -> ConfigError:
    """The ``ConfigError`` for a TOML syntax error, with its line and column (1-based).

    Python 3.14 puts ``lineno``/``colno``/``msg`` on the exception; 3.11 to 3.13 only
    write ``(at line L, column C)`` or ``(at end of document)`` into the message.
    """
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    reason = getattr(exc, "msg", None)
    message = str(exc)
    if not isinstance(line, int) or not isinstance(column, int):
        match = _POSITION.search(message)
        if match is not None:
            line, column = int(match.group(1)), int(match.group(2))
        else:  # "at end of document": point just past the last character
            rows = text.split("\n")
            line, column = len(rows), len(rows[-1]) + 1
    if not isinstance(reason, str):
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    rows = text.split("\n")
    source_line = rows[line - 1] if 0 < line <= len(rows) else ""
    caret = " " * (column - 1) + "^"
    msg = (
        f"{source}:{line}:{column}: invalid TOML: {reason} (line {line}, column {column})\n"
        f"    {source_line}\n    {caret}"
    )
    context = {"source": source, "line": line, "column": column, "reason": reason}
    hint = "fix the TOML syntax at that line; strings need quotes, tables [brackets]"
    return ConfigError(msg, hint=hint, context=context, cause=exc)
