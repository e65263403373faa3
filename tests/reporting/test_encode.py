"""The page's compact series encoding against plain-Python decoding and error bounds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.reporting._encode import compact_values, encode_series, encode_times

_MS = st.integers(min_value=-(10**12), max_value=4 * 10**12)
_VALUE = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def _decode(encoded: dict) -> list[int]:
    """What report.js's ``times`` does, in plain Python integers."""
    out, t = [], encoded["t0"]
    for step in encoded["dx"]:
        t += step * encoded["dt"]
        out.append(t)
    return out


@pytest.mark.smoke
def test_hourly_times_become_single_steps_of_one_hour() -> None:
    ms = np.arange(5, dtype=np.int64) * 3_600_000 + 1_700_000_000_000
    got = encode_times(np.delete(ms, 2))
    assert got == {"t0": 1_700_000_000_000, "dt": 3_600_000, "dx": [0, 1, 2, 1]}


@given(st.lists(_MS, min_size=0, max_size=60, unique=True))
def test_times_decode_to_the_same_milliseconds(values: list[int]) -> None:
    ms = np.array(sorted(values), dtype=np.int64)
    encoded = encode_times(ms)
    assert _decode(encoded) == sorted(values)
    assert all(isinstance(d, int) and d >= 0 for d in encoded["dx"])


@settings(max_examples=200)
@given(st.lists(_VALUE, min_size=1, max_size=80))
def test_values_keep_the_ends_and_extremes_exact_and_the_rest_within_7_digits(
    values: list[float],
) -> None:
    got = compact_values(np.array(values, dtype=np.float64))
    assert len(got) == len(values)
    lo, hi = min(values), max(values)
    assert (got[0], got[-1], min(got), max(got)) == (values[0], values[-1], lo, hi)
    span = hi - lo
    for v, r in zip(values, got, strict=True):
        assert r is not None
        assert lo <= r <= hi
        # 7 significant digits of the value or of the span, whichever is finer
        assert abs(r - v) <= 5e-7 * min(abs(v), span) + 4 * np.finfo(float).eps * abs(v)


def test_non_finite_values_are_null_and_rounded_values_print_short() -> None:
    values = np.array([100.0, 123.456789012345, np.nan, 150.0, 131.0 / 3.0 * 3.1, 99.5])
    got = compact_values(values)
    assert got[2] is None
    assert json.dumps(got[1]) == "123.45679"  # 7 digits of the span 50.5: 5 decimals
    assert (got[0], got[-1], got[3]) == (100.0, 99.5, 150.0)


def test_a_4000_point_series_costs_under_14_bytes_a_point() -> None:
    """Hourly bars with a random-walk equity: the size the page's budget rests on."""
    rng = np.random.default_rng(0)
    ms = np.sort(rng.choice(10_000_000, 4_000, replace=False)).astype(np.int64) * 3_600_000
    equity = 10_000.0 * np.exp(np.cumsum(rng.standard_normal(4_000) * 0.01))
    full = json.dumps({"x": ms.tolist(), "y": equity.tolist()}, separators=(",", ":"))
    small = json.dumps(encode_series(ms, equity), separators=(",", ":"))
    assert len(full) / 4_000 > 30
    assert len(small) / 4_000 < 14
