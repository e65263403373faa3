"""Reports drawn by real headless Chromium, offline: a result, a multi-symbol run, a sweep."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest.engine import run_backtest
from peak_trade.cli._pipeline import load_run_config, run_pipeline
from peak_trade.cli._sweep_pipeline import run_sweep
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.reporting import report
from tests.cli._cli_helpers import SMALL_CONFIG
from tests.reporting._browser import Loaded, chromium_or_skip, load_page, not_blank, screenshot_dir

_SWEEP = """
[sweep]
strategy = "ma_crossover"
grid = { fast = [3, 5, 8, 12], slow = [20, 30, 40] }
metric = "sharpe"
top = 5
"""


def _assert_drawn(seen: Loaded, expected_charts: set[str]) -> None:
    assert seen.errors == []
    assert seen.requests == []
    ids = {c["id"] for c in seen.charts}
    assert ids == expected_charts
    for chart in seen.charts:
        assert chart["marks"] > 0, chart["id"]
        assert all(t["n"] > 0 for t in chart["traces"]), chart["id"]
    assert not_blank(seen.screenshot)


def _run_charts(n: int) -> set[str]:
    return {f"{kind}-{k}" for k in range(n) for kind in ("equity", "drawdown", "price", "sharpe")}


def _equity_extremes(seen: Loaded, k: int) -> tuple[float, float]:
    [eq] = [c for c in seen.charts if c["id"] == f"equity-{k}"]
    ys = eq["traces"][0]["y"]
    return max(ys), min(ys)


@pytest.mark.smoke
def test_a_synthetic_result_draws_offline_with_its_true_equity_extremes(tmp_path: Path) -> None:
    chromium_or_skip()
    df = synthetic_ohlcv(30_000, seed=3)
    result = run_backtest(df, "ma_crossover", {"fast": 10, "slow": 40})
    page = report(result, tmp_path / "result.html")
    seen = load_page(page, screenshot_dir(tmp_path) / "report-result.png")
    _assert_drawn(seen, _run_charts(1))
    equity = result.equity["equity"].to_numpy()
    assert _equity_extremes(seen, 0) == (equity.max(), equity.min())
    ms = result.equity["timestamp"].dt.epoch("ms")
    [eq] = [c for c in seen.charts if c["id"] == "equity-0"]
    assert eq["traces"][0]["ends"] == eq["traces"][1]["ends"] == [ms[0], ms[-1]]
    price = result.equity["price"]
    assert eq["traces"][1]["y"][0] == pytest.approx(result.config.initial_cash, rel=1e-12)
    assert eq["traces"][1]["y"][-1] == pytest.approx(
        result.config.initial_cash * price[-1] / price[0], rel=1e-12
    )
    [dd] = [c for c in seen.charts if c["id"] == "drawdown-0"]
    assert min(dd["traces"][0]["y"]) == result.equity["drawdown"].min()


def test_a_multi_symbol_run_directory_draws_a_section_per_run(tmp_path: Path) -> None:
    chromium_or_skip()
    (tmp_path / "small.toml").write_text(SMALL_CONFIG.replace("bars = 300", "bars = 3000"))
    outcome = run_pipeline(load_run_config(tmp_path / "small.toml"), output_dir=tmp_path / "out")
    page = outcome.run_dir / "report.html"
    assert outcome.report
    assert page.is_file()
    seen = load_page(page, screenshot_dir(tmp_path) / "report-run.png")
    _assert_drawn(seen, _run_charts(4))
    equity = pl.read_ipc(outcome.run_dir / "equity.arrow")
    rows = json.loads((outcome.run_dir / "stats.json").read_text())["results"]
    for k, row in enumerate(rows):
        mine = equity.filter(symbol=row["symbol"], strategy=row["strategy"])["equity"]
        assert _equity_extremes(seen, k) == (mine.max(), mine.min())
        prices = equity.filter(symbol=row["symbol"], strategy=row["strategy"])["price"]
        [drawn] = [c for c in seen.charts if c["id"] == f"price-{k}"]
        assert (max(drawn["traces"][0]["y"]), min(drawn["traces"][0]["y"])) == (
            prices.max(),
            prices.min(),
        )


def test_a_sweep_directory_draws_its_heatmaps_and_distribution(tmp_path: Path) -> None:
    chromium_or_skip()
    (tmp_path / "sw.toml").write_text(SMALL_CONFIG.replace("bars = 300", "bars = 2000") + _SWEEP)
    outcome = run_sweep(load_run_config(tmp_path / "sw.toml"), output_dir=tmp_path / "out")
    page = outcome.run_dir / "report.html"
    assert outcome.report
    assert page.is_file()
    seen = load_page(page, screenshot_dir(tmp_path) / "report-sweep.png")
    _assert_drawn(seen, {"sweep-heatmap", "sweep-distribution", "sweep-symbol-0", "sweep-symbol-1"})
    [heat] = [c for c in seen.charts if c["id"] == "sweep-heatmap"]
    assert heat["traces"][0]["n"] == 3  # slow on the y axis: 20, 30, 40
    sharpe = outcome.frame["sharpe"].to_numpy()
    assert heat["traces"][0]["zmax"] == np.nanmax(sharpe)  # the default aggregate is max
    [dist] = [c for c in seen.charts if c["id"] == "sweep-distribution"]
    assert dist["traces"][0]["n"] == np.isfinite(sharpe).sum() == 2 * 12
