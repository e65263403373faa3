"""The fill checks run after the simulation's loop: the screen and strict order."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest import _deferred_kernels as dk
from peak_trade.backtest import _fill_kernels as fk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest import _kernels as k
from peak_trade.backtest._derive_kernels import cash_from_steps_nb
from peak_trade.backtest._end_kernels import end_checks_nb

ABS_TOL, REL_TOL, SLIP = 1e-6, 1e-9, 0.0005
PRICES = st.one_of(
    st.floats(90.0, 112.0),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -1.0, 99.0 * (1 - SLIP)]),
)


def records():
    """Fresh ``counts, first_bar, first_vals``."""
    n = ik.N_INVARIANTS
    return np.zeros(n, np.int64), np.full(n, -1, np.int64), np.zeros((n, 3))


FEES = st.one_of(st.floats(0.0, 5.0), st.sampled_from([-1e-12, -1.0, math.nan]))


@pytest.mark.smoke
@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), PRICES, FEES), min_size=0, max_size=12))
def test_the_fill_screen_passes_exactly_when_no_row_fails(rows):
    rows.sort(key=lambda row: row[0])
    low = np.linspace(99.0, 100.0, 10)
    high = low + 10.0
    fills = np.zeros((max(1, len(rows)), fk.N_FILL_COLS))
    for r, (bar, price, fee) in enumerate(rows):
        fills[r, fk.F_BAR], fills[r, fk.F_PRICE], fills[r, fk.F_FEE] = bar, price, fee
    per_row = []
    for r, (bar, _, _) in enumerate(rows):
        code = ik.check_fills_nb(
            bar, fills, r, r + 1, low[bar], high[bar], SLIP, ABS_TOL, REL_TOL, False,
            *records(),
        )  # fmt: skip
        per_row.append(code)
    screened = dk.fills_ok_nb(fills, len(rows), low, high, SLIP, ABS_TOL, REL_TOL)
    assert screened == (not any(per_row))
    code, bar = dk.first_fill_fault_nb(
        fills, len(rows), low, high, SLIP, ABS_TOL, REL_TOL, True, *records()
    )
    failing = [(c, rows[r][0]) for r, c in enumerate(per_row) if c]
    assert (code, bar) == (failing[0] if failing else (0, -1))


# Strict mode defers the fill checks to after the loop; its first violation must
# still follow each bar's order: timestamp, then fills, then state.
BARS = 120
FIRST = 50  # the signal's first change: the first fill and the first held bar


def strict_first(
    fault, ts_dup_at=None, max_leverage=1.0, narrow_at=None, next_open=False, short=False
):
    """(code, bar) of a strict every_bar run, and of the in-order end kernel."""
    rng = np.random.default_rng(5)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, BARS)))
    high, low = close * 1.001, close * 0.999
    if narrow_at is not None:  # a bar range the close fill lies above: a real fill fault
        high[narrow_at] = low[narrow_at] = close[narrow_at] * 0.9
    signal = np.where(np.arange(BARS) >= FIRST, -1.0 if short else 1.0, 0.0)
    signal[FIRST + 30 :] = 0.0
    ts = np.arange(BARS, dtype=np.int64) * 60
    if ts_dup_at is not None:
        ts[ts_dup_at] = ts[ts_dup_at - 1]
    cap = fk.fill_capacity_nb(k.scan_signal_nb(signal, short)[3])
    found = []
    for timing in ("every_bar", "end"):
        arrays = [np.empty(BARS), np.empty(BARS), np.full(cap + 2, -1, np.int64), np.empty(cap + 2)]
        fills = np.empty((cap, fk.N_FILL_COLS))
        trades = np.empty((cap, fk.N_TRADE_COLS))
        counts = np.zeros(ik.N_INVARIANTS, np.int64)
        first_bar = np.full(ik.N_INVARIANTS, -1, np.int64)
        first_vals = np.zeros((ik.N_INVARIANTS, 3))
        mode = ik.CHECK_STOP if timing == "every_bar" else ik.CHECK_OFF
        code, bar, nf, nt = k.simulate_checked_nb(
            close, high, low, close, ts, signal, 10_000.0, 0.001, 0.0005, 1.0, next_open,
            False, mode, 1e-6, 1e-9, max_leverage, short, *fault,
            *arrays, fills, trades, counts, first_bar, first_vals,
        )  # fmt: skip
        if timing == "end":
            position, equity, cash_bars, cash_values = arrays
            cash = np.empty(BARS)
            cash_from_steps_nb(cash_bars, cash_values, 10_000.0, cash)
            code, bar = end_checks_nb(
                ts, close, high, low, position, cash, equity, fills, nf, trades, nt,
                10_000.0, 0.0005, 1e-6, 1e-9, max_leverage, short, True,
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


def test_an_earlier_real_fill_fault_beats_a_later_state_fault():
    got = strict_first((k.FAULT_CASH, FIRST + 10, -1e9), narrow_at=FIRST)
    assert got == [(ik.FILL_PRICE_VALID, FIRST)] * 2


def test_a_later_real_fill_fault_loses_to_an_earlier_state_fault():
    got = strict_first((k.FAULT_CASH, FIRST + 10, -1e9), narrow_at=FIRST + 30)
    assert got == [(ik.CASH_NON_NEGATIVE, FIRST + 10)] * 2


@pytest.mark.parametrize(("next_open", "short"), [(True, False), (False, True), (True, True)])
def test_the_order_holds_for_next_open_fills_and_shorts(next_open, short):
    # With next_open the change at FIRST fills at FIRST + 1, the first held bar.
    fill_bar = FIRST + 1 if next_open else FIRST
    bad_fill = (k.FAULT_FILL_PRICE, fill_bar, 1.2 if short else 0.8)
    options = {"next_open": next_open, "short": short}
    same_bar_state = strict_first(bad_fill, max_leverage=0.5, **options)
    assert same_bar_state == [(ik.FILL_PRICE_VALID, fill_bar)] * 2
    same_bar_time = strict_first(bad_fill, ts_dup_at=fill_bar, **options)
    assert same_bar_time == [(ik.TIMESTAMPS_INCREASING, fill_bar)] * 2
    later_state = strict_first((k.FAULT_CASH, fill_bar + 10, -1e9), narrow_at=fill_bar, **options)
    assert later_state == [(ik.FILL_PRICE_VALID, fill_bar)] * 2
