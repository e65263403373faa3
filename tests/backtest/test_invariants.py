"""Each invariant tripped by a deliberately broken run, in every mode and timing."""

import logging
import math

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import run_grid
from peak_trade.backtest.invariants import INVARIANT_NAMES, InvariantConfig
from peak_trade.core.errors import BacktestInvariantError, ConfigError
from peak_trade.core.repro import ReproContext
from tests.backtest import fault_kernel as k
from tests.backtest.invariant_reference import market, reference_violations, walk

N = 120
BAR = 50
DF = market(walk(N, seed=3))
LONG = (np.arange(N) // 10 % 2).astype(float)  # changes every 10 bars, so bar 50 fills
SHORT = -LONG
CLOSE = BacktestConfig(execution="close")
SHORTS = BacktestConfig(execution="close", allow_short=True)

# invariant -> (fault, signal, backtest config, extra InvariantConfig fields, first bar)
CASES = {
    "cash_non_negative": ((k.FAULT_CASH, BAR, -1e9), LONG, CLOSE, {}, BAR),
    "equity_finite": ((k.FAULT_CASH, BAR, math.nan), LONG, CLOSE, {}, BAR),
    "accounting_identity": ((k.FAULT_EQUITY, BAR, 5.0), LONG, CLOSE, {}, BAR),
    "exposure_within_limit": (
        (k.FAULT_LEVERAGE, BAR, 3.0),
        SHORT,
        SHORTS,
        {"max_leverage": 2.0},
        BAR,
    ),
    "fill_price_valid": ((k.FAULT_FILL_PRICE, BAR, 1.2), LONG, CLOSE, {}, BAR),
    "fees_non_negative": ((k.FAULT_FEE, BAR, -1.0), LONG, CLOSE, {}, BAR),
    "timestamps_increasing": ((k.FAULT_TIMESTAMP, BAR, 0.0), LONG, CLOSE, {}, BAR),
    "trades_reconcile": ((k.FAULT_TRADE_PNL, BAR, 1.0), LONG, CLOSE, {}, N - 1),
}
TIMINGS = ["every_bar", "end"]


def run(name, mode, timing, repro=None):
    fault, signal, config, extra, _ = CASES[name]
    checks = InvariantConfig(mode=mode, timing=timing, **extra)
    return k.run_with_fault(DF, signal, config=config, invariants=checks, fault=fault, repro=repro)


def test_the_case_table_covers_every_invariant():
    assert sorted(CASES) == sorted(INVARIANT_NAMES)
    assert len(INVARIANT_NAMES) == ik.N_INVARIANTS


@pytest.mark.smoke
def test_a_valid_run_is_checked_by_default_and_passes():
    result = run_backtest(DF, signal=LONG)
    assert result.violations == ()
    assert result.stats["n_trades"] == 6


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_strict_raises_with_the_invariant_name_and_bar(name, timing):
    with pytest.raises(BacktestInvariantError, match=f"`{name}` at bar {CASES[name][4]}") as info:
        run(name, "strict", timing)
    ctx = info.value.context
    assert ctx["invariant"] == name
    assert ctx["bar"] == CASES[name][4]
    assert ctx["timestamp"] == DF["timestamp"][CASES[name][4]]
    assert ctx["run_id"] is None
    assert info.value.hint


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_warn_logs_once_per_invariant_and_records_it(name, timing, caplog):
    with caplog.at_level(logging.WARNING, logger="peak_trade.backtest.invariants"):
        result = run(name, "warn", timing)
    by_name = {v.name: v for v in result.violations}
    assert by_name[name].bar == CASES[name][4]
    assert by_name[name].count >= 1
    logged = [r for r in caplog.records if r.getMessage() == "invariant.violated"]
    assert sorted(r.invariant for r in logged) == sorted(by_name)
    mine = next(r for r in logged if r.invariant == name)
    assert (mine.bar, mine.count) == (by_name[name].bar, by_name[name].count)


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_off_is_silent(name, timing, caplog):
    with caplog.at_level(logging.WARNING):
        result = run(name, "off", timing)
    assert result.violations == ()
    assert not [r for r in caplog.records if r.getMessage() == "invariant.violated"]


def nan_safe(values):
    return {key: "nan" if math.isnan(x) else x for key, x in values.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_both_timings_find_the_same_violations(name):
    found = [
        [(v.name, v.bar, v.count, nan_safe(v.values)) for v in run(name, "warn", t).violations]
        for t in TIMINGS
    ]
    assert found[0] == found[1]
    assert found[0]


@pytest.mark.parametrize("name", sorted(set(CASES) - {"timestamps_increasing"}))
def test_warn_records_match_the_plain_python_reference(name):
    _, _, config, extra, _ = CASES[name]
    result = run(name, "warn", "every_bar")
    got = {v.name: (v.bar, v.count) for v in result.violations}
    assert got == reference_violations(DF, result, config, **extra)


def test_the_offending_values_are_reported():
    result = run("fees_non_negative", "warn", "end")
    (v,) = result.violations
    assert dict(v.values) == {"fee": -1.0, "fill_row": 4.0}
    assert result.fills["fee"][4] == -1.0


def test_the_error_carries_the_repro_context():
    repro = ReproContext.create(seed=7, config_dict={"a": 1}, git_sha="abc1234")
    with pytest.raises(BacktestInvariantError) as info:
        run("accounting_identity", "strict", "every_bar", repro=repro)
    ctx = info.value.context
    assert (ctx["run_id"], ctx["seed"], ctx["git_sha"]) == (repro.run_id, 7, "abc1234")
    assert ctx["config_hash"] == repro.config_hash
    assert ctx["values"]["equity"] == ctx["values"]["cash_plus_position_value"] + 5.0


def test_a_genuine_leverage_breach_trips_without_a_fault():
    """Long-only with max_leverage=0.5 while the signal commits all equity."""
    with pytest.raises(BacktestInvariantError, match="exposure_within_limit` at bar 10"):
        run_backtest(DF, signal=LONG, config=CLOSE, invariants=InvariantConfig(max_leverage=0.5))


def test_the_derived_leverage_limit():
    assert InvariantConfig().leverage_limit(allow_short=False) == 1.0
    assert InvariantConfig().leverage_limit(allow_short=True) == math.inf
    assert InvariantConfig(max_leverage=3).leverage_limit(allow_short=True) == 3.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mode", "loud"),
        ("timing", "sometimes"),
        ("abs_tol", -1.0),
        ("rel_tol", math.nan),
        ("abs_tol", True),
        ("max_leverage", 0.0),
        ("max_leverage", "2"),
        ("bar_checks", {"x": lambda *a: 0}),
        ("frame_checks", {"cash_non_negative": None}),
        ("frame_checks", []),
    ],
)
def test_bad_invariant_configs_are_rejected(field, value):
    with pytest.raises(ConfigError, match=f"InvariantConfig.{field}") as info:
        InvariantConfig(**{field: value})
    assert info.value.context["field"] == field


