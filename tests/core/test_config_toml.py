"""The small TOML writer: what tomllib reads back is what was written."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core._config_toml import dumps, value_text
from peak_trade.core.errors import ConfigError

_keys = st.text(min_size=0, max_size=8)
_aware = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]),
)
_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    _aware,
    st.dates(),
    st.times(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)
_tables = st.recursive(
    st.dictionaries(_keys, _values, max_size=4),
    lambda inner: st.dictionaries(
        _keys, inner | st.lists(inner, min_size=1, max_size=3), max_size=3
    ),
    max_leaves=8,
)


@settings(deadline=None)
@given(_tables)
def test_dumps_round_trips_through_tomllib(document: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(document)) == document


@pytest.mark.smoke
def test_dumps_writes_sections_arrays_of_tables_and_nested_tables() -> None:
    document = {
        "title": "x",
        "run": {"seed": 7, "ratio": 0.5, "on": True},
        "strategies": [{"name": "a", "params": {"fast": 1}}, {"name": "b", "params": {}}],
        "provider": {"retry": {"max_attempts": 5}},
    }
    expected = (
        'title = "x"\n\n[run]\nseed = 7\nratio = 0.5\non = true\n\n'
        '[[strategies]]\nname = "a"\n\n[strategies.params]\nfast = 1\n\n'
        '[[strategies]]\nname = "b"\n\n[strategies.params]\n\n'
        "[provider.retry]\nmax_attempts = 5\n"
    )
    assert dumps(document) == expected
    assert tomllib.loads(expected) == document


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('a"b\\c\n\t\x01', '"a\\"b\\\\c\\n\\t\\u0001"'),
        (1e-6, "1e-06"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        ([1, "x", [False]], '[1, "x", [false]]'),
        ({"a b": 1}, '{"a b" = 1}'),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05+00:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
    ],
)
def test_value_text_writes_toml_literals(value: Any, text: str) -> None:
    assert value_text(value) == text


def test_nan_is_written_as_nan() -> None:
    assert math.isnan(tomllib.loads(dumps({"x": math.nan}))["x"])


def test_empty_document_is_empty_text() -> None:
    assert dumps({}) == ""


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"run": {"deadline": None}}, "`run.deadline`"),
        ({"big": 2**63}, "`big`"),
        ({"x": [object()]}, "`x.0`"),
        ({"t": dt.time(1, 2, tzinfo=dt.UTC)}, "`t`"),
        ({"t": {1: "a"}}, "`t`"),
    ],
)
def test_values_without_a_toml_form_are_refused(document: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigError, match=f"cannot write {where} as TOML"):
        dumps(document)
