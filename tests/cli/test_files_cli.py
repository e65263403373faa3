"""``validate-data`` and ``run --data`` on every file of the real-layout corpus."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from peak_trade.cli.main import main
from peak_trade.data.reader import read_ohlcv
from tests.cli._cli_helpers import cli

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_layouts"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix != ".py")


def _broken(tmp_path: Path, src: Path) -> tuple[Path, int]:
    """A copy of a CSV whose line 6 has one field too many, and the header's width."""
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    sep = {".tsv": "\t", ".txt": "|"}.get(src.suffix, ";" if ";" in lines[0] else ",")
    lines[5] += f"{sep}9"
    out = tmp_path / src.name
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out, len(lines[0].split(sep))


@pytest.mark.smoke
def test_validate_data_passes_every_layout_and_prints_the_detection(capsys, monkeypatch):
    monkeypatch.chdir(CORPUS)
    code = main(["validate-data", *(p.name for p in FILES)])
    out = capsys.readouterr().out
    assert code == 0, out
    for path in FILES:
        assert f"{path.name}: ok" in out
    assert "time column  'Gmt time' ('%d.%m.%Y %H:%M:%S%.f')" in out
    assert "delimiter    ';'" in out
    assert "timeframe    1mo" in out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_validate_data_json_reports_what_read_ohlcv_reads(path, capsys):
    assert main(["validate-data", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    frame = read_ohlcv(path)
    assert doc["ok"] is True
    assert doc["rows"] == frame.height
    first, last = frame["timestamp"][0].isoformat(), frame["timestamp"][-1].isoformat()
    assert doc["detected"]["span"] == f"{first} .. {last}"


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix in (".csv", ".tsv", ".txt")])
def test_validate_data_and_run_exit_3_on_a_broken_copy_naming_the_line(
    path, tmp_path, capsys, monkeypatch
):
    broken, width = _broken(tmp_path, path)
    assert main(["validate-data", str(broken)]) == 3
    out = capsys.readouterr().out
    assert f"line 6: {width + 1} fields, expected {width}" in out
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--data", str(broken), "--output-dir", "out"]) == 3
    err = capsys.readouterr().err
    assert "line 6:" in err
    assert "Traceback" not in err
    assert not [d for d in (tmp_path / "out").iterdir() if not d.name.endswith(".partial")]


def test_the_console_script_runs_a_file_with_no_config(tmp_path):
    done = cli(
        "run", "--data", str(CORPUS / "stock_daily_yahoo.csv"), "--output-dir", "o", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "stock_daily_yahoo" in done.stdout


def test_validate_data_exits_3_on_a_header_without_rows(tmp_path, capsys):
    path = tmp_path / "h.csv"
    path.write_text("Date,Open,High,Low,Close,Volume\n")
    assert main(["validate-data", str(path)]) == 3
    assert "has a header but no rows" in capsys.readouterr().out


def test_run_data_backtests_every_layout_on_the_bars_read_ohlcv_reads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--data", *(str(p) for p in FILES), "--output-dir", "out"])
    assert code == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    equity = pl.read_ipc(run_dir / "equity.arrow")
    stats = json.loads((run_dir / "stats.json").read_text())["results"]
    for path in FILES:
        bars = read_ohlcv(path)
        mine = equity.filter(pl.col("symbol") == path.stem, pl.col("strategy") == "ma_crossover")
        assert mine.get_column("timestamp").equals(bars.get_column("timestamp"), check_names=False)
    ppy = {row["symbol"]: row["periods_per_year"] for row in stats}
    assert ppy["stock_daily_yahoo"] == 252.0
    assert ppy["crypto_monthly"] == 12.0
    assert ppy["weekly"] == 52.0
    assert ppy["fx_hourly_dukascopy"] == 252.0 * 24


def test_run_data_takes_strategies_params_and_a_declared_timeframe(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hourly = str(CORPUS / "fx_hourly_dukascopy.csv")
    args = ["run", "--data", hourly, "--strategy", "macd", "--param", "fast=5"]
    assert main([*args, "--timeframe", "1h", "--output-dir", "out"]) == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    [row] = json.loads((run_dir / "stats.json").read_text())["results"]
    assert (row["strategy"], row["params"]["fast"]) == ("macd", 5)
    assert main([*args, "--timeframe", "1d", "--output-dir", "out2"]) == 3
    err = capsys.readouterr().err
    assert "declared timeframe '1d'" in err
    assert "mostly '1h'" in err
    assert main(["run", "--data", hourly, "--param", "nope=1"]) == 2