def test_run_backtest_rejects_a_non_config():
    with pytest.raises(ConfigError, match="must be an InvariantConfig"):
        run_backtest(DF, signal=LONG, invariants="strict")


@pytest.mark.parametrize("timing", TIMINGS)
def test_grid_strict_raises_with_the_combination(timing):
    checks = InvariantConfig(timing=timing, max_leverage=0.5)
    with pytest.raises(BacktestInvariantError, match="exposure_within_limit") as info:
        run_grid(DF, "ma_crossover", {"fast": [3, 5], "slow": [20]}, invariants=checks)
    assert info.value.context["params"] == {"fast": 3, "slow": 20}


@pytest.mark.parametrize("timing", TIMINGS)
def test_grid_warn_logs_and_keeps_the_stats_and_off_matches(timing, caplog):
    grid = {"fast": [3, 5], "slow": [20]}
    warn = InvariantConfig(mode="warn", timing=timing, max_leverage=0.5)
    with caplog.at_level(logging.WARNING, logger="peak_trade.backtest.invariants"):
        warned = run_grid(DF, "ma_crossover", grid, invariants=warn)
    (rec,) = [r for r in caplog.records if r.getMessage() == "invariant.violated"]
    assert (rec.invariant, rec.combos, rec.params) == (
        "exposure_within_limit",
        2,
        {"fast": 3, "slow": 20},
    )
    off = run_grid(DF, "ma_crossover", grid, invariants=InvariantConfig(mode="off"))
    strict = run_grid(DF, "ma_crossover", grid)
    assert warned.equals(off)
    assert strict.equals(off)


def test_grid_rejects_user_checks():
    checks = InvariantConfig(frame_checks={"x": pl.col("close").is_not_null()})
    with pytest.raises(ConfigError, match="built-in invariants only"):
        run_grid(DF, "ma_crossover", {"fast": [3]}, invariants=checks)
