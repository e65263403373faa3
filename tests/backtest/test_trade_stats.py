"""The closed-trade, risk and benchmark stats against vectorbt and plain numpy formulas."""

import datetime as dt
import json
import math
import warnings

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.risk_stats import bar_returns, benchmark_stats, risk_stats
from peak_trade.backtest.stats import extended_stats
from peak_trade.backtest.stats_json import strict_stats
from peak_trade.backtest.trade_stats import trade_stats

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def ohlcv(close) -> pl.DataFrame:
    c = np.asarray(close, dtype=float)
    o = np.concatenate([[c[0]], c[:-1]])
    n = len(c)
    stamps = [T0 + dt.timedelta(hours=i) for i in range(n)]
    return pl.DataFrame(
        {
            "timestamp": pl.Series(stamps, dtype=pl.Datetime("us", "UTC")),
            "open": o,
            "high": np.maximum(o, c) * 1.01,
            "low": np.minimum(o, c) * 0.99,
            "close": c,
            "volume": np.ones(n),
        }
    )


def scenario(seed: int = 5, n: int = 3_000):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.cumprod(rng.choice([0.98, 0.995, 1.0, 1.004, 1.02], n))
    signal = (np.cumsum(rng.random(n) < 0.03) % 2).astype(float)
    signal[-50:] = 1.0  # the last trade stays open
    return close, signal


