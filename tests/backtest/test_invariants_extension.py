"""User extension checks: a jitted per-bar check and a polars-expression check."""

import logging

import numpy as np
import polars as pl
import pytest
from numba import njit

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core.errors import BacktestInvariantError
from tests.backtest.invariant_reference import market, walk

N = 60
DF = market(walk(N, seed=5))
SIGNAL = (np.arange(N) // 10 % 2).astype(float)  # long on bars 10-19, 30-39, 50-59
CFG = BacktestConfig(execution="close")


@njit
def flat_before_bar_15(i, cash, position, price, equity):
    """Violated (code 7) when holding a position before bar 15."""
    return 7 if i < 15 and position != 0.0 else 0


@njit
def always_fine(i, cash, position, price, equity):
    return 0


CHECKS = {
    "bar": {"bar_checks": {"flat_early": flat_before_bar_15}},
    "frame": {"frame_checks": {"flat_early": (pl.col("position") == 0) | (pl.int_range(N) >= 15)}},
}


@pytest.mark.smoke
@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_strict_raises_at_the_first_bad_bar(kind):
    checks = InvariantConfig(**CHECKS[kind])
    with pytest.raises(BacktestInvariantError, match="`flat_early` at bar 10") as info:
        run_backtest(DF, signal=SIGNAL, config=CFG, invariants=checks)
    assert info.value.context["invariant"] == "flat_early"
    assert info.value.context["bar"] == 10


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_warn_logs_and_records_with_the_count(kind, caplog):
    checks = InvariantConfig(mode="warn", **CHECKS[kind])
    with caplog.at_level(logging.WARNING, logger="peak_trade.backtest.invariants"):
        result = run_backtest(DF, signal=SIGNAL, config=CFG, invariants=checks)
    (v,) = result.violations
    assert (v.name, v.bar, v.count) == ("flat_early", 10, 5)
    (rec,) = [r for r in caplog.records if r.getMessage() == "invariant.violated"]
    assert (rec.invariant, rec.bar, rec.count) == ("flat_early", 10, 5)
    if kind == "bar":
        assert dict(v.values) == {"code": 7.0}
    else:
        assert v.values["position"] == result.equity["position"][10]


@pytest.mark.parametrize("timing", ["every_bar", "end"])
@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_off_is_silent(kind, timing, caplog):
    checks = InvariantConfig(mode="off", timing=timing, **CHECKS[kind])
    with caplog.at_level(logging.WARNING):
        result = run_backtest(DF, signal=SIGNAL, config=CFG, invariants=checks)
    assert result.violations == ()
    assert not caplog.records


def test_passing_checks_record_nothing():
    checks = InvariantConfig(
        bar_checks={"fine": always_fine}, frame_checks={"cash_ok": pl.col("cash") >= -1e-6}
    )
    assert run_backtest(DF, signal=SIGNAL, config=CFG, invariants=checks).violations == ()


def test_a_null_in_a_frame_check_counts_as_a_violation():
    checks = InvariantConfig(mode="warn", frame_checks={"nulls": pl.lit(None, dtype=pl.Boolean)})
    (v,) = run_backtest(DF, signal=SIGNAL, config=CFG, invariants=checks).violations
    assert (v.name, v.bar, v.count) == ("nulls", 0, N)
