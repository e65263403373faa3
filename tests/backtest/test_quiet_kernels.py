"""The quiet path of the simulation, against plain-Python loops."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._nb import checks as ck
from peak_trade.backtest._nb import quiet as qk
from tests.backtest import kernel_inputs as ki
from tests.backtest.invariant_reference import state_violations

N = 9000  # crosses CHANGE_BLOCK and QUIET_BLOCK edges


def reference_first_change(signal, lo, hi, prev):
    for i in range(lo, hi):
        if signal[i] != prev:
            return i
    return max(lo, hi)


def reference_quiet(lo, hi, prev, cash, pos, signal, close, ts, checking, max_leverage):
    """The bars recorded (position, cash, equity, exposure) and the first bar left."""
    rows = []
    for i in range(lo, hi):
        if signal[i] != prev:
            return i, rows
        held = pos * close[i]
        equity = cash + held
        if equity <= 0.0 and pos != 0.0:
            return i, rows
        state = (cash, pos, close[i], equity)
        limits = {"abs_tol": 1e-6, "rel_tol": 1e-9, "max_leverage": max_leverage}
        broken = state_violations(*state, short_account=True, **limits)
        if checking and (ts[i] <= ts[i - 1] or broken):
            return i, rows
        if held == 0.0:
            exposure = 0.0
        elif equity > 0.0:
            exposure = held / equity
        else:
            exposure = math.nan
        rows.append((pos, cash, equity, exposure))
    return max(lo, hi), rows


@st.composite
def quiet_cases(draw):
    lo = draw(st.integers(1, 600))
    hi = draw(st.integers(lo - 1, N))
    # Each fault lands somewhere (maybe past hi: then it is never reached).
    change_at = draw(st.integers(0, N))
    spike_at = draw(st.integers(0, N))
    dup_at = draw(st.integers(1, N))
    pos = draw(st.sampled_from([0.0, 2.0, -2.0, 9.5]))
    max_leverage = draw(st.sampled_from([1.0, 0.5, math.inf]))
    checking = draw(st.booleans())
    first_block = draw(st.sampled_from([1, qk.SHORT_QUIET_BLOCK, 100, qk.QUIET_BLOCK]))
    return lo, hi, change_at, spike_at, dup_at, pos, max_leverage, checking, first_block


@pytest.mark.smoke
@settings(max_examples=150, deadline=None)
@given(quiet_cases())
def test_the_quiet_run_matches_the_plain_loop(case):
    lo, hi, change_at, spike_at, dup_at, pos, max_leverage, checking, first_block = case
    prev = 1.0
    signal = np.full(N, prev)
    if change_at < N:
        signal[change_at] = 0.5
    rng = np.random.default_rng(change_at + spike_at)
    close = 100.0 + rng.random(N)
    if spike_at < N:
        close[spike_at] = 600.0  # a short of 2 units on 1,000 cash is ruined here
    ts = np.arange(N, dtype=np.int64) * 60
    ts[dup_at:] -= 60  # bar dup_at repeats the stamp before it
    cash = 1000.0
    book, _ = ki.buffers(N, 0, fill=-7.0)
    out = [book.equity]
    # Checks off: the quiet path never reads timestamps (an empty array here).
    bars = ki.market(close, timestamps=ts if checking else np.empty(0, np.int64))
    mode = ck.CHECK_COUNT if checking else ck.CHECK_OFF
    c = ki.checks(mode, max_leverage=max_leverage)
    got = qk.quiet_run_nb(lo, hi, cash, pos, prev, signal, bars, c, book, first_block)
    want, rows = reference_quiet(lo, hi, prev, cash, pos, signal, close, ts, checking, max_leverage)
    assert got == want
    written = book.equity[lo:got].tolist()
    assert ["nan" if x != x else x for x in written] == [
        "nan" if r[2] != r[2] else r[2] for r in rows
    ]
    # Bars before lo and from hi on are never written (bars in [got, hi) may be).
    for a in out:
        assert (a[:lo] == -7.0).all()
        assert (a[max(lo, hi) :] == -7.0).all()


@given(st.integers(0, 1200), st.integers(0, 1200), st.integers(0, 1300))
def test_first_change_matches_the_plain_loop(lo, hi, at):
    signal = np.zeros(1200)
    if at < 1200:
        signal[at] = -1.0
    assert qk.first_change_nb(signal, lo, hi, 0.0) == reference_first_change(signal, lo, hi, 0.0)
