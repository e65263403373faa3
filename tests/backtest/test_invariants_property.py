"""Random valid signals, prices and configs never trip an invariant (both timings)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from tests.backtest.invariant_reference import market, reference_violations

LEVELS = [-1.0, -0.5, 0.0, 0.3, 1.0]


@st.composite
def runs(draw):
    n = draw(st.integers(2, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    vol = draw(st.sampled_from([0.001, 0.02, 0.2]))
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, vol, n)))
    gaps = np.exp(rng.normal(0.0, vol, n))
    open_ = np.r_[close[0], close[:-1]] * gaps
    allow_short = draw(st.booleans())
    levels = LEVELS if allow_short else [x for x in LEVELS if x >= 0]
    signal = rng.choice(levels, n)
    hold = rng.integers(1, 8, n)  # hold targets for a few bars, like real strategies
    signal = np.repeat(signal, hold)[:n]
    config = BacktestConfig(
        initial_cash=draw(st.sampled_from([1.0, 10_000.0, 1e7])),
        fee_bps=draw(st.sampled_from([0.0, 10.0, 250.0])),
        slippage_bps=draw(st.sampled_from([0.0, 5.0, 300.0])),
        execution=draw(st.sampled_from(["next_open", "close"])),
        position_fraction=draw(st.sampled_from([0.25, 1.0])),
        allow_short=allow_short,
        close_at_end=draw(st.booleans()),
    )
    spread = draw(st.sampled_from([0.0, 0.01]))
    return market(close, open_, spread=spread), signal, config


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_valid_runs_never_trip_an_invariant(case):
    df, signal, config = case
    for timing in ("every_bar", "end"):
        result = run_backtest(
            df, signal=signal, config=config, invariants=InvariantConfig(timing=timing)
        )
        assert result.violations == ()
    assert reference_violations(df, result, config) == {}
