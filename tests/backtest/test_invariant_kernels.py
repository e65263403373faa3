"""The per-bar invariant helpers against plain references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._inputs import new_violations
from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest.invariants import INVARIANT_NAMES
from tests.backtest import kernel_inputs as ki
from tests.backtest.invariant_reference import state_violations

BLOCK = 4096  # first_unordered_nb's block length


def reference_first_unordered(ts: list[int], start: int) -> int:
    """A plain loop: the first bar from ``max(start, 1)`` not after its predecessor."""
    return next((i for i in range(max(start, 1), len(ts)) if ts[i] <= ts[i - 1]), len(ts))


@pytest.mark.smoke
@pytest.mark.parametrize("bad", [1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 17])
@pytest.mark.parametrize("start", [0, 1, BLOCK, 2 * BLOCK])
def test_first_unordered_finds_the_bar_across_block_edges(bad: int, start: int) -> None:
    ts = np.arange(3 * BLOCK, dtype=np.int64) * 10
    ts[bad] = ts[bad - 1]
    ts[bad + 100] = ts[bad + 99] - 5
    want = reference_first_unordered(ts.tolist(), start)
    assert ik.first_unordered_nb(ts, start) == want


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=40), st.integers(0, 2 * BLOCK), st.integers(0, 50))
def test_first_unordered_matches_the_plain_loop(steps: list[int], gap: int, start: int) -> None:
    ts = np.cumsum(np.r_[np.ones(gap, np.int64), np.asarray(steps, np.int64)])
    assert ik.first_unordered_nb(ts, start) == reference_first_unordered(ts.tolist(), start)


finite = st.floats(-1e12, 1e12, allow_nan=False)
anything = st.one_of(finite, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0]))


@settings(max_examples=400, deadline=None)
@given(
    cash=anything,
    pos=anything,
    mark=anything,
    abs_tol=st.sampled_from([0.0, 1e-6, 1e-3]),
    rel_tol=st.sampled_from([0.0, 1e-9, 1e-6]),
    max_leverage=st.sampled_from([0.5, 1.0, 3.0, math.inf]),
    short_account=st.booleans(),
    marked=st.booleans(),
)
def test_the_state_table_finds_what_the_plain_reference_finds(
    cash: float,
    pos: float,
    mark: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
    marked: bool,
) -> None:
    """check_state_nb records the reference's invariants; state_ok_nb passes only clean bars."""
    equity = cash + pos * mark if marked else cash  # the identity holds, or may not
    options = {"abs_tol": abs_tol, "rel_tol": rel_tol, "max_leverage": max_leverage}
    want = state_violations(cash, pos, mark, equity, short_account=short_account, **options)
    c = ki.checks(ik.CHECK_COUNT, short=short_account, **options)
    viol = new_violations()
    first = ik.check_state_nb(7, cash, pos, mark, equity, c, viol)
    got = [INVARIANT_NAMES[j] for j in np.flatnonzero(viol.counts)]
    assert got == want
    assert first == (INVARIANT_NAMES.index(want[0]) + 1 if want else 0)
    assert ik.state_ok_nb(cash, pos, mark, equity, c) == (not want)


def test_an_ordinary_long_passes_the_table() -> None:
    """Fully invested, cash a rounding error below zero: no violation, so no full path."""
    cash, pos, mark = -2e-12, 99.5, 100.0
    c = ki.checks(ik.CHECK_COUNT, max_leverage=1.0, short=False)
    assert ik.state_ok_nb(cash, pos, mark, cash + pos * mark, c)
