"""The numba engine against an independent plain-Python loop (docs/backtest.md's model)."""

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def reference_backtest(open_, close, signal, cfg: BacktestConfig, high=None, low=None) -> dict:
    """The execution model written as plainly as possible, one bar at a time.

    With a stop in ``cfg``, ``high`` and ``low`` are needed (docs/backtest.md, "Stops").
    """
    fee = cfg.fee_bps / 10_000
    slip = cfg.slippage_bps / 10_000
    cash = cfg.initial_cash
    units = 0.0
    fills: list[tuple[int, float, float, float]] = []
    trades: list[dict] = []
    trade: dict | None = None

    def trade_fill(bar, qty, price, fee_paid):
        nonlocal trade
        if trade is None:
            trade = {
                "entry_bar": bar,
                "side": 1 if qty > 0 else -1,
                "bought": [],
                "sold": [],
                "fees": 0.0,
            }
        entering = (qty > 0) == (trade["side"] > 0)
        (trade["bought"] if entering else trade["sold"]).append((abs(qty), price))
        trade["fees"] += fee_paid

    def finish(trade, exit_bar, is_open, mark_qty=0.0, mark_price=0.0):
        in_qty = sum(q for q, _ in trade["bought"])
        in_value = sum(q * p for q, p in trade["bought"])
        out = [*trade["sold"], (mark_qty, mark_price)] if is_open else trade["sold"]
        out_qty = sum(q for q, _ in out)
        out_value = sum(q * p for q, p in out)
        pnl = trade["side"] * (out_value - in_value) - trade["fees"]
        trades.append(
            {
                "entry_bar": trade["entry_bar"],
                "exit_bar": exit_bar,
                "side": "long" if trade["side"] > 0 else "short",
                "qty": in_qty,
                "entry_price": in_value / in_qty,
                "exit_price": out_value / out_qty,
                "fees": trade["fees"],
                "pnl": pnl,
                "return": pnl / in_value,
                "is_open": is_open,
            }
        )

    def trade_at(bar, qty, raw_price):
        nonlocal cash, units, trade
        price = raw_price * (1 + slip) if qty > 0 else raw_price * (1 - slip)
        paid = abs(qty) * price * fee
        cash -= qty * price + paid
        fills.append((bar, qty, price, paid))
        closing = qty == -units
        units = 0.0 if closing else units + qty
        trade_fill(bar, qty, price, paid)
        if closing:
            finish(trade, bar, False)
            trade = None

    def rebalance(bar, target, raw_price):
        # An exit or the close leg of a flip first, then size from what is left.
        if units != 0 and (target == 0 or (target > 0) != (units > 0)):
            trade_at(bar, -units, raw_price)
        if target == 0:
            return
        wealth = cash + units * raw_price
        wanted = 0.0
        if wealth > 0:
            wanted = target * cfg.position_fraction * wealth / raw_price / (1 + slip) / (1 + fee)
        if wanted == 0:
            if units != 0:
                trade_at(bar, -units, raw_price)
            return
        if wanted != units:
            trade_at(bar, wanted - units, raw_price)

    # Stops: the entry's raw price and the best price since (None when flat).
    entry = best = None

    def order(bar, target, raw_price):
        nonlocal entry, best
        before = units
        rebalance(bar, target, raw_price)
        if units == 0:
            entry = best = None
        elif before == 0 or (units > 0) != (before > 0) or abs(units) > abs(before):
            entry = best = raw_price  # opened, flipped or enlarged: the stops restart

    def stop_price(i):
        """The raw exit price of a stop in bar i, or None; levels come from earlier bars."""
        long = units > 0
        adverse = []  # loss-side levels: the stop loss and the trailing stop
        if cfg.stop_loss is not None:
            adverse.append(entry * (1 - cfg.stop_loss) if long else entry * (1 + cfg.stop_loss))
        if cfg.trailing_stop is not None:
            trail = cfg.trailing_stop
            adverse.append(best * (1 - trail) if long else best * (1 + trail))
        if adverse:
            level = max(adverse) if long else min(adverse)
            if (open_[i] <= level) if long else (open_[i] >= level):
                return open_[i]  # gapped through: the open
            if (low[i] <= level) if long else (high[i] >= level):
                return level
        if cfg.take_profit is not None:
            tp = cfg.take_profit
            level = entry * (1 + tp) if long else entry * (1 - tp)
            if (open_[i] >= level) if long else (open_[i] <= level):
                return open_[i]
            if (high[i] >= level) if long else (low[i] <= level):
                return level
        return None

    n = len(close)
    out = {"position": [], "cash": [], "equity": []}
    last_target = 0.0
    queued = None
    for i in range(n):
        if queued is not None:
            order(i, queued, open_[i])
            queued = None
        if units != 0 and cfg.has_stops:
            price = stop_price(i)
            if price is not None:
                trade_at(i, -units, price)
                entry = best = None
            else:
                best = max(best, high[i]) if units > 0 else min(best, low[i])
        if signal[i] != last_target:
            last_target = signal[i]
            if cfg.execution == "close":
                order(i, signal[i], close[i])
            elif i < n - 1:
                queued = signal[i]
        if cfg.close_at_end and i == n - 1 and units != 0:
            trade_at(i, -units, close[i])
        equity = cash + units * close[i]
        if equity <= 0 and units != 0:
            trade_at(i, -units, close[i])
            equity = cash
            entry = best = None
        out["position"].append(units)
        out["cash"].append(cash)
        out["equity"].append(equity)
    if trade is not None:
        finish(trade, n - 1, True, abs(units), close[n - 1])
    out["fills"] = fills
    out["trades"] = trades
    return out


