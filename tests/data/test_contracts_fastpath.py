"""The contract gate's fast path agrees with the row-by-row reference.

The contract gate decides a valid frame with a reduced per-row check
(`_ohlcv_rules.suspect_rows`) and runs the full rules only on its suspects. These
properties aim at that shortcut: near-valid frames (valid bars with 0-3 defects,
including NaN in any column, +-inf, 0, negatives, tiny/huge values, null or
out-of-order timestamps, Float32 columns), compared with the plain row-by-row
reference, on all three evaluations of the reduced check: numpy views (small
null-free Float64 frames), one eager polars select (nulls or Float32 columns), and
the streaming engine (used from `_STREAMING_MIN_ROWS` rows; forced with monkeypatch).
"""

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peak_trade.data.contracts as contracts
from peak_trade.data.contracts import check_ohlcv
from tests.data.contract_reference import reference_row_violations

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
VALUES = ("open", "high", "low", "close", "volume")
defects = st.sampled_from(
    [None, float("nan"), float("inf"), float("-inf"), 0.0, -1.0, 1e-300, 5e300, 50.0, 150.0]
)


@st.composite
def near_valid_rows(draw):
    n = draw(st.integers(1, 30))
    rows = []
    for i in range(n):
        o, c = draw(st.floats(90, 110)), draw(st.floats(90, 110))
        rows.append(
            {
                "timestamp": 2 * i,
                "open": o,
                "high": max(o, c) + draw(st.floats(0, 5)),
                "low": min(o, c) - draw(st.floats(0, 5)),
                "close": c,
                "volume": draw(st.floats(0, 1e6)),
            }
        )
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, n - 1))
        column = draw(st.sampled_from(["timestamp", *VALUES]))
        if column == "timestamp":
            rows[i]["timestamp"] = draw(st.one_of(st.none(), st.integers(-2, 2 * n + 2)))
        else:
            rows[i][column] = draw(defects)
    return rows


def frame(rows, float32):
    df = pl.DataFrame(
        {
            "timestamp": [
                None if r["timestamp"] is None else T0 + dt.timedelta(hours=r["timestamp"])
                for r in rows
            ],
            **{c: [r[c] for r in rows] for c in VALUES},
        },
        schema={"timestamp": pl.Datetime("us", "UTC"), **dict.fromkeys(VALUES, pl.Float64)},
    )
    return df.with_columns(pl.col(float32).cast(pl.Float32)) if float32 else df


@pytest.mark.parametrize("streaming", [False, True], ids=["eager", "streaming"])
@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=near_valid_rows(),
    partial=st.booleans(),
    float32=st.sampled_from([[], ["open", "volume"]]),
)
def test_near_valid_frames_match_the_row_by_row_reference(
    monkeypatch, streaming, rows, partial, float32
):
    if streaming:
        monkeypatch.setattr(contracts, "_STREAMING_MIN_ROWS", 0)
    df = frame(rows, float32)
    # compare against what the frame really holds (Float32 rounds the values)
    seen = df.with_columns(pl.col(float32).cast(pl.Float64)).to_dicts()
    seen = [dict(r, timestamp=rows[i]["timestamp"]) for i, r in enumerate(seen)]
    report = check_ohlcv(df, strict=True, allow_partial_nans=partial)
    expected = reference_row_violations(seen, allow_partial_nans=partial)
    got = {(v.rule, v.column): (v.count, v.rows) for v in report.violations}
    assert got == {k: (len(v), v[:5]) for k, v in expected.items()}
    for v in report.violations:
        assert v.timestamps == [df["timestamp"][r] for r in v.rows]
