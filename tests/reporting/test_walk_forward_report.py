"""The sweep page's walk-forward section, from a real `peak-trade sweep` with [walk_forward]."""

from __future__ import annotations

import math
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from peak_trade.cli.main import main
from peak_trade.core.errors import ConfigError
from peak_trade.reporting import report
from peak_trade.reporting._load import dir_payload
from tests.cli._cli_helpers import SMALL_CONFIG, run_dirs
from tests.reporting._browser import chromium_or_skip, load_page, page_payload, screenshot_dir

_SWEEP_WF = """
[sweep]
strategy = "ma_crossover"
grid = { fast = [5, 10], slow = [20, 40] }
metric = "sharpe"
top = 3

[walk_forward]
train = 300
test = 150
metric = "total_return"
"""


@pytest.fixture(scope="module")
def wf_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `peak-trade sweep` run: 900 bars, train 300, test 150 -> 4 folds x 2 symbols."""
    root = tmp_path_factory.mktemp("wf")
    config = SMALL_CONFIG.replace("bars = 300", "bars = 900")
    config = config.replace('output_dir = "out"', f"output_dir = {str(root / 'out')!r}")
    (root / "wf.toml").write_text(config + _SWEEP_WF)
    assert main(["sweep", str(root / "wf.toml")]) == 0
    [run_dir] = run_dirs(root / "out")
    return run_dir


def _cell(value: Any) -> Any:
    """A parquet value as the page shows it: times as text, NaN and inf as None."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _expected(run_dir: Path) -> tuple[list[str], list[list[Any]], float]:
    """The folds read by pyarrow, and the efficiency as a plain loop over them."""
    table = pq.read_table(run_dir / "walk_forward.parquet")
    rows = table.to_pylist()
    ratios = [r["oos_metric"] / r["is_metric"] for r in rows if r["is_metric"] != 0.0]
    finite = [x for x in ratios if math.isfinite(x)]
    return (
        table.column_names,
        [[_cell(v) for v in r.values()] for r in rows],
        sum(finite) / len(finite),
    )


@pytest.mark.smoke
def test_the_sweep_page_holds_exactly_the_folds_and_their_efficiency(wf_run: Path) -> None:
    columns, rows, efficiency = _expected(wf_run)
    wf = page_payload(wf_run / "report.html")["walk_forward"]
    assert wf["columns"] == columns
    assert columns[:6] == ["symbol", "fold", "train_start", "train_end", "test_start", "test_end"]
    assert {"fast", "slow", "is_metric", "oos_metric", "oos_rank"} <= set(columns)
    assert wf["rows"] == rows
    assert [(r[0], r[1]) for r in rows] == [(s, f) for s in ("AAA", "BBB") for f in range(4)]
    assert wf["efficiency"] == pytest.approx(efficiency, rel=1e-12, abs=0.0)
    assert wf["metric"] == "total_return"  # the [walk_forward] metric, not the sweep's
    assert dir_payload(wf_run)["walk_forward"] == wf


def test_a_sweep_directory_without_the_folds_has_no_walk_forward_data(
    wf_run: Path, tmp_path: Path
) -> None:
    bare = shutil.copytree(wf_run, tmp_path / "bare")
    (bare / "walk_forward.parquet").unlink()
    payload = dir_payload(bare)
    assert "walk_forward" not in payload
    assert payload["sweep"]["metric"] == "sharpe"


def test_a_folds_file_without_the_fold_columns_is_a_config_error(
    wf_run: Path, tmp_path: Path
) -> None:
    bad = shutil.copytree(wf_run, tmp_path / "bad")
    pq.write_table(pq.read_table(bad / "sweep.parquet"), bad / "walk_forward.parquet")
    with pytest.raises(ConfigError, match=r"not a walk-forward folds file: no column fold"):
        dir_payload(bad)


def test_the_folds_table_draws_one_row_per_fold_in_chromium(wf_run: Path, tmp_path: Path) -> None:
    chromium_or_skip()
    columns, rows, efficiency = _expected(wf_run)
    seen = load_page(wf_run / "report.html", screenshot_dir(tmp_path) / "report-walk-forward.png")
    assert seen.errors == []
    assert seen.requests == []
    assert seen.sections == ["sweep", "walk-forward", "repro"]
    [head, (metric, n_rows, shown)] = seen.tables["walk-forward-summary"]
    assert (head, metric, n_rows) == (["metric", "fold rows", "efficiency"], "total_return", "8")
    assert float(shown) == pytest.approx(efficiency, rel=1e-5)  # drawn to 6 digits
    drawn = seen.tables["walk-forward-folds"]
    assert drawn[0] == columns
    assert len(drawn) == 1 + len(rows) == 1 + 8
    fold = columns.index("fold")
    assert [(r[0], r[fold]) for r in drawn[1:]] == [(r[0], str(r[fold])) for r in rows]
    train_start = columns.index("train_start")
    assert [r[train_start] for r in drawn[1:]] == [r[train_start] for r in rows]


def test_a_sweep_page_without_the_folds_draws_no_walk_forward_section(
    wf_run: Path, tmp_path: Path
) -> None:
    chromium_or_skip()
    bare = shutil.copytree(wf_run, tmp_path / "bare")
    (bare / "walk_forward.parquet").unlink()
    page = report(bare, tmp_path / "bare.html")
    seen = load_page(page, tmp_path / "bare.png")
    assert seen.errors == []
    assert seen.sections == ["sweep", "repro"]
    assert "walk-forward-folds" not in seen.tables
