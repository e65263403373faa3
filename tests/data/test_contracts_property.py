"""Property tests: the contract gate agrees with a plain row-by-row reference."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade import DataContractError, check_ohlcv, validate_ohlcv
from tests.data.contract_reference import reference_row_violations

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
values = st.one_of(
    st.none(),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.0, -1.0]),
    st.floats(min_value=0.5, max_value=200.0),
)
stamps = st.one_of(st.none(), st.integers(min_value=0, max_value=6))
row = st.fixed_dictionaries(
    {
        "timestamp": stamps,
        "open": values,
        "high": values,
        "low": values,
        "close": values,
        "volume": values,
    }
)


def frame(rows):
    data = {
        "timestamp": [
            None if r["timestamp"] is None else T0 + dt.timedelta(hours=r["timestamp"])
            for r in rows
        ],
        **{c: [r[c] for r in rows] for c in ("open", "high", "low", "close", "volume")},
    }
    return pl.DataFrame(
        data,
        schema={
            "timestamp": pl.Datetime("us", "UTC"),
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Float64,
        },
    )


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(row, max_size=25), partial=st.booleans())
def test_check_matches_row_by_row_reference(rows, partial):
    report = check_ohlcv(frame(rows), strict=True, allow_partial_nans=partial)
    expected = reference_row_violations(rows, allow_partial_nans=partial)
    got = {(v.rule, v.column): (v.count, v.rows) for v in report.violations}
    assert got == {k: (len(v), v[:5]) for k, v in expected.items()}
    assert report.ok == (not expected)


@settings(max_examples=150, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from(["timestamp", "open", "high", "low", "close", "volume", "x"]),
        st.lists(
            st.one_of(
                st.none(), st.integers(-3, 3), st.floats(), st.text(max_size=2), st.booleans()
            ),
            min_size=3,
            max_size=3,
        ),
    )
)
def test_arbitrary_frames_end_in_a_contract_error_or_pass(data):
    """Whatever these columns hold (never a Datetime), the gate ends in DataContractError."""
    try:
        df = pl.DataFrame(data, strict=False)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        return
    with pytest.raises(DataContractError) as info:
        validate_ohlcv(df, strict=True, require_tz=True)
    assert info.value.context["violations"]
