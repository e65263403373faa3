"""Stops (stop loss, take profit, trailing stop) against the plain-Python reference.

The fill rules are in docs/backtest.md ("Stops"); ``reference_backtest`` in
test_engine_reference.py writes them out bar by bar.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peak_trade.backtest._inputs import build_inputs, new_book, new_violations, prepare_market
from peak_trade.backtest._nb import checks as ik
from peak_trade.backtest._nb.derive import from_steps_nb
from peak_trade.backtest._nb.end import end_checks_nb
from peak_trade.backtest._nb.fill_checks import first_fill_violation_nb
from peak_trade.backtest._nb.fills import fill_capacity_nb
from peak_trade.backtest._nb.simulate import simulate_nb
from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.grid import run_combos, run_grid
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.core.config_schema import validate_config
from peak_trade.core.errors import ConfigError
from tests.backtest.test_engine_reference import TARGETS, assert_matches_reference
from tests.core.config_fixtures import minimal

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
NO_COSTS = {"fee_bps": 0.0, "slippage_bps": 0.0, "periods_per_year": 8760.0}


def bars(open_, high, low, close) -> pl.DataFrame:
    n = len(close)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                T0, T0 + dt.timedelta(hours=max(n - 1, 0)), "1h", eager=True, time_zone="UTC"
            ).head(n),
            "open": np.asarray(open_, dtype=float),
            "high": np.asarray(high, dtype=float),
            "low": np.asarray(low, dtype=float),
            "close": np.asarray(close, dtype=float),
            "volume": np.ones(n),
        }
    )


def run(df: pl.DataFrame, signal: list[float], config: BacktestConfig):
    return run_backtest(df, signal=np.asarray(signal, dtype=float), config=config)


def exits(result) -> list[tuple[int, float]]:
    """(bar, price) of every sell or buy-back fill."""
    f = result.fills
    return list(zip(f["bar"].to_list(), f["price"].to_list(), strict=True))


# --- the fill rules, one bar each, by hand ------------------------------------------


@pytest.mark.smoke
def test_long_stop_loss_fills_at_its_level_inside_the_bar():
    # Entry at close[0] = 100; stop at 95. Bar 1 dips to 94 from an open of 99.
    df = bars([100, 99, 96], [101, 100, 97], [99, 94, 95], [100, 97, 96])
    cfg = BacktestConfig(execution="close", stop_loss=0.05, slippage_bps=10.0, fee_bps=0.0)
    result = run(df, [1.0, 1.0, 1.0], config=cfg)
    assert exits(result)[1] == (1, pytest.approx(95.0 * (1 - 0.001), rel=1e-15))
    assert result.equity["position"].to_list()[1:] == [0.0, 0.0]


def test_a_gap_through_the_stop_fills_at_the_open():
    df = bars([100, 90, 91], [101, 92, 92], [99, 88, 90], [100, 91, 91])
    result = run(
        df, [1.0] * 3, config=BacktestConfig(execution="close", stop_loss=0.05, **NO_COSTS)
    )
    assert exits(result)[1] == (1, 90.0)


def test_when_both_stops_trigger_in_one_bar_the_stop_loss_wins():
    # Bar 1 spans 94..111: the stop loss (95) and the take profit (110) both trigger.
    df = bars([100, 100, 100], [101, 111, 101], [99, 94, 99], [100, 100, 100])
    cfg = BacktestConfig(execution="close", stop_loss=0.05, take_profit=0.10, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg))[1] == (1, 95.0)
    cfg = BacktestConfig(execution="close", take_profit=0.10, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg))[1] == (1, pytest.approx(110.0))


def test_take_profit_gapped_through_fills_at_the_open():
    df = bars([100, 115, 116], [101, 117, 117], [99, 114, 115], [100, 116, 116])
    cfg = BacktestConfig(execution="close", take_profit=0.10, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg))[1] == (1, 115.0)


def test_trailing_stop_follows_the_highest_high_of_earlier_bars():
    # Entry 100; bar 1's high 120 lifts the trail to 108 for bar 2 (10%), whose low is 107.
    # Bar 1 itself (low 101) is checked against the trail from 100 (90): no exit there.
    df = bars([100, 102, 115], [101, 120, 116], [99, 101, 107], [100, 118, 110])
    cfg = BacktestConfig(execution="close", trailing_stop=0.10, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg))[1] == (2, pytest.approx(108.0))


def test_short_stops_mirror_the_long_ones():
    # Short at 100: stop loss at 105, take profit at 90, trailing 10% above the lowest low.
    df = bars([100, 101, 99], [101, 106, 100], [99, 100, 98], [100, 102, 99])
    sl = BacktestConfig(execution="close", allow_short=True, stop_loss=0.05, **NO_COSTS)
    assert exits(run(df, [-1.0] * 3, config=sl))[1] == (1, pytest.approx(105.0))
    df = bars([100, 99, 85], [101, 100, 86], [99, 95, 84], [100, 96, 85])
    tp = BacktestConfig(execution="close", allow_short=True, take_profit=0.10, **NO_COSTS)
    assert exits(run(df, [-1.0] * 3, config=tp))[1] == (2, 85.0)
    df = bars([100, 90, 96], [101, 91, 99], [99, 80, 95], [100, 85, 97])
    trail = BacktestConfig(execution="close", allow_short=True, trailing_stop=0.2, **NO_COSTS)
    assert exits(run(df, [-1.0] * 3, config=trail))[1] == (2, pytest.approx(96.0))


def test_after_a_stop_the_position_stays_flat_until_the_target_changes():
    # Stopped out at bar 1; the target stays 1 through bar 3, moves to 0.5 at bar 4.
    close = [100, 94, 100, 105, 106, 107]
    df = bars(close, [c + 1 for c in close], [c - 1 for c in close], close)
    cfg = BacktestConfig(execution="close", stop_loss=0.05, **NO_COSTS)
    result = run(df, [1.0, 1.0, 1.0, 1.0, 0.5, 0.5], config=cfg)
    held = [p != 0.0 for p in result.equity["position"].to_list()]
    assert held == [True, False, False, False, True, True]
    assert [b for b, _ in exits(result)] == [0, 1, 4]


def test_close_entries_are_checked_from_the_next_bar():
    # Entry at close[0] = 100; bar 0's own low (90) came before the entry: no stop there.
    df = bars([100, 100, 100], [101, 101, 101], [90, 99, 94], [100, 100, 100])
    cfg = BacktestConfig(execution="close", stop_loss=0.05, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg)) == [(0, 100.0), (2, 95.0)]


def test_next_open_entries_are_checked_from_their_own_bar():
    # Signal at bar 0 fills at open[1] = 100; bar 1's low 94 hits the 5% stop.
    df = bars([99, 100, 96], [100, 101, 97], [98, 94, 95], [99, 97, 96])
    cfg = BacktestConfig(execution="next_open", stop_loss=0.05, **NO_COSTS)
    assert exits(run(df, [1.0] * 3, config=cfg)) == [(1, 100.0), (1, 95.0)]


def test_enlarging_a_position_restarts_the_stops_from_that_price():
    # 0.5 at 100, then 1.0 at close[1] = 110: the 5% stop moves from 95 to 104.5.
    df = bars([100, 100, 108], [101, 111, 109], [99, 99, 104], [100, 110, 105])
    cfg = BacktestConfig(execution="close", stop_loss=0.05, **NO_COSTS)
    result = run(df, [0.5, 1.0, 1.0], config=cfg)
    assert exits(result)[-1] == (2, pytest.approx(104.5))


# --- the config -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["stop_loss", "take_profit", "trailing_stop"])
@pytest.mark.parametrize(
    ("value", "match"),
    [(0.0, "a fraction > 0"), (-0.1, "a fraction > 0"), (float("inf"), "finite"),
     (float("nan"), "finite"), ("0.05", "a number"), (True, "a number")],
)  # fmt: skip
def test_bad_stop_fractions_are_config_errors(name, value, match):
    with pytest.raises(ConfigError, match=f"`BacktestConfig.{name}` must be {match}"):
        BacktestConfig(**{name: value})


def test_stops_appear_in_to_dict_only_when_set():
    assert "stop_loss" not in BacktestConfig().to_dict()
    cfg = BacktestConfig(stop_loss=0.05, trailing_stop=0.1)
    assert cfg.has_stops
    assert {k: v for k, v in cfg.to_dict().items() if "stop" in k} == {
        "stop_loss": 0.05,
        "trailing_stop": 0.1,
    }
    assert not BacktestConfig().has_stops


# --- against the plain-Python reference -------------------------------------------------

STOPS = [None, None, 0.005, 0.02, 0.05, 0.3]


@st.composite
def stop_scenarios(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    moves = draw(
        st.lists(
            st.sampled_from([0.9, 0.97, 0.99, 1.0, 1.01, 1.03, 1.1, 1.5]), min_size=n, max_size=n
        )
    )
    close = 100.0 * np.cumprod(moves)
    gaps = np.asarray(draw(st.lists(st.floats(0.93, 1.07), min_size=n, max_size=n)))
    open_ = np.concatenate([[100.0], close[:-1]]) * gaps
    up = np.asarray(
        draw(st.lists(st.sampled_from([0.0, 0.004, 0.02, 0.06]), min_size=n, max_size=n))
    )
    down = np.asarray(
        draw(st.lists(st.sampled_from([0.0, 0.004, 0.02, 0.06]), min_size=n, max_size=n))
    )
    high = np.maximum(open_, close) * (1 + up)
    low = np.minimum(open_, close) * (1 - down)
    allow_short = draw(st.booleans())
    choices = TARGETS if allow_short else [t for t in TARGETS if t >= 0]
    signal: list[float] = []
    while len(signal) < n:
        signal += [draw(st.sampled_from(choices))] * draw(st.integers(1, 6))
    cfg = BacktestConfig(
        initial_cash=draw(st.sampled_from([1.0, 10_000.0])),
        fee_bps=draw(st.sampled_from([0.0, 10.0, 250.0])),
        slippage_bps=draw(st.sampled_from([0.0, 5.0, 100.0])),
        execution=draw(st.sampled_from(["close", "next_open"])),
        position_fraction=draw(st.sampled_from([0.3, 1.0])),
        allow_short=allow_short,
        close_at_end=draw(st.booleans()),
        periods_per_year=8760.0,
        stop_loss=draw(st.sampled_from(STOPS)),
        take_profit=draw(st.sampled_from(STOPS)),
        trailing_stop=draw(st.sampled_from(STOPS)),
    )
    return bars(open_, high, low, close), signal[:n], cfg


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stop_scenarios())
def test_engine_with_stops_matches_plain_python_reference(scenario):
    df, signal, cfg = scenario
    assert_matches_reference(df, signal, cfg)


# --- the grid ---------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sl=st.sampled_from(STOPS),
    tp=st.sampled_from(STOPS),
    trail=st.sampled_from(STOPS),
    execution=st.sampled_from(["close", "next_open"]),
    short=st.booleans(),
)
def test_grid_rows_equal_run_backtest_for_any_stops(sl, tp, trail, execution, short):
    df = _walk(300, 5)
    cfg = BacktestConfig(
        stop_loss=sl, take_profit=tp, trailing_stop=trail, execution=execution, allow_short=short
    )
    combos = [{"fast": 3, "slow": 12}, {"fast": 5, "slow": 30}]
    table = run_combos(df, "ma_crossover", combos, config=cfg)
    for row, params in zip(table.iter_rows(named=True), combos, strict=True):
        stats = run_backtest(df, "ma_crossover", params, config=cfg).stats
        assert {k: row[k] for k in stats} == pytest.approx(stats, nan_ok=True, rel=0, abs=0)


def _walk(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.cumprod(1 + rng.normal(0, 0.01, n))
    open_ = np.concatenate([[100.0], close[:-1]]) * (1 + rng.normal(0, 0.003, n))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.01)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.01)
    return bars(open_, high, low, close)


@pytest.mark.smoke
@pytest.mark.parametrize(
    "stops",
    [{"stop_loss": 0.02}, {"take_profit": 0.03, "trailing_stop": 0.015},
     {"stop_loss": 0.01, "take_profit": 0.02, "allow_short": True, "execution": "close"}],
)  # fmt: skip
def test_grid_rows_equal_run_backtest_with_stops(stops):
    df = _walk(600, 3)
    cfg = BacktestConfig(**stops)
    table = run_grid(df, "ma_crossover", {"fast": [3, 5, 10], "slow": [20, 40]}, config=cfg)
    plain = run_grid(df, "ma_crossover", {"fast": [3, 5, 10], "slow": [20, 40]})
    assert not table.equals(plain)  # the stops did something
    for row in table.iter_rows(named=True):
        params = {"fast": row["fast"], "slow": row["slow"]}
        stats = run_backtest(df, "ma_crossover", params, config=cfg).stats
        assert {k: row[k] for k in stats} == pytest.approx(stats, nan_ok=True, rel=0, abs=0)


def test_run_combos_with_stops_and_a_window_equals_run_backtest():
    df = _walk(400, 4)
    cfg = BacktestConfig(stop_loss=0.01, trailing_stop=0.02)
    combos = [{"fast": 4, "slow": 30}, {"fast": 8, "slow": 20}]
    table = run_combos(df, "ma_crossover", combos, config=cfg, window=(100, 350), violations=True)
    assert table["invariant_violation"].null_count() == table.height
    for row, params in zip(table.iter_rows(named=True), combos, strict=True):
        stats = run_backtest(df, "ma_crossover", params, config=cfg, window=(100, 350)).stats
        assert {k: row[k] for k in stats} == pytest.approx(stats, nan_ok=True, rel=0, abs=0)


# --- against vectorbt 1.2 ---------------------------------------------------------------


def _vbt_market(seed: int, n: int, short: bool):
    """A random walk with wicks and gaps, and a signal whose changes pass through 0."""
    rng = np.random.default_rng(seed)
    df = _walk(n, seed)
    steps = rng.random(n) < 0.05
    levels = [1.0, 0.0, -1.0, 0.0] if short else [1.0, 0.0]
    signal = np.asarray([levels[k % len(levels)] for k in np.cumsum(steps)], dtype=float)
    return df, signal


def _edges(signal: np.ndarray, level: float) -> np.ndarray:
    before = np.concatenate([[0.0], signal[:-1]])
    return (signal == level) & (before != level)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("stops", "vbt_stops"),
    [
        ({"stop_loss": 0.01}, {"sl_stop": 0.01}),
        ({"take_profit": 0.015}, {"tp_stop": 0.015}),
        ({"trailing_stop": 0.012}, {"sl_stop": 0.012, "sl_trail": True}),
        ({"stop_loss": 0.008, "take_profit": 0.02}, {"sl_stop": 0.008, "tp_stop": 0.02}),
        (
            {"trailing_stop": 0.01, "take_profit": 0.03},
            {"sl_stop": 0.01, "sl_trail": True, "tp_stop": 0.03},
        ),
    ],
)
@pytest.mark.parametrize(("short", "slippage_bps"), [(False, 5.0), (True, 0.0)])
def test_stops_match_vectorbt_from_signals(seed, stops, vbt_stops, short, slippage_bps):
    """vectorbt 1.2 from_signals with sl_stop/tp_stop/sl_trail: equity equal to 1e-9.

    Where the conventions match: fills at the close, stops checked from the bar after
    entry, the stop price slipped like a market order (``stop_exit_price="stopmarket"``),
    the entry's close as the stop reference, entries given on the bars where the
    target changes. The signal never jumps between long and short directly, so no
    stop bar carries an entry (vectorbt ignores it; this engine takes it: see docs).
    Long-short runs without slippage (see test_signals.py: short sizing differs).
    """
    import warnings

    df, signal = _vbt_market(seed, 2_000, short)
    cfg = BacktestConfig(
        execution="close", fee_bps=10.0, slippage_bps=slippage_bps, allow_short=short, **stops
    )
    ours = run_backtest(df, signal=signal, config=cfg)
    extra = {}
    if short:
        extra = {"short_entries": _edges(signal, -1.0), "short_exits": _edges(signal, 0.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        pf = vbt.Portfolio.from_signals(
            df["close"].to_numpy(), _edges(signal, 1.0), _edges(signal, 0.0),
            open=df["open"].to_numpy(), high=df["high"].to_numpy(), low=df["low"].to_numpy(),
            fees=0.001, slippage=slippage_bps / 1e4, init_cash=10_000.0, size=np.inf,
            stop_exit_price="stopmarket", **vbt_stops, **extra,
        )  # fmt: skip
        theirs = pf.value().to_numpy()
        n_trades = int(pf.trades.count())
        n_orders = int(pf.orders.count())
    np.testing.assert_allclose(ours.equity["equity"].to_numpy(), theirs, rtol=1e-9)
    assert ours.stats["n_trades"] == n_trades
    assert ours.fills.height == n_orders
    changes = set(np.flatnonzero(signal != np.concatenate([[0.0], signal[:-1]])).tolist())
    assert set(ours.fills["bar"].to_list()) - changes  # some stops fired


def test_a_target_change_on_a_stop_bar_is_taken_where_vectorbt_ignores_it():
    """The documented difference: a stop bar's own entry signal."""
    import warnings

    # Long at 100, stopped at 95 in bar 1, whose target flips to short at the close.
    df = bars([100, 100, 96, 96], [101, 101, 97, 97], [99, 94, 95, 95], [100, 96, 96, 96])
    signal = np.asarray([1.0, -1.0, -1.0, -1.0])
    cfg = BacktestConfig(execution="close", allow_short=True, stop_loss=0.05, **NO_COSTS)
    ours = run_backtest(df, signal=signal, config=cfg)
    assert ours.equity["position"][1] < 0.0  # short from the close of the stop bar
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        pf = vbt.Portfolio.from_signals(
            df["close"].to_numpy(), _edges(signal, 1.0), np.zeros(4, bool),
            short_entries=_edges(signal, -1.0), short_exits=np.zeros(4, bool),
            open=df["open"].to_numpy(), high=df["high"].to_numpy(), low=df["low"].to_numpy(),
            init_cash=10_000.0, size=np.inf, sl_stop=0.05, stop_exit_price="stopmarket",
        )  # fmt: skip
        assert pf.assets().to_numpy()[1] == 0.0  # vectorbt: flat, the short entry dropped


