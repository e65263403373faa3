"""The signal scan and the quiet-bar path of the simulation against plain references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest._nb import scan as k
from peak_trade.backtest._nb.fills import fill_capacity_nb
from peak_trade.backtest._nb.simulate import simulate_nb
from tests.backtest import kernel_inputs as ki

BLOCK = 4096  # the scan's block length: the cases below straddle its edges


def reference_scan(signal: np.ndarray, allow_short: bool) -> tuple[int, int, float, int]:
    """A plain loop: the first bad bar (NaN, out of range, short), and the target changes."""
    changes = 0
    prev = 0.0
    for i, x in enumerate(signal.tolist()):
        if math.isnan(x):
            return k.SIGNAL_NAN, i, x, changes
        if x > 1.0 or x < -1.0:
            return k.SIGNAL_OUT_OF_RANGE, i, x, changes
        if x < 0.0 and not allow_short:
            return k.SIGNAL_SHORT, i, x, changes
        if x != prev:
            changes += 1
            prev = x
    return k.SIGNAL_OK, -1, 0.0, changes


def _same(got: tuple[int, int, float, int], want: tuple[int, int, float, int]) -> bool:
    g_status, g_bar, g_value, g_changes = got
    w_status, w_bar, w_value, w_changes = want
    same_value = g_value == w_value or (math.isnan(g_value) and math.isnan(w_value))
    return (g_status, g_bar, g_changes) == (w_status, w_bar, w_changes) and same_value


@pytest.mark.smoke
@pytest.mark.parametrize("allow_short", [False, True])
@pytest.mark.parametrize(
    ("bar", "value"),
    [(0, math.nan), (BLOCK - 1, 1.5), (BLOCK, -0.5), (BLOCK + 1, math.nan), (3 * BLOCK, -2.0)],
)
def test_the_scan_names_the_first_bad_bar_across_block_edges(
    bar: int, value: float, allow_short: bool
) -> None:
    signal = (np.arange(4 * BLOCK) // 7 % 2).astype(float)
    signal[bar] = value
    signal[bar + 5] = math.nan  # a later problem must not win
    got = k.scan_signal_nb(signal, allow_short)
    assert _same(got, reference_scan(signal, allow_short))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0, -0.5, -1.0, 1.5, math.nan]), min_size=0, max_size=60),
    st.integers(min_value=0, max_value=2 * BLOCK),
    st.booleans(),
)
def test_the_scan_matches_the_plain_loop(tail: list[float], gap: int, allow_short: bool) -> None:
    """A random tail after ``gap`` flat bars: the same status, bar, value and changes."""
    signal = np.r_[np.zeros(gap), np.asarray(tail, dtype=float)]
    assert _same(k.scan_signal_nb(signal, allow_short), reference_scan(signal, allow_short))


def _simulate(
    close: np.ndarray, signal: np.ndarray, timestamps: np.ndarray, mode: int
) -> tuple[tuple[int, int, int, int], list[np.ndarray], np.ndarray]:
    n = close.shape[0]
    cap = fill_capacity_nb(k.scan_signal_nb(signal, True)[3], False)
    bars = ki.market(close, high=close * 1.01, low=close * 0.99, timestamps=timestamps)
    # equity per bar (-7 where never written); steps with bar -1 unused
    book, viol = ki.buffers(n, cap, fill=-7.0)
    cfg = ki.settings(initial_cash=1000.0)
    got = simulate_nb(bars, cfg, ki.checks(mode), signal, book, viol)
    out = [book.equity, book.step_bars, book.step_cash, book.step_pos]
    return got[:4], out, viol.counts


@pytest.mark.parametrize("mode", [ik.CHECK_COUNT, ik.CHECK_STOP])
def test_every_unordered_timestamp_is_found_past_the_quiet_bars(mode: int) -> None:
    """Three unordered bars in quiet stretches: warn counts 3, strict stops at the first."""
    n = 3 * BLOCK
    close = 100.0 + np.sin(np.arange(n) / 50.0)
    signal = (np.arange(n) // 1000 % 2).astype(float)
    ts = np.arange(n, dtype=np.int64) * 60
    bad = [1500, 4321, 9000]
    for b in bad:
        ts[b] = ts[b - 1]
    (code, bar, _, _), out, counts = _simulate(close, signal, ts, mode)
    assert (code, bar) == (ik.TIMESTAMPS_INCREASING, bad[0])
    expected = 3 if mode == ik.CHECK_COUNT else 1
    assert counts[ik.TIMESTAMPS_INCREASING - 1] == expected
    assert counts.sum() == expected
    if mode == ik.CHECK_COUNT:  # every bar was recorded, quiet or not
        assert not (out[0] == -7.0).any()


def test_the_quiet_path_records_the_same_bars_in_every_mode() -> None:
    """Checks on or off, and a short ruined along the way: the per-bar arrays agree."""
    n = 2 * BLOCK
    close = np.r_[np.full(n // 2, 100.0), np.linspace(100.0, 400.0, n // 2)]
    signal = np.r_[np.zeros(10), -np.ones(n - 10)]  # a short from bar 10, ruined as it rises
    ts = np.arange(n, dtype=np.int64)
    runs = [_simulate(close, signal, ts, mode) for mode in (ik.CHECK_OFF, ik.CHECK_COUNT)]
    (off_status, off_out, _), (count_status, count_out, counts) = runs
    assert off_status[2:] == count_status[2:]
    assert count_status[:2] == (0, -1)
    assert counts.sum() == 0
    for a, b in zip(off_out, count_out, strict=True):
        np.testing.assert_array_equal(a, b)
    bars, positions = off_out[1], off_out[3]
    assert positions[np.flatnonzero(bars >= 0)[-1]] == 0.0  # liquidated
