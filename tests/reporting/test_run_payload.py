"""The page's derived series against plain polars references: monthly returns, rolling Sharpe."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from peak_trade.reporting._run_payload import _monthly, _rolling_sharpe


@pytest.mark.smoke
def test_monthly_returns_match_a_group_by_month_reference():
    ts = pl.datetime_range(
        dt.datetime(2020, 1, 15, tzinfo=dt.UTC),
        dt.datetime(2022, 3, 3, tzinfo=dt.UTC),
        "7h",
        eager=True,
        time_zone="UTC",
    )
    eq = 100.0 * np.cumprod(1.0 + np.random.default_rng(0).standard_normal(ts.len()) * 0.01)
    got = _monthly(ts, eq, 100.0)
    ends = (
        pl.DataFrame({"m": ts.dt.truncate("1mo"), "e": eq})
        .group_by("m", maintain_order=True)
        .agg(pl.col("e").last())
    )
    last = ends["e"].to_numpy()
    ref = last / np.concatenate(([100.0], last[:-1])) - 1.0
    assert got["years"] == [2020, 2021, 2022]
    assert got["values"][0][0] is not None
    assert got["values"][2][3:] == [None] * 9
    flat = [v for row in got["values"] for v in row if v is not None]
    # rounded for display to 7 significant digits of the value or of the range
    span = ref.max() - ref.min()
    np.testing.assert_allclose(flat, ref, rtol=5e-7, atol=span * 5e-7)
    assert max(flat) == ref.max()  # the extremes are exact
    assert min(flat) == ref.min()
    yearly = np.prod(1.0 + ref[12:24]) - 1.0
    np.testing.assert_allclose(got["yearly"][1], yearly, rtol=5e-7)


def test_rolling_sharpe_matches_polars_rolling_mean_and_std():
    """Finite values only, at their bars: the flat start (zero std) is left out."""
    r = np.random.default_rng(1).standard_normal(1_000) * 0.01
    r[:100] = 0.0  # equity flat at the initial cash: no Sharpe until bar 100
    equity = 100.0 * np.cumprod(1.0 + r)
    idx, got = _rolling_sharpe(equity, 100.0, 50, 100.0)
    s = pl.Series(np.concatenate([[equity[0] / 100.0 - 1.0], equity[1:] / equity[:-1] - 1.0]))
    std = s.rolling_std(50).to_numpy()
    assert np.all(std[49:100] == 0.0)
    assert idx.tolist() == list(range(100, 1_000))
    ref = s.rolling_mean(50).to_numpy()[100:] / std[100:] * 10.0
    np.testing.assert_allclose(got, ref, rtol=1e-8)


def test_sweep_parameters_are_the_columns_before_the_stats():
    from peak_trade.reporting._sweep_payload import sweep_payload

    frame = pl.DataFrame(
        {
            "symbol": ["A", "A", "B"],
            "fast": [1, 2, 1],
            "slow": [9, 9, 9],
            "sharpe": [0.5, float("nan"), 1.5],
            "periods_per_year": [8760.0] * 3,
        }
    )
    got = sweep_payload(frame)
    assert got["params"] == ["fast", "slow"]
    assert got["columns"]["sharpe"] == [0.5, None, 1.5]  # strict JSON
    assert got["top"]["rows"] == [["B", 1, 9, 1.5], ["A", 1, 9, 0.5]]


def test_trades_table_cells_are_strict_json_and_times_are_text():
    from peak_trade.reporting._run_payload import RunBars, run_payload

    ts = pl.datetime_range(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 10), "1d", eager=True)
    equity = np.linspace(100.0, 110.0, ts.len())
    trades = pl.DataFrame(
        {
            "entry_ts": ts[[1, 4]],
            "exit_ts": ts[[3, 9]],
            "pnl": [1.5, float("nan")],
            "return": [0.015, float("inf")],
            "is_open": [False, True],
            "entry_price": [100.0, 101.0],
            "exit_price": [101.5, 102.0],
        }
    )
    got = run_payload(
        RunBars(ts, equity, equity), trades, {}, symbol="A", strategy="s",
        initial_cash=100.0, periods_per_year=365.0,
    )  # fmt: skip
    assert got["trades"]["rows"] == [
        ("2024-01-02 00:00:00", "2024-01-04 00:00:00", 1.5, 0.015, False, 100.0, 101.5),
        ("2024-01-05 00:00:00", "2024-01-10 00:00:00", None, None, True, 101.0, 102.0),
    ]