def ohlcv(open_, close) -> pl.DataFrame:
    o = np.asarray(open_, dtype=float)
    c = np.asarray(close, dtype=float)
    n = len(c)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                T0, T0 + dt.timedelta(hours=max(n - 1, 0)), "1h", eager=True, time_zone="UTC"
            ).head(n),
            "open": o,
            "high": np.maximum(o, c) * 1.01,
            "low": np.minimum(o, c) * 0.99,
            "close": c,
            "volume": np.ones(n),
        }
    )


def assert_matches_reference(df: pl.DataFrame, signal, cfg: BacktestConfig) -> None:
    o = df["open"].to_list()
    c = df["close"].to_list()
    want = reference_backtest(o, c, list(signal), cfg, df["high"].to_list(), df["low"].to_list())
    got = run_backtest(df, signal=np.asarray(signal, dtype=float), config=cfg)
    close_enough = {"rtol": 1e-9, "atol": 1e-9 * cfg.initial_cash}
    for col in ("position", "cash", "equity"):
        np.testing.assert_allclose(got.equity[col].to_numpy(), want[col], **close_enough)
    fills = got.fills
    assert fills["bar"].to_list() == [f[0] for f in want["fills"]]
    for j, col in enumerate(("qty", "price", "fee"), start=1):
        np.testing.assert_allclose(
            fills[col].to_numpy(), [f[j] for f in want["fills"]], **close_enough
        )
    trades = got.trades
    ts = df["timestamp"]
    assert trades.height == len(want["trades"])
    assert trades["entry_ts"].to_list() == [ts[t["entry_bar"]] for t in want["trades"]]
    assert trades["exit_ts"].to_list() == [ts[t["exit_bar"]] for t in want["trades"]]
    for col in ("side", "is_open"):
        assert trades[col].to_list() == [t[col] for t in want["trades"]]
    for col in ("qty", "entry_price", "exit_price", "fees", "pnl", "return"):
        np.testing.assert_allclose(
            trades[col].to_numpy(), [t[col] for t in want["trades"]], **close_enough
        )
    assert_trade_stats(got.stats, want["trades"], close_enough["atol"])
    # The trades reconcile with the account: initial cash + sum of pnl = final equity.
    if df.height:
        final = got.equity["equity"][-1]
        total = cfg.initial_cash + sum(t["pnl"] for t in want["trades"])
        assert math.isclose(final, total, rel_tol=1e-9, abs_tol=1e-6)


