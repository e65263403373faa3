"""The per-bar invariant helpers against plain references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest import _invariant_kernels as ik

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
)
def test_the_quiet_screen_never_passes_a_bar_the_full_check_fails(
    cash: float,
    pos: float,
    mark: float,
    abs_tol: float,
    rel_tol: float,
    max_leverage: float,
    short_account: bool,
) -> None:
    """Its preconditions (equity = cash + held, cash >= -least_tol) and a pass imply state_ok."""
    least = abs_tol + rel_tol
    held = pos * mark
    equity = cash + held
    if cash >= -least and ik.quiet_state_ok_nb(held, equity, max_leverage, least):
        assert ik.state_ok_nb(
            cash, pos, mark, equity, abs_tol, rel_tol, max_leverage, short_account
        )


def test_the_quiet_screen_passes_an_ordinary_long() -> None:
    """Fully invested, cash a rounding error below zero: still quiet (no full path per bar)."""
    cash, pos, mark = -2e-12, 99.5, 100.0
    held = pos * mark
    assert ik.quiet_state_ok_nb(held, cash + held, 1.0, 1e-6 + 1e-9)