# --- the invariants cover stop fills ------------------------------------------------------


def _stop_run(df: pl.DataFrame, signal: np.ndarray, cfg: BacktestConfig):
    """The engine's kernel with stops and without checks: (inputs, book, n_fills, n_trades)."""
    inputs = build_inputs(prepare_market(df, config=cfg), cfg, InvariantConfig(mode="off"))
    book = new_book(df.height, fill_capacity_nb(4, True))
    _, _, nf, nt, _ = simulate_nb(
        inputs.market, inputs.settings, inputs.per_bar, signal, book, new_violations()
    )
    return inputs, book, nf, nt


@pytest.mark.parametrize("timing", ["every_bar", "end"])
def test_a_stop_fill_outside_its_bar_is_caught_by_the_fill_invariant(timing):
    """Corrupt the stop fill as a bug would (the level, ignoring the gap): it is caught."""
    df = bars([100, 90, 91, 91], [101, 92, 92, 92], [99, 88, 90, 90], [100, 91, 91, 91])
    cfg = BacktestConfig(execution="close", stop_loss=0.05, **NO_COSTS)
    signal = np.ones(4)
    clean = run_backtest(df, signal=signal, config=cfg)  # strict checks pass on the real run
    assert exits(clean)[1] == (1, 90.0)
    inputs, book, nf, nt = _stop_run(df, signal, cfg)
    cash, position = np.empty(df.height), np.empty(df.height)
    from_steps_nb(book.step_bars, book.step_cash, cfg.initial_cash, cash)
    from_steps_nb(book.step_bars, book.step_pos, 0.0, position)
    assert (book.fills[1]["bar"], book.fills[1]["price"]) == (1, 90.0)
    book.fills[1]["price"] = 95.0  # the stop level, above the bar's high of 92
    viol = new_violations()
    strict = inputs.checks._replace(mode=ik.CHECK_STOP, abs_tol=1e-9, max_leverage=np.inf)
    m, s = inputs.market, inputs.settings
    if timing == "every_bar":
        code, bar = first_fill_violation_nb(book.fills, nf, m.low, m.high, 0.0, strict, viol)
    else:
        code, bar = end_checks_nb(m, book, cash, position, nf, nt, s, strict, viol)
    assert (code, bar) == (ik.FILL_PRICE_VALID, 1)
    assert viol.first_vals[ik.FILL_PRICE_VALID - 1, 0] == 95.0


