"""Strategy plugins: a real installed distribution (a dist-info with entry_points.txt
on sys.path), ``module:Class`` import paths, and a broken plugin beside the built-ins."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from peak_trade.backtest.engine import run_backtest
from peak_trade.backtest.plugins import load_plugins, strategy_origin
from peak_trade.backtest.registry import get_strategy, get_strategy_class, reset_registry
from peak_trade.cli.main import main
from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv

STRATEGY = """
from typing import ClassVar

import polars as pl

from peak_trade.backtest.strategies import ParamSpec, Strategy


class {cls}(Strategy):
    description: ClassVar[str] = "long at a fixed exposure"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("level", float, 1.0, low=0.0, high=1.0, description="exposure"),
    )

    def signal_expr(self) -> pl.Expr:
        return pl.lit(float(self.params["level"]))
"""


def _dist(root: Path, dist: str, package: str, entries: dict[str, str], body: str) -> None:
    """An installed distribution as pip leaves it: the package and its dist-info."""
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text(body)
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[peak_trade.strategies]\n{lines}")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    reset_registry()
    yield root
    reset_registry()


@pytest.mark.smoke
def test_an_installed_plugin_is_registered_and_runs(site):
    _dist(
        site,
        "fixed-plug",
        "fixed_plug",
        {"fixed_long": "fixed_plug:FixedLong"},
        STRATEGY.format(cls="FixedLong"),
    )
    [plugin] = [p for p in load_plugins() if p.distribution == "fixed-plug"]
    assert plugin.error is None
    assert get_strategy("fixed_long", level=0.5).params == {"level": 0.5}
    assert strategy_origin("fixed_long") == "plugin fixed-plug (fixed_plug:FixedLong)"
    result = run_backtest(synthetic_ohlcv(50, seed=1), "fixed_long", {"level": 1.0})
    assert result.stats["n_trades"] == 1


def test_a_plugin_is_found_by_name_without_loading_first(site):
    _dist(
        site,
        "lazy-plug",
        "lazy_plug",
        {"lazy_long": "lazy_plug:LazyLong"},
        STRATEGY.format(cls="LazyLong"),
    )
    assert get_strategy_class("lazy_long").__name__ == "LazyLong"


def test_a_broken_plugin_names_itself_and_the_built_ins_keep_working(site, capsys):
    _dist(site, "bad-plug", "bad_plug", {"bad_one": "bad_plug:Missing"}, "X = 1\n")
    _dist(
        site, "boom-plug", "boom_plug", {"boom": "boom_plug:Boom"}, "raise RuntimeError('kaput')\n"
    )
    broken = {p.name: p.error for p in load_plugins() if p.error is not None}
    assert set(broken) >= {"bad_one", "boom"}
    assert (
        "strategy plugin 'boom' from boom-plug (boom_plug:Boom) is broken: RuntimeError: kaput"
        in (broken["boom"].message)
    )
    with pytest.raises(ConfigError, match=r"strategy plugin 'bad_one' from bad-plug .* is broken"):
        get_strategy("bad_one")
    assert get_strategy("macd").params["fast"] == 12
    assert main(["list-strategies"]) == 0
    out = capsys.readouterr().out
    assert "boom: BROKEN [plugin boom-plug (boom_plug:Boom)]" in out
    assert "macd: " in out


def test_an_import_path_in_a_config_runs(site, tmp_path, monkeypatch):
    (site / "my_pkg").mkdir()
    (site / "my_pkg" / "__init__.py").write_text("")
    (site / "my_pkg" / "my_module.py").write_text(STRATEGY.format(cls="MyStrategy"))
    config = tmp_path / "c.toml"
    config.write_text(
        textwrap.dedent(
            """
            [run]
            output_dir = "out"
            [data]
            provider = "synthetic"
            symbols = ["AAA"]
            timeframe = "1h"
            bars = 60
            [strategy]
            name = "my_pkg.my_module:MyStrategy"
            params = { level = 0.5 }
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(config)]) == 0
    [run_dir] = list((tmp_path / "out").iterdir())
    [row] = json.loads((run_dir / "stats.json").read_text())["results"]
    assert row["strategy"] == "my_pkg.my_module:MyStrategy"
    assert row["params"] == {"level": 0.5}
    assert (
        strategy_origin("my_pkg.my_module:MyStrategy") == "import path my_pkg.my_module:MyStrategy"
    )


def test_an_import_path_that_does_not_import_is_a_config_error(site, tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text(
        '[data]\nprovider = "synthetic"\nsymbols = ["A"]\ntimeframe = "1h"\n'
        '[strategy]\nname = "nowhere_pkg.mod:Thing"\n'
    )
    assert main(["validate-config", str(config)]) == 2
    assert "strategy 'nowhere_pkg.mod:Thing' cannot be imported" in capsys.readouterr().err
