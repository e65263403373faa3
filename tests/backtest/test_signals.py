"""from_entries_exits against a bar-by-bar reference and vectorbt's from_signals."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.signals import from_entries_exits
from peak_trade.core.errors import ConfigError
from tests.backtest.test_engine_reference import ohlcv


def target_reference(le, lx, se, sx):
    """The documented precedence, one bar at a time, in plain Python."""
    state, out = 0.0, []
    for a, b, c, d in zip(le, lx, se, sx, strict=True):
        if a and b:
            a = b = False
        if c and d:
            c = d = False
        if a and c:
            a = c = False
        if state == 1.0:
            state = -1.0 if c else (0.0 if b else 1.0)
        elif state == -1.0:
            state = 1.0 if a else (0.0 if d else -1.0)
        else:
            state = 1.0 if a else (-1.0 if c else 0.0)
        out.append(state)
    return out


@pytest.mark.smoke
@settings(max_examples=200, deadline=None)
@given(
    flags=st.lists(st.tuples(*[st.booleans()] * 4), min_size=0, max_size=60),
    short=st.booleans(),
)
def test_from_entries_exits_matches_the_reference(flags, short):
    le, lx, se, sx = (list(c) for c in zip(*flags, strict=True)) if flags else ([], [], [], [])
    if not short:
        se = sx = [False] * len(le)
    got = from_entries_exits(
        pl.Series(le, dtype=pl.Boolean), np.array(lx, dtype=bool),
        short_entries=se if short else None, short_exits=sx if short else None,
    )  # fmt: skip
    assert got.dtype == pl.Float64
    assert got.to_list() == target_reference(le, lx, se, sx)


def test_documented_precedence_cases():
    t, f = True, False
    cases = [
        # (le, lx, se, sx) per bar -> target
        ([t, f], [t, f], [f, f], [f, f], [0.0, 0.0]),  # entry + exit on one bar: ignored
        ([t, f], [f, f], [f, t], [f, f], [1.0, -1.0]),  # short entry while long: reverse
        ([t, t], [f, f], [t, f], [f, f], [0.0, 1.0]),  # opposite entries on one bar cancel
        ([t, f], [f, f], [f, t], [f, t], [1.0, 1.0]),  # short entry + short exit while long
        ([f, f], [t, f], [f, f], [t, f], [0.0, 0.0]),  # exits while flat do nothing
        ([f, f], [f, t], [t, f], [f, f], [-1.0, -1.0]),  # a long exit while short does nothing
    ]
    for le, lx, se, sx, want in cases:
        assert from_entries_exits(le, lx, short_entries=se, short_exits=sx).to_list() == want


def _market(seed: int, n: int = 3_000):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.cumprod(rng.choice([0.98, 0.995, 1.0, 1.004, 1.02], n))
    open_ = np.concatenate([[100.0], close[:-1]])
    flags = rng.random((4, n)) < rng.choice([0.02, 0.1])
    return ohlcv(open_, close), close, flags


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("short", "fee_bps", "slippage_bps"),
    [(False, 0.0, 0.0), (False, 10.0, 5.0), (True, 0.0, 0.0), (True, 10.0, 0.0)],
)
def test_equity_matches_vectorbt_from_signals(seed, short, fee_bps, slippage_bps):
    """vectorbt 1.2 from_signals, same signals, costs and close fills: equal to 1e-9.

    Long-short runs without slippage: the engine sizes a short at the buy-side
    slipped price (docs/backtest.md), vectorbt at the sell price, so with
    slippage the two short sizes differ by design, not by the signals.
    """
    df, close, (le, lx, se, sx) = _market(seed)
    cfg = BacktestConfig(
        execution="close", fee_bps=fee_bps, slippage_bps=slippage_bps, allow_short=short
    )
    extra = {"short_entries": se, "short_exits": sx} if short else {}
    ours = run_backtest(df, entries=le, exits=lx, config=cfg, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        pf = vbt.Portfolio.from_signals(
            close, le, lx, fees=fee_bps / 1e4, slippage=slippage_bps / 1e4,
            init_cash=10_000.0, size=np.inf, **extra,
        )  # fmt: skip
        theirs = pf.value().to_numpy()
        n_trades = int(pf.trades.count())
    np.testing.assert_allclose(ours.equity["equity"].to_numpy(), theirs, rtol=1e-9)
    assert ours.stats["n_trades"] == n_trades


def test_run_backtest_entries_is_the_signal_shortcut():
    df, _, (le, lx, se, sx) = _market(4, 500)
    cfg = BacktestConfig(allow_short=True)
    signal = from_entries_exits(le, lx, short_entries=se, short_exits=sx)
    a = run_backtest(df, entries=le, exits=lx, short_entries=se, short_exits=sx, config=cfg)
    b = run_backtest(df, signal=signal, config=cfg)
    assert a.stats == b.stats
    assert a.params is None


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: from_entries_exits([True], [False, True]), "has 2 values"),
        (lambda: from_entries_exits([0.5, 1.0], [False, True]), "1-D booleans"),
        (lambda: from_entries_exits([2, 0], [0, 1]), "other than 0 and 1"),
        (lambda: from_entries_exits(pl.Series([True, None]), [True, False]), "1 nulls"),
        (lambda: from_entries_exits([[True]], [[False]]), "1-D booleans"),
    ],
)
def test_bad_signals_raise_config_errors(call, match):
    with pytest.raises(ConfigError, match=match):
        call()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "needs a strategy"),
        ({"entries": [True] * 50}, "`exits` is missing"),
        ({"exits": [True] * 50}, "`entries` is missing"),
        ({"strategy": "ma_crossover", "entries": [True] * 50, "exits": [False] * 50}, "not both"),
    ],
)
def test_run_backtest_entry_keywords_are_checked(kwargs, match):
    df = ohlcv(np.full(50, 100.0), np.full(50, 100.0))
    strategy = kwargs.pop("strategy", None)
    with pytest.raises(ConfigError, match=match):
        run_backtest(df, strategy, **kwargs)