# --- the config file's [backtest] section ---------------------------------------------------

_stop_values = st.one_of(
    st.none(),
    st.floats(min_value=-1.0, max_value=2.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1e-12, 0.05, float("inf"), float("nan")]),
)


@settings(deadline=None, max_examples=60)
@given(sl=_stop_values, tp=_stop_values, trail=_stop_values)
def test_backtest_section_accepts_exactly_the_stops_backtestconfig_accepts(sl, tp, trail):
    fields = {"stop_loss": sl, "take_profit": tp, "trailing_stop": trail}
    fields = {k: v for k, v in fields.items() if v is not None}
    try:
        engine = BacktestConfig(**fields)
    except ConfigError:
        engine = None
    try:
        section = validate_config(minimal(backtest=fields)).backtest
    except ConfigError:
        section = None
    assert (section is None) == (engine is None)
    if engine is not None:
        assert BacktestConfig(**section.model_dump()) == engine


@pytest.mark.parametrize(
    "invariants",
    [InvariantConfig(timing="end"), InvariantConfig(mode="warn"), InvariantConfig(mode="off")],
)
def test_stop_runs_agree_under_every_invariant_timing_and_mode(invariants):
    df = _walk(500, 9)
    cfg = BacktestConfig(stop_loss=0.01, trailing_stop=0.015, allow_short=True)
    signal = np.where(np.arange(500) % 60 < 30, 1.0, -1.0)
    strict = run_backtest(df, signal=signal, config=cfg)
    other = run_backtest(df, signal=signal, config=cfg, invariants=invariants)
    assert other.stats == pytest.approx(strict.stats, nan_ok=True, rel=0, abs=0)
    assert other.fills.equals(strict.fills)
    assert other.violations == ()
    changed = np.flatnonzero(signal != np.concatenate([[0.0], signal[:-1]])) + 1  # next_open
    assert set(strict.fills["bar"].to_list()) - set(changed.tolist())  # some stops fired


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    stop=st.floats(0.002, 0.05),
    tp=st.one_of(st.none(), st.floats(0.002, 0.08)),
    trailing=st.booleans(),
    short=st.booleans(),
)
def test_random_stops_match_vectorbt(seed, stop, tp, trailing, short):
    """The same comparison as above on hypothesis-drawn stops, markets and signals."""
    import warnings

    df, signal = _vbt_market(seed, 300, short)
    loss = {"trailing_stop": stop} if trailing else {"stop_loss": stop}
    cfg = BacktestConfig(
        execution="close", fee_bps=10.0, slippage_bps=0.0 if short else 5.0,
        allow_short=short, take_profit=tp, **loss,
    )  # fmt: skip
    ours = run_backtest(df, signal=signal, config=cfg)
    extra = {}
    if short:
        extra = {"short_entries": _edges(signal, -1.0), "short_exits": _edges(signal, 0.0)}
    if tp is not None:
        extra["tp_stop"] = tp
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        pf = vbt.Portfolio.from_signals(
            df["close"].to_numpy(), _edges(signal, 1.0), _edges(signal, 0.0),
            open=df["open"].to_numpy(), high=df["high"].to_numpy(), low=df["low"].to_numpy(),
            fees=0.001, slippage=cfg.slippage_rate, init_cash=10_000.0, size=np.inf,
            stop_exit_price="stopmarket", sl_stop=stop, sl_trail=trailing, **extra,
        )  # fmt: skip
        theirs = pf.value().to_numpy()
        n_orders = int(pf.orders.count())
    np.testing.assert_allclose(ours.equity["equity"].to_numpy(), theirs, rtol=1e-9)
    assert ours.fills.height == n_orders