def assert_trade_stats(stats: dict, trades: list[dict], atol: float) -> None:
    """n_trades counts every reference trade; the other trade stats its closed ones."""
    assert stats["n_trades"] == len(trades)
    closed = [t for t in trades if not t["is_open"]]
    names = ("win_rate", "profit_factor", "expectancy", "avg_trade_return")
    if not closed:
        assert all(math.isnan(stats[name]) for name in names)
        return
    pnl = [t["pnl"] for t in closed]
    assert stats["expectancy"] == pytest.approx(sum(pnl) / len(pnl), rel=1e-9, abs=atol)
    mean_return = sum(t["return"] for t in closed) / len(closed)
    assert stats["avg_trade_return"] == pytest.approx(mean_return, rel=1e-9, abs=1e-9)
    if any(abs(p) <= atol for p in pnl):
        return  # a pnl within rounding of 0: its sign, and so the two ratios, is a coin toss
    gains = sum(p for p in pnl if p > 0)
    losses = -sum(p for p in pnl if p < 0)
    assert stats["win_rate"] == sum(p > 0 for p in pnl) / len(pnl)
    want = gains / losses if losses > 0 else math.inf
    assert stats["profit_factor"] == pytest.approx(want, rel=1e-9)


TARGETS = [-1.0, -0.5, 0.0, 0.0, 0.25, 0.5, 1.0, 1.0]


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    moves = draw(
        st.lists(
            st.sampled_from([0.5, 0.8, 0.95, 1.0, 1.03, 1.1, 1.5, 3.0]), min_size=n, max_size=n
        )
    )
    gaps = draw(st.lists(st.floats(0.9, 1.1), min_size=n, max_size=n))
    close = 100.0 * np.cumprod(moves)
    open_ = np.concatenate([[100.0], close[:-1]]) * np.asarray(gaps)
    allow_short = draw(st.booleans())
    choices = TARGETS if allow_short else [t for t in TARGETS if t >= 0]
    # Runs of equal targets, so positions are held across bars.
    signal: list[float] = []
    while len(signal) < n:
        signal += [draw(st.sampled_from(choices))] * draw(st.integers(1, 4))
    cfg = BacktestConfig(
        initial_cash=draw(st.sampled_from([1.0, 10_000.0, 1e6])),
        fee_bps=draw(st.sampled_from([0.0, 1.0, 10.0, 250.0])),
        slippage_bps=draw(st.sampled_from([0.0, 5.0, 100.0])),
        execution=draw(st.sampled_from(["close", "next_open"])),
        position_fraction=draw(st.sampled_from([0.3, 0.999, 1.0])),
        allow_short=allow_short,
        close_at_end=draw(st.booleans()),
        periods_per_year=8760.0,
    )
    return ohlcv(open_, close), signal[:n], cfg


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_matches_plain_python_reference(scenario):
    df, signal, cfg = scenario
    assert_matches_reference(df, signal, cfg)


@pytest.mark.smoke
def test_reference_agrees_on_a_flip_and_a_partial_close():
    df = ohlcv([100, 101, 99, 104, 108, 103], [101, 99, 104, 108, 103, 100])
    cfg = BacktestConfig(allow_short=True, execution="close", periods_per_year=8760.0)
    assert_matches_reference(df, [1.0, 0.5, -1.0, -1.0, 0.0, 1.0], cfg)


def test_reference_agrees_on_a_short_that_is_liquidated():
    df = ohlcv([100, 100, 300, 300], [100, 300, 300, 200])
    cfg = BacktestConfig(allow_short=True, execution="close", periods_per_year=8760.0)
    assert_matches_reference(df, [-1.0, -1.0, 1.0, 0.0], cfg)


@pytest.mark.slow
def test_long_only_close_fills_match_vectorbt():
    """A published peer: vectorbt's from_signals with the same costs and fill timing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        rng = np.random.default_rng(5)
        close = 100.0 * np.cumprod(rng.choice([0.98, 0.995, 1.0, 1.004, 1.02], 3_000))
        signal = (np.cumsum(rng.random(3_000) < 0.03) % 2).astype(float)
        df = ohlcv(np.concatenate([[100.0], close[:-1]]), close)
        cfg = BacktestConfig(execution="close", fee_bps=10.0, slippage_bps=5.0)
        ours = run_backtest(df, signal=signal, config=cfg)
        pf = vbt.Portfolio.from_signals(
            close, signal > 0, signal <= 0, fees=0.001, slippage=0.0005,
            init_cash=10_000.0, size=np.inf,
        )  # fmt: skip
        theirs = pf.value().to_numpy()
        n_trades = int(pf.trades.count())
    np.testing.assert_allclose(ours.equity["equity"].to_numpy(), theirs, rtol=1e-10)
    assert ours.stats["n_trades"] == n_trades
