"""The fill checks run after the simulation's loop: the screen and strict order.

Faults come from the test-only kernel ``fault_kernel.simulate_fault_nb``, built from
the simulation's own parts.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._inputs import new_violations
from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest._nb import fill_checks as dk
from peak_trade.backtest._nb.derive import from_steps_nb
from peak_trade.backtest._nb.end import end_checks_nb
from peak_trade.backtest._nb.fills import fill_capacity_nb
from peak_trade.backtest._nb.records import FILL_DTYPE
from peak_trade.backtest._nb.scan import scan_signal_nb
from tests.backtest import fault_kernel as k
from tests.backtest import kernel_inputs as ki

ABS_TOL, REL_TOL, SLIP = 1e-6, 1e-9, 0.0005
PRICES = st.one_of(
    st.floats(90.0, 112.0),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -1.0, 99.0 * (1 - SLIP)]),
)


FEES = st.one_of(st.floats(0.0, 5.0), st.sampled_from([-1e-12, -1.0, math.nan]))


@pytest.mark.smoke
@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), PRICES, FEES), min_size=0, max_size=12))
def test_the_fill_screen_passes_exactly_when_no_row_fails(rows):
    rows.sort(key=lambda row: row[0])
    low = np.linspace(99.0, 100.0, 10)
    high = low + 10.0
    fills = np.zeros(max(1, len(rows)), dtype=FILL_DTYPE)
    for r, (bar, price, fee) in enumerate(rows):
        fills[r]["bar"], fills[r]["price"], fills[r]["fee"] = bar, price, fee
    count = ki.checks(ik.CHECK_COUNT, abs_tol=ABS_TOL, rel_tol=REL_TOL)
    per_row = [
        dk.check_fills_nb(bar, fills, r, r + 1, low[bar], high[bar], SLIP, count, new_violations())
        for r, (bar, _, _) in enumerate(rows)
    ]
    screened = dk.fills_ok_nb(fills, len(rows), low, high, SLIP, count)
    assert screened == (not any(per_row))
    strict = count._replace(mode=ik.CHECK_STOP)
    code, bar = dk.first_fill_violation_nb(
        fills, len(rows), low, high, SLIP, strict, new_violations()
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
    cap = fill_capacity_nb(scan_signal_nb(signal, short)[3], False)
    bars = ki.market(close, high=high, low=low, timestamps=ts)
    cfg = ki.settings(fee_rate=0.001, slip=0.0005, next_open=next_open)
    strict = ki.checks(ik.CHECK_STOP, max_leverage=max_leverage, short=short)
    found = []
    for timing in ("every_bar", "end"):
        book, viol = ki.buffers(BARS, cap)
        per_bar = strict if timing == "every_bar" else strict._replace(mode=ik.CHECK_OFF)
        code, bar, nf, nt, _ = k.simulate_fault_nb(
            bars, cfg, per_bar, signal, book, viol, k.Fault(*fault)
        )
        if timing == "end":
            cash, position = np.empty(BARS), np.empty(BARS)
            from_steps_nb(book.step_bars, book.step_cash, 10_000.0, cash)
            from_steps_nb(book.step_bars, book.step_pos, 0.0, position)
            code, bar = end_checks_nb(bars, book, cash, position, nf, nt, cfg, strict, viol)
        assert viol.counts.sum() == 1  # strict keeps exactly the violation it reports
        assert viol.counts[code - 1] == 1
        assert viol.first_bar[code - 1] == bar
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
