"""stable_hash and verify_determinism on bytes, frames and series of every kind."""

import hashlib
import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peak_trade import stable_hash, verify_determinism
from peak_trade.core._frames import to_polars


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical_hash(tree: object) -> str:
    text = json.dumps(tree, sort_keys=True, separators=(",", ":"))
    return _sha(text.encode())[:16]


@pytest.mark.smoke
def test_bytes_hash_by_length_and_sha256_of_their_content():
    """The canonical form, written out by hand from docs/repro.md."""
    expected = _canonical_hash({"__bytes__": {"len": 3, "sha256": _sha(b"abc")}})
    assert stable_hash(b"abc") == expected
    assert stable_hash(bytearray(b"abc")) == expected
    assert stable_hash(memoryview(b"abc")) == expected
    assert stable_hash(b"abd") != expected


@pytest.mark.smoke
def test_an_int_frame_hashes_to_its_hand_written_canonical_form():
    values = np.array([3, -1], dtype="<i8").tobytes()
    column = _sha(b"Int64|2|" + values)
    tree = {
        "__frame__": {"columns": [["a", "Int64"]], "height": 2, "sha256": _sha(column.encode())}
    }
    assert stable_hash(pl.DataFrame({"a": [3, -1]})) == _canonical_hash(tree)


def _mixed() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                pl.datetime(2024, 1, 1), pl.datetime(2024, 1, 3), "1d", time_zone="UTC", eager=True
            ),
            "x": [1.5, None, -0.0],
            "s": ["ab", None, "c"],
            "cat": pl.Series(["u", "v", "u"], dtype=pl.Categorical),
            "l": [[1], [], [2, 3]],
            "b": [b"a", b"", None],
        }
    )


def test_every_frame_kind_of_the_same_content_hashes_alike():
    frame = _mixed()
    digest = stable_hash(frame)
    assert stable_hash(frame.lazy()) == digest
    assert stable_hash(frame.to_arrow()) == digest
    assert stable_hash(frame.to_pandas()) == digest
    rechunked = pl.concat([frame.head(1), frame.tail(2)], rechunk=False)
    assert rechunked.n_chunks() == 2
    assert stable_hash(rechunked) == digest


def test_a_pandas_datetime_index_counts_as_the_timestamp_column():
    frame = pl.DataFrame({"timestamp": [1, 2], "close": [1.0, 2.0]}).with_columns(
        pl.col("timestamp").cast(pl.Datetime("ns", "UTC"))
    )
    indexed = frame.to_pandas().set_index("timestamp")
    indexed.index.name = None
    assert stable_hash(indexed) == stable_hash(frame)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"s": ["ab", "c"]}, {"s": ["a", "bc"]}),
        ({"s": ["a", None]}, {"s": ["a", ""]}),
        ({"x": [0.0]}, {"x": [-0.0]}),
        ({"x": [1.0, None]}, {"x": [1.0, 0.0]}),
        ({"x": [1]}, {"y": [1]}),
        ({"x": [1]}, {"x": [1.0]}),
        ({"l": [[1, 2], [3]]}, {"l": [[1], [2, 3]]}),
    ],
)
def test_frames_that_differ_in_content_hash_apart(a, b):
    assert stable_hash(pl.DataFrame(a)) != stable_hash(pl.DataFrame(b))


def test_series_of_every_kind_hash_alike_and_apart_from_frames():
    series = pl.Series("", [1.0, 2.0])
    digest = stable_hash(series)
    assert stable_hash(pd.Series([1.0, 2.0])) == digest
    assert stable_hash(pa.array([1.0, 2.0])) == digest
    assert stable_hash(pa.chunked_array([[1.0], [2.0]])) == digest
    assert stable_hash(series.to_frame("a")) != digest
    assert stable_hash(series.rename("a")) != digest


@given(st.lists(st.floats(allow_nan=False) | st.none(), max_size=20), st.integers(0, 19))
def test_one_changed_value_changes_the_hash(values, at):
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    if not values:
        assert stable_hash(frame) == stable_hash(frame.clear())
        return
    i = at % len(values)
    changed = values.copy()
    changed[i] = 1.0 if values[i] is None or values[i] != 1.0 else 2.0
    other = pl.DataFrame({"x": changed}, schema={"x": pl.Float64})
    assert stable_hash(frame) != stable_hash(other)


def test_frames_inside_containers_hash_by_content():
    frame = pl.DataFrame({"a": [1, 2]})
    assert stable_hash({"f": frame, "n": 1}) == stable_hash({"n": 1, "f": frame.to_pandas()})


@pytest.mark.parametrize(
    "output",
    [
        pytest.param(lambda: (np.random.bytes(4), b"fixed"), id="bytes"),
        pytest.param(lambda: pd.DataFrame({"x": np.random.random(5)}), id="pandas-frame"),
        pytest.param(lambda: pd.Series(np.random.random(5)), id="pandas-series"),
        pytest.param(lambda: pa.table({"x": np.random.random(5)}), id="arrow-table"),
        pytest.param(lambda: pa.array(np.random.random(5)), id="arrow-array"),
    ],
)
def test_verify_determinism_accepts_every_kind(output):
    assert verify_determinism(output, seed=3)


def test_verify_determinism_sees_one_changed_value_in_a_pandas_frame():
    calls = []

    def drifting() -> pd.DataFrame:
        calls.append(1)
        frame = pd.DataFrame({"x": np.zeros(1000)})
        frame.loc[999, "x"] = float(len(calls))
        return frame

    assert not verify_determinism(drifting, seed=3)
    assert to_polars(drifting())["x"][999] == 3.0


@pytest.mark.parametrize("fn", [None, 3, "f", pl.DataFrame()])
def test_verify_determinism_names_a_non_callable_fn(fn):
    with pytest.raises(TypeError, match="`fn` must be a callable to rerun; got"):
        verify_determinism(fn, seed=1)
