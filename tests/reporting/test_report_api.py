"""`pt.report`, `result.plot()` and `peak-trade report`: inputs, outputs, the missing extra."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import peak_trade as pt
from peak_trade.backtest.stats_json import strict_stats
from peak_trade.cli.main import main
from peak_trade.core.errors import ConfigError
from tests.cli._cli_helpers import SMALL_CONFIG, run_dirs
from tests.reporting._browser import page_payload

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.mark.smoke
def test_report_of_a_result_is_one_offline_file(tmp_path: Path) -> None:
    result = pt.run_backtest(pt.synthetic_ohlcv(5_000, seed=2), "ma_crossover")
    page = pt.report(result, tmp_path / "r.html", title="my <run>")
    text = page.read_text("utf-8")
    assert "<title>my &lt;run&gt;</title>" in text
    skeleton = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
    assert re.findall(r"<(?:link|img|iframe|script)\b", skeleton) == []  # everything inline
    assert len(re.findall(r"<script", text)) == 3  # plotly.js, the data, the drawing code
    [run] = page_payload(page)["runs"]
    assert run["trades"]["total"] == result.trades.height
    assert len(run["trades"]["rows"]) == min(1_000, result.trades.height)
    assert run["stats"]["n_trades"] == result.stats["n_trades"]
    assert run["series"]["equity"]["y"][-1] == result.equity["equity"][-1]


def test_the_page_shows_every_extended_stat_in_order(tmp_path: Path) -> None:
    # The report computes the stats in two parts on two threads; the page must hold
    # what one plain extended_stats call on a fresh copy gives, name for name, with
    # NaN and inf as null (strict_stats adds a "<name>_reason" beside them).
    result = pt.run_backtest(pt.synthetic_ohlcv(300_000, seed=5), "ma_crossover")
    page = pt.report(dataclasses.replace(result), tmp_path / "stats.html")
    want = strict_stats(pt.extended_stats(dataclasses.replace(result)))
    [run] = page_payload(page)["runs"]
    assert list(run["stats"]) == list(want)
    for name, value in want.items():
        if isinstance(value, float):
            assert run["stats"][name] == pytest.approx(value, rel=1e-12), name
        else:
            assert run["stats"][name] == value, name


def test_a_long_run_keeps_4000_points_per_series_and_the_page_under_6_mb(tmp_path: Path) -> None:
    result = pt.run_backtest(pt.synthetic_ohlcv(1_000_000, seed=4), "ma_crossover")
    page = pt.report(result, tmp_path / "long.html")
    assert page.stat().st_size < 6_000_000
    [run] = page_payload(page)["runs"]
    assert len(run["trades"]["rows"]) == 1_000
    [price] = page_payload(page)["prices"]
    for name, series in [*run["series"].items(), ("price", price)]:
        assert 0 < len(series["dx"]) == len(series["y"]) <= 4_000, name
    assert max(run["series"]["equity"]["y"]) == result.equity["equity"].max()
    assert min(run["series"]["drawdown"]["y"]) == result.equity["drawdown"].min()


def test_bad_inputs_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot report on int"):
        pt.report(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"not a run or sweep directory: no equity\.arrow"):
        pt.report(tmp_path)
    with pytest.raises(pt.PeakTradeError, match="no metric `sharpe`"):
        pt.report(pl.DataFrame({"fast": [1]}), tmp_path / "x.html")


def test_plot_returns_a_plotly_figure_with_the_exact_equity_peak() -> None:
    result = pt.run_backtest(pt.synthetic_ohlcv(20_000, seed=5), "ma_crossover")
    fig = result.plot()
    assert type(fig).__name__ == "Figure"
    names = [t.name for t in fig.data]
    assert names == ["strategy", "buy and hold", "drawdown", "price", "entries", "exits"]
    assert max(fig.data[0].y) == result.equity["equity"].max()
    assert len(fig.data[4].x) == result.trades.height


def test_import_and_report_never_import_plotly(tmp_path: Path) -> None:
    code = (
        "import sys, peak_trade as pt\n"
        "light = 'plotly' in sys.modules\n"
        "r = pt.run_backtest(pt.synthetic_ohlcv(500), 'ma_crossover')\n"
        f"pt.report(r, {str(tmp_path / 'p.html')!r})\n"
        "print(light, 'plotly' in sys.modules)\n"
    )
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "False"]


def test_run_without_the_extra_writes_the_data_and_says_how_to_get_the_report(
    tmp_path: Path,
) -> None:
    """plotly made unimportable (``sys.modules['plotly'] = None``) in a real subprocess."""
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    code = (
        "import sys\nsys.modules['plotly'] = None\n"
        "from peak_trade.cli.main import main\nsys.exit(main(['run', 'small.toml']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    [run_dir] = run_dirs(tmp_path / "out")
    assert not (run_dir / "report.html").exists()
    assert (run_dir / "stats.json").is_file()
    last = done.stdout.splitlines()[-1]
    assert last == (
        "report: not written (the charting extra is missing); pip install 'peak-trade[report]', "
        f"then peak-trade report {Path('out') / run_dir.name}"
    )


def test_report_command_rebuilds_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.toml").write_text(SMALL_CONFIG)
    assert main(["run", "small.toml"]) == 0
    [run_dir] = run_dirs(tmp_path / "out")
    (run_dir / "report.html").unlink()
    capsys.readouterr()
    assert main(["report", str(run_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "report.html")
    payload = page_payload(run_dir / "report.html")
    assert [r["symbol"] for r in payload["runs"]] == ["AAA", "AAA", "BBB", "BBB"]
    assert payload["overview"]["columns"][:2] == ["symbol", "strategy"]
    assert payload["repro"]["run_id"] == run_dir.name
    # one price series per symbol, shared by its two strategies
    assert [r["price"] for r in payload["runs"]] == [0, 0, 1, 1]
    assert len(payload["prices"]) == 2
    notes = {r["violations_note"] for r in payload["runs"]}
    assert notes == {"none (strict mode: a violation would have stopped the run)"}
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run or sweep directory" in capsys.readouterr().err


def test_a_warn_mode_violation_is_listed_in_the_page(tmp_path: Path) -> None:
    """A frame check that fails on every bar in exposure: warn mode keeps the run."""
    from peak_trade.backtest.invariants import InvariantConfig

    checks = InvariantConfig(mode="warn", frame_checks={"never_exposed": pl.col("exposure") == 0})
    result = pt.run_backtest(pt.synthetic_ohlcv(3_000, seed=6), "ma_crossover", invariants=checks)
    [violation] = result.violations
    [run] = page_payload(pt.report(result, tmp_path / "v.html"))["runs"]
    [row] = run["violations"]
    assert (row["name"], row["bar"], row["count"]) == (
        "never_exposed",
        violation.bar,
        violation.count,
    )


def test_a_failed_report_leaves_no_file(tmp_path: Path) -> None:
    """The page head is written while the data is computed: a failure removes it all."""
    with pytest.raises(ConfigError, match="not a run or sweep directory"):
        pt.report(tmp_path)
    assert list(tmp_path.iterdir()) == []
