"""The signal scan and the quiet-bar path of ``_kernels.py`` against plain references."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest import _fill_kernels as fk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest import _kernels as k

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
    cap = fk.fill_capacity_nb(k.scan_signal_nb(signal, True)[3])
    # position, equity (per bar); cash steps (bar, value) with -1 in unused slots
    out = [np.full(n, -7.0), np.full(n, -7.0), np.full(cap + 2, -1, np.int64), np.zeros(cap + 2)]
    counts = np.zeros(ik.N_INVARIANTS, np.int64)
    first_bar = np.full(ik.N_INVARIANTS, -1, np.int64)
    first_vals = np.zeros((ik.N_INVARIANTS, 3))
    got = k.simulate_checked_nb(
        close, close * 1.01, close * 0.99, close, timestamps, signal,
        1000.0, 0.001, 0.0005, 1.0, False, False, mode, 1e-6, 1e-9, np.inf, True,
        k.NO_FAULT, -1, 0.0, *out,
        np.empty((cap, fk.N_FILL_COLS)), np.empty((cap, fk.N_TRADE_COLS)),
        counts, first_bar, first_vals,
    )  # fmt: skip
    return got, out, counts


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
        assert not any((a == -7.0).any() for a in out[:2])


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
    assert off_out[0][-1] == 0.0  # liquidated
