"""Config ``[data]`` with the ``file`` provider: listed files, a ``{symbol}``-only
pattern, column mapping and formats, an inferred timeframe, per-symbol bars per year."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.cli.main import main
from peak_trade.core.config_schema import validate_config
from peak_trade.core.errors import ConfigError
from peak_trade.data.reader import read_ohlcv

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_layouts"


def _run(tmp_path: Path, data: str) -> list[dict[str, object]]:
    (tmp_path / "c.toml").write_text(
        f'[run]\noutput_dir = "out"\n[data]\nprovider = "file"\n{data}\n'
        '[strategy]\nname = "ma_crossover"\nparams = { fast = 3, slow = 8 }\n'
    )
    assert main(["run", str(tmp_path / "c.toml")]) == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    return json.loads((run_dir / "stats.json").read_text())["results"]


@pytest.mark.smoke
def test_listed_files_become_symbols_named_by_their_stems(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = _run(
        tmp_path,
        f'files = ["{CORPUS / "stock_daily_yahoo.csv"}", "{CORPUS / "crypto_monthly.csv"}"]',
    )
    assert [(r["symbol"], r["periods_per_year"]) for r in rows] == [
        ("stock_daily_yahoo", 252.0),
        ("crypto_monthly", 12.0),
    ]


def test_a_symbol_only_pattern_with_columns_format_tz_and_an_override(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    body = "".join(f"{d:02d}/01/2024 10:00,1,2,0.5,1.5,9\n" for d in range(2, 30))
    for name in ("EURUSD", "GBPUSD"):
        (data / f"{name}.csv").write_text("when,o,h,l,c,v\n" + body)
    monkeypatch.chdir(tmp_path)
    rows = _run(
        tmp_path,
        'path = "data"\npattern = "{symbol}.csv"\nsymbols = ["EURUSD", "GBPUSD"]\n'
        'columns = { o = "open", h = "high", l = "low", c = "close", v = "volume" }\n'
        'timestamp = "when"\nformat = "%d/%m/%Y %H:%M"\ntz = "Europe/Berlin"\n'
        "periods_per_year = { EURUSD = 260.0 }",
    )
    assert [(r["symbol"], r["periods_per_year"]) for r in rows] == [
        ("EURUSD", 260.0),
        ("GBPUSD", 365.0),
    ]


def test_a_declared_timeframe_that_disagrees_exits_3(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(
        f'[data]\nprovider = "file"\nfiles = ["{CORPUS / "fx_hourly_dukascopy.csv"}"]\n'
        'timeframe = "1d"\n[strategy]\nname = "macd"\n'
    )
    assert main(["run", str(tmp_path / "c.toml")]) == 3
    assert "declared timeframe '1d'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            {"provider": "synthetic", "symbols": ["A"]},
            "timeframe: required by provider 'synthetic'",
        ),
        (
            {"provider": "file", "files": ["a.csv", "b.csv"], "symbols": ["A"]},
            "lists 2 files for 1",
        ),
        ({"provider": "file", "files": ["a.csv"], "periods_per_year": {"B": 252.0}}, "not in data"),
        ({"provider": "synthetic", "symbols": ["A"], "timeframe": "1h", "tz": "UTC"}, "only used"),
    ],
)
def test_data_section_rules(data, match):
    with pytest.raises(ConfigError, match=match):
        validate_config({"data": data, "strategy": {"name": "macd"}})


def test_sweep_reads_files_through_the_same_reader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(
        f'[run]\noutput_dir = "out"\n[data]\nprovider = "file"\n'
        f'files = ["{CORPUS / "fx_hourly_dukascopy.csv"}", "{CORPUS / "epoch_us.csv"}"]\n'
        '[strategy]\nname = "ma_crossover"\n'
        '[sweep]\nstrategy = "ma_crossover"\ngrid = { fast = [3, 5], slow = [10] }\n'
    )
    assert main(["sweep", str(tmp_path / "s.toml")]) == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    rows = pl.read_parquet(run_dir / "sweep.parquet")
    assert sorted(set(rows["symbol"])) == ["epoch_us", "fx_hourly_dukascopy"]
    assert rows.height == 4


def test_sweep_applies_the_per_symbol_periods_per_year_and_records_it(tmp_path, monkeypatch):
    stock, coin = CORPUS / "stock_daily_yahoo.csv", CORPUS / "crypto_monthly.csv"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(
        f'[run]\noutput_dir = "out"\n[data]\nprovider = "file"\nfiles = ["{stock}", "{coin}"]\n'
        "periods_per_year = { crypto_monthly = 6.0 }\n"
        '[strategy]\nname = "ma_crossover"\n'
        '[sweep]\nstrategy = "ma_crossover"\ngrid = { fast = [2, 3], slow = [5] }\n'
    )
    assert main(["sweep", str(tmp_path / "s.toml")]) == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    rows = pl.read_parquet(run_dir / "sweep.parquet")
    got = rows.select("symbol", "fast", "periods_per_year", "sharpe").rows()
    want = []
    for symbol, path, ppy in (("stock_daily_yahoo", stock, None), ("crypto_monthly", coin, 6.0)):
        for fast in (2, 3):
            stats = run_backtest(
                read_ohlcv(path), "ma_crossover", {"fast": fast, "slow": 5},
                config=BacktestConfig(periods_per_year=ppy),
            ).stats  # fmt: skip
            want.append((symbol, fast, stats["periods_per_year"], stats["sharpe"]))
    assert got == want
    assert [r[2] for r in got] == [252.0, 252.0, 6.0, 6.0]