@pytest.fixture(scope="module")
def vbt_pair():
    close, signal = scenario()
    cfg = BacktestConfig(
        execution="close", fee_bps=10.0, slippage_bps=5.0, close_at_end=False,
        periods_per_year=8760.0,
    )  # fmt: skip
    ours = run_backtest(ohlcv(close), signal=signal, config=cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vbt = pytest.importorskip("vectorbt")
        pf = vbt.Portfolio.from_signals(
            close, signal > 0, signal <= 0, fees=0.001, slippage=0.0005,
            init_cash=10_000.0, size=np.inf, freq="1h",
        )  # fmt: skip
        closed = pf.trades.closed
        ref = {
            "n_closed": int(closed.count()),
            "win_rate": float(closed.win_rate()),
            "profit_factor": float(closed.profit_factor()),
            "expectancy": float(closed.expectancy()),
            "avg_return": float(closed.returns.mean()),
            "n_all": int(pf.trades.count()),
            "summary": pf.stats()[["Total Trades", "Win Rate [%]"]].to_list(),
            "open_pnl": float(pf.trades.open.pnl.sum()),
            "pnl": closed.pnl.values.copy(),
            "returns": closed.returns.values.copy(),
            "duration": closed.duration.values.copy(),
            "bar_returns": pf.returns().to_numpy().copy(),
        }
        acc = pf.returns().vbt.returns(freq="1h", year_freq="365 days")
        ref["omega"] = float(acc.omega_ratio())
        ref["tail_ratio"] = float(acc.tail_ratio())
        ref["var_95"] = float(acc.value_at_risk(cutoff=0.05))
        ref["cvar_95"] = float(acc.cond_value_at_risk(cutoff=0.05))
    return ours, ref


@pytest.mark.slow
def test_closed_trade_stats_match_vectorbt(vbt_pair):
    ours, ref = vbt_pair
    s = extended_stats(ours)
    assert ours.trades.get_column("is_open").to_list()[-1] is True
    assert s["n_closed_trades"] == ref["n_closed"] == ours.stats["n_trades"] - 1
    assert ours.stats["n_trades"] == ref["n_all"]  # vectorbt's Total Trades, the open one in
    assert ref["summary"] == [ours.stats["n_trades"], pytest.approx(ours.stats["win_rate"] * 100)]
    # A count ratio is exact; sums of pnl differ from vectorbt's in the last bits only
    # (each trade's pnl is the same quantity computed with other float operations).
    assert ours.stats["win_rate"] == ref["win_rate"]
    assert ours.stats["profit_factor"] == pytest.approx(ref["profit_factor"], rel=1e-12)
    assert ours.stats["expectancy"] == pytest.approx(ref["expectancy"], rel=1e-12)
    assert ours.stats["avg_trade_return"] == pytest.approx(ref["avg_return"], rel=1e-12)
    assert s["open_trade_pnl"] == pytest.approx(ref["open_pnl"], rel=1e-9)
    assert s["trade_duration_mean"] == pytest.approx(ref["duration"].mean(), rel=1e-12)
    assert s["trade_duration_max"] == ref["duration"].max()
    assert s["trade_duration_median"] == np.median(ref["duration"])
    assert s["trade_duration_max_s"] == ref["duration"].max() * 3600.0


@pytest.mark.slow
def test_risk_stats_match_vectorbt(vbt_pair):
    ours, ref = vbt_pair
    s = extended_stats(ours)
    np.testing.assert_allclose(
        bar_returns(ours.equity["equity"].to_numpy(), 10_000.0), ref["bar_returns"], atol=1e-13
    )
    for name in ("omega", "tail_ratio", "var_95", "cvar_95"):
        assert s[name] == pytest.approx(ref[name], rel=1e-9), name


def test_best_worst_and_average_trades_follow_plain_formulas(vbt_pair):
    """Trade returns are over the entry notional (docs/backtest.md): a numpy formula each."""
    ours, _ = vbt_pair
    closed = ours.trades.filter(~pl.col("is_open"))
    ret = closed["return"].to_numpy()
    pnl = closed["pnl"].to_numpy()
    s = trade_stats(ours.trades, ours.equity["timestamp"])
    assert s["best_trade"] == ret.max()
    assert s["worst_trade"] == ret.min()
    assert s["avg_win"] == pytest.approx(ret[pnl > 0].mean(), rel=1e-12)
    assert s["avg_loss"] == pytest.approx(ret[pnl < 0].mean(), rel=1e-12)
    longest = run = 0
    for p in pnl:  # a plain loop
        run = run + 1 if p < 0 else 0
        longest = max(longest, run)
    assert s["max_consecutive_losses"] == longest


@pytest.mark.smoke
def test_skew_kurtosis_var_match_plain_formulas():
    rng = np.random.default_rng(3)
    equity = 100.0 * np.cumprod(1.0 + rng.standard_t(4, 500) * 0.01)
    r = np.concatenate([[equity[0] / 100.0 - 1.0], equity[1:] / equity[:-1] - 1.0])
    s = risk_stats(equity, 100.0)
    d = r - r.mean()
    assert s["skew"] == pytest.approx(np.mean(d**3) / np.mean(d**2) ** 1.5, rel=1e-9)
    assert s["kurtosis"] == pytest.approx(np.mean(d**4) / np.mean(d**2) ** 2 - 3.0, rel=1e-9)
    q = sorted(r)[24] + 0.05 * (len(r) - 1) % 1 * (sorted(r)[25] - sorted(r)[24])
    assert s["var_95"] == pytest.approx(q, rel=1e-12)
    assert s["omega"] == pytest.approx(r[r > 0].sum() / -r[r < 0].sum(), rel=1e-12)


@pytest.mark.smoke
def test_benchmark_is_buy_and_hold_on_the_same_bars():
    price = np.array([100.0, 110.0, 99.0, 121.0])
    s = benchmark_stats(price, periods_per_year=4.0, years=0.5)
    r = np.array([0.0, 0.1, -0.1, 121.0 / 99.0 - 1.0])
    assert s["benchmark_return"] == pytest.approx(0.21, rel=1e-12)
    assert s["benchmark_cagr"] == pytest.approx(1.21**2 - 1.0, rel=1e-12)
    assert s["benchmark_sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * 2.0, rel=1e-12)


def test_no_closed_trades_give_null_with_a_reason_in_strict_json():
    close = np.linspace(100.0, 120.0, 50)
    cfg = BacktestConfig(execution="close", close_at_end=False)
    result = run_backtest(ohlcv(close), signal=np.ones(50), config=cfg)
    row = strict_stats(extended_stats(result))
    text = json.dumps(row, allow_nan=False)
    back = json.loads(text)
    assert back["n_closed_trades"] == 0
    assert back["n_trades"] == 1
    for name in ("win_rate", "profit_factor", "expectancy", "avg_trade_return"):
        assert back[name] is None, name
    assert back["win_rate_reason"] == "no closed trades"
    assert back["profit_factor_reason"] == "no closed trades with nonzero pnl"
    assert back["open_trade_pnl"] == pytest.approx(result.trades["pnl"][0], rel=1e-12)
    assert all(not isinstance(v, float) or math.isfinite(v) for v in back.values())


def test_strict_stats_names_the_infinite_profit_factor():
    row = strict_stats({"profit_factor": math.inf, "sharpe": 1.5})
    assert row == {
        "profit_factor": None,
        "profit_factor_reason": "+inf: no losing closed trades",
        "sharpe": 1.5,
    }


@pytest.mark.parametrize("kind", ["normal", "mostly_flat", "nearly_all_flat", "sorted", "aliased"])
def test_var_cvar_tail_of_a_long_series_match_numpy(kind):
    """Past 100,000 bars only two bands of returns are partitioned: same figures as a full sort."""
    rng = np.random.default_rng(5)
    n = 200_001
    z = rng.standard_normal(n) * 0.01
    if kind == "mostly_flat":
        z[rng.random(n) < 0.9] = 0.0
    elif kind == "nearly_all_flat":
        z[rng.random(n) < 0.97] = 0.0
    elif kind == "sorted":  # the strided sample sees the tails, the cuts still hold
        z = np.sort(z)
    elif (
        kind == "aliased"
    ):  # the strided sample sees only these: the bands miss, all is partitioned
        z[:: n // 20_000] = 0.0
    equity = 100.0 * np.cumprod(1.0 + z)
    r = np.concatenate([[equity[0] / 100.0 - 1.0], equity[1:] / equity[:-1] - 1.0])
    s = risk_stats(equity, 100.0)
    q5, q95 = np.quantile(r, 0.05), np.quantile(r, 0.95)
    assert s["var_95"] == pytest.approx(q5, rel=1e-12, abs=1e-300)
    if q5 != 0.0:
        assert s["tail_ratio"] == pytest.approx(abs(q95) / abs(q5), rel=1e-12)
    worst = int((n - 1) * 0.05) + 1
    assert s["cvar_95"] == pytest.approx(np.sort(r)[:worst].mean(), rel=1e-12)


def test_benchmark_sharpe_of_a_long_series_matches_numpy_mean_and_std():
    price = 100.0 * np.cumprod(1.0 + np.random.default_rng(6).standard_normal(300_000) * 0.01)
    r = np.concatenate([[0.0], price[1:] / price[:-1] - 1.0])
    s = benchmark_stats(price, periods_per_year=8760.0, years=34.0)
    ref = r.mean() / r.std(ddof=1) * np.sqrt(8760.0)
    assert s["benchmark_sharpe"] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_galloping_search_of_ascending_keys_matches_numpy_searchsorted(seed):
    from peak_trade.backtest._risk_nb import searchsorted_sorted_nb

    rng = np.random.default_rng(seed)
    stamps = np.sort(rng.integers(0, 1_000, 5_000))  # with repeats
    keys = np.sort(rng.integers(-10, 1_010, 700))  # below, inside, repeated, past the end
    out = np.empty(keys.size, dtype=np.int64)
    searchsorted_sorted_nb(stamps, keys, out)
    assert out.tolist() == np.searchsorted(stamps, keys).tolist()


@pytest.mark.parametrize("kind", ["flat", "constant_growth", "far_shift"])
def test_moments_of_degenerate_returns_match_numpy(kind):
    """Flat and constant returns (zero spread), and a sample whose mean is far from all."""
    n = 150_000
    if kind == "flat":
        price = np.full(n, 100.0)
    elif kind == "constant_growth":
        price = 100.0 * 1.001 ** np.arange(n)
    else:  # the strided sample sees only the rare big moves: its mean is far off
        z = np.random.default_rng(9).standard_normal(n) * 1e-4
        z[:: n // 20_000] = 0.02
        price = 100.0 * np.cumprod(1.0 + z)
    r = np.concatenate([[0.0], price[1:] / price[:-1] - 1.0])
    s = benchmark_stats(price, periods_per_year=252.0, years=1.0)
    std = r.std(ddof=1)
    if std == 0.0:
        assert s["benchmark_sharpe"] == 0.0
    else:
        want = r.mean() / std * math.sqrt(252.0)
        assert s["benchmark_sharpe"] == pytest.approx(want, rel=1e-9)
    if kind == "far_shift":
        d = r - r.mean()
        k = risk_stats(price, float(price[0]))  # the first return 0, as in r
        assert k["skew"] == pytest.approx(np.mean(d**3) / np.mean(d**2) ** 1.5, rel=1e-9)
        assert k["kurtosis"] == pytest.approx(np.mean(d**4) / np.mean(d**2) ** 2 - 3.0, rel=1e-9)
