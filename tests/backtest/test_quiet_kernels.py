"""The quiet path and the deferred fill checks, against plain-Python loops."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest import _fill_kernels as fk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest import _kernels as k
from peak_trade.backtest import _quiet_kernels as qk
from peak_trade.backtest._end_kernels import end_checks_nb

N = 9000  # crosses CHANGE_BLOCK and QUIET_BLOCK edges
LEAST_TOL = 1e-6 + 1e-9


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
        screened = abs(held) <= max_leverage * equity + LEAST_TOL and equity < math.inf
        if checking and (ts[i] <= ts[i - 1] or not screened):
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
    return lo, hi, change_at, spike_at, dup_at, pos, max_leverage, checking


@pytest.mark.smoke
@settings(max_examples=150, deadline=None)
@given(quiet_cases())
def test_the_quiet_run_matches_the_plain_loop(case):
    lo, hi, change_at, spike_at, dup_at, pos, max_leverage, checking = case
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
    out = [np.full(N, -7.0) for _ in range(4)]
    got = qk.quiet_run_nb(
        lo, hi, prev, cash, pos, signal, close, ts, *out, checking, max_leverage, LEAST_TOL
    )
    want, rows = reference_quiet(lo, hi, prev, cash, pos, signal, close, ts, checking, max_leverage)
    assert got == want
    written = list(zip(*(a[lo:got].tolist() for a in out), strict=True))
    assert [tuple("nan" if x != x else x for x in r) for r in written] == [
        tuple("nan" if x != x else x for x in r) for r in rows
    ]


@given(st.integers(0, 1200), st.integers(0, 1200), st.integers(0, 1300))
def test_first_change_matches_the_plain_loop(lo, hi, at):
    signal = np.zeros(1200)
    if at < 1200:
        signal[at] = -1.0
    assert qk.first_change_nb(signal, lo, hi, 0.0) == reference_first_change(signal, lo, hi, 0.0)


# Strict mode defers the fill checks to after the loop; its first violation must
# still follow each bar's order: timestamp, then fills, then state.
BARS = 120
FIRST = 50  # the signal's first change: the first fill and the first held bar


def strict_first(fault, ts_dup_at=None, max_leverage=1.0):
    """(code, bar) of a strict every_bar run, and of the in-order end kernel."""
    rng = np.random.default_rng(5)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, BARS)))
    high, low = close * 1.001, close * 0.999
    signal = np.where(np.arange(BARS) >= FIRST, 1.0, 0.0)
    signal[FIRST + 30 :] = 0.0
    ts = np.arange(BARS, dtype=np.int64) * 60
    if ts_dup_at is not None:
        ts[ts_dup_at] = ts[ts_dup_at - 1]
    cap = fk.fill_capacity_nb(k.scan_signal_nb(signal, False)[3])
    found = []
    for timing in ("every_bar", "end"):
        arrays = [np.empty(BARS) for _ in range(4)]
        fills = np.empty((cap, fk.N_FILL_COLS))
        trades = np.empty((cap, fk.N_TRADE_COLS))
        counts = np.zeros(ik.N_INVARIANTS, np.int64)
        first_bar = np.full(ik.N_INVARIANTS, -1, np.int64)
        first_vals = np.zeros((ik.N_INVARIANTS, 3))
        mode = ik.CHECK_STOP if timing == "every_bar" else ik.CHECK_OFF
        code, bar, nf, nt = k.simulate_checked_nb(
            close, high, low, close, ts, signal, 10_000.0, 0.001, 0.0005, 1.0, False, False,
            mode, 1e-6, 1e-9, max_leverage, False, *fault,
            *arrays, fills, trades, counts, first_bar, first_vals,
        )  # fmt: skip
        if timing == "end":
            position, cash, equity, _ = arrays
            code, bar = end_checks_nb(
                ts, close, high, low, position, cash, equity, fills, nf, trades, nt,
                10_000.0, 0.0005, 1e-6, 1e-9, max_leverage, False, True,
                counts, first_bar, first_vals,
            )  # fmt: skip
        assert counts.sum() == 1  # strict keeps exactly the violation it reports
        assert counts[code - 1] == 1
        assert first_bar[code - 1] == bar
        found.append((code, bar))
    return found


BAD_FILL = (k.FAULT_FILL_PRICE, FIRST, 1.2)


def test_a_fill_fault_beats_a_state_fault_on_the_same_bar():
    # max_leverage 0.5 makes the first held bar (FIRST) an exposure violation too.
    got = strict_first(BAD_FILL, max_leverage=0.5)
    assert got == [(ik.FILL_PRICE_VALID, FIRST)] * 2


def test_a_timestamp_fault_beats_a_fill_fault_on_the_same_bar():
    got = strict_first(BAD_FILL, ts_dup_at=FIRST)
    assert got == [(ik.TIMESTAMPS_INCREASING, FIRST)] * 2


def test_an_earlier_fill_fault_beats_a_later_timestamp_fault():
    got = strict_first(BAD_FILL, ts_dup_at=FIRST + 10)
    assert got == [(ik.FILL_PRICE_VALID, FIRST)] * 2


def test_a_later_fill_fault_loses_to_an_earlier_timestamp_fault():
    got = strict_first((k.FAULT_FILL_PRICE, FIRST + 30, 1.2), ts_dup_at=FIRST + 5)
    assert got == [(ik.TIMESTAMPS_INCREASING, FIRST + 5)] * 2
