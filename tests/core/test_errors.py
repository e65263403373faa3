import json
import pickle

import numpy as np
import pytest

import peak_trade
from peak_trade.core import errors


@pytest.mark.smoke
def test_str_has_message_hint_context_and_cause_lines():
    cause = KeyError("close")
    err = errors.DataContractError(
        "2 rows break `high_below_low`", hint="swap the columns", context={"row": 3}, cause=cause
    )
    assert str(err).splitlines() == [
        "DataContractError: 2 rows break `high_below_low`",
        "Hint: swap the columns",
        "Context: row=3",
        "Caused by: KeyError: 'close'",
    ]
    assert err.__cause__ is cause
    assert err.cause is cause


def test_context_is_a_dict_never_none_and_copied():
    given = {"a": 1}
    err = errors.PeakTradeError("m", context=given)
    given["b"] = 2
    assert err.context == {"a": 1}
    assert errors.PeakTradeError("m").context == {}
    assert str(errors.PeakTradeError("m")) == "PeakTradeError: m"


def test_to_dict_is_json_serialisable_with_awkward_context():
    import datetime as dt
    from pathlib import Path

    err = errors.CacheError(
        "x",
        hint="h",
        context={
            "path": Path("/tmp/a"),
            "at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            "n": np.int64(3),
            "nan": float("nan"),
            "rows": (1, 2),
        },
        cause=OSError("disk full"),
    )
    out = json.loads(json.dumps(err.to_dict()))
    assert out == {
        "type": "CacheError",
        "message": "x",
        "hint": "h",
        "context": {
            "path": "/tmp/a",
            "at": "2024-01-01T00:00:00+00:00",
            "n": 3,
            "nan": "nan",
            "rows": [1, 2],
        },
        "cause": {"type": "OSError", "message": "disk full"},
    }


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.DataContractError, ValueError),
        (errors.ConfigError, ValueError),
        (errors.BacktestInvariantError, RuntimeError),
        (errors.CacheCorruptionError, errors.CacheError),
        (errors.CircuitOpenError, errors.ProviderError),
    ],
)
def test_subclasses_also_inherit_the_fitting_builtin(cls, builtin):
    assert issubclass(cls, errors.PeakTradeError)
    assert issubclass(cls, builtin)
    with pytest.raises(builtin, match="boom"):
        raise cls("boom")


def test_provider_error_has_keyword_only_transient_flag():
    assert errors.ProviderError("x").transient is False
    err = errors.ProviderError("timeout", transient=True)
    assert err.transient is True
    assert err.to_dict()["transient"] is True
    with pytest.raises(TypeError):
        errors.ProviderError("x", True)  # type: ignore[misc]


def test_errors_survive_a_process_boundary():
    err = errors.ProviderError("t", transient=True, hint="h", context={"a": 1})
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is errors.ProviderError
    assert (back.message, back.hint, back.context, back.transient) == ("t", "h", {"a": 1}, True)


def test_every_error_is_importable_from_the_front_door():
    for name in errors.__all__:
        if name != "jsonable":
            assert getattr(peak_trade, name) is getattr(errors, name)


def test_errors_module_imports_nothing_from_the_package():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(errors.__file__).read_text())
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    assert not [m for m in imported if m.startswith("peak_trade")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (np.float64("nan"), "nan"),
        (np.float64("inf"), "inf"),
        (np.float32("-inf"), "-inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_jsonable_non_finite_numpy_floats_read_like_python_floats(value, text):
    assert errors.jsonable(value) == text
    assert errors.jsonable({"v": [value]}) == {"v": [text]}
