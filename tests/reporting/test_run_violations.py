"""A warn-mode `peak-trade run` records its violations, and its page shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from peak_trade.cli.main import main
from peak_trade.reporting._load import dir_payload
from tests.cli._cli_helpers import SMALL_CONFIG, run_dirs
from tests.reporting._browser import chromium_or_skip, load_page, screenshot_dir

LIMIT = 0.5
#: Long positions of the whole equity (position_fraction 1) break a 0.5 leverage cap.
WARN_CONFIG = SMALL_CONFIG + f'\n[invariants]\nmode = "warn"\nmax_leverage = {LIMIT}\n'


def _exposure_reference(equity: pl.DataFrame) -> tuple[int, int] | None:
    """First bar and bar count of `exposure_within_limit`, row by row (docs/invariants.md)."""
    bad = []
    for i, row in enumerate(equity.iter_rows(named=True)):
        tol = 1e-6 + 1e-9 * max(1.0, abs(row["equity"]))
        if abs(row["position"] * row["price"]) > LIMIT * max(row["equity"], 0.0) + tol:
            bad.append(i)
    return (bad[0], len(bad)) if bad else None


def _warn_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "warn.toml").write_text(WARN_CONFIG)
    assert main(["run", "warn.toml"]) == 0
    [run_dir] = run_dirs(tmp_path / "out")
    return run_dir


def test_run_says_how_many_backtests_violated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _warn_run(tmp_path, monkeypatch)
    rows = json.loads((run_dir / "stats.json").read_text())["results"]
    bad = sum(1 for row in rows if row["violations"])
    out = capsys.readouterr().out
    assert f"invariants (warn): {bad} of 4 backtests violated; see `violations`" in out


def _page_payload(page: Path) -> dict[str, Any]:
    text = page.read_text("utf-8")
    start = text.index("<script type='application/json' id='pt-data'>")
    body = text[text.index(">", start) + 1 : text.index("</script>", start)]
    payload: dict[str, Any] = json.loads(body.replace("<\\/", "</"))
    return payload


@pytest.mark.smoke
def test_a_warn_run_records_its_violations_and_the_page_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = _warn_run(tmp_path, monkeypatch)
    equity = pl.read_ipc(run_dir / "equity.arrow")
    rows = json.loads((run_dir / "stats.json").read_text())["results"]
    runs = _page_payload(run_dir / "report.html")["runs"]
    fired = 0
    for row, run in zip(rows, runs, strict=True):
        mine = equity.filter(symbol=row["symbol"], strategy=row["strategy"])
        expected = _exposure_reference(mine)
        if expected is None:
            assert row["violations"] == []
            assert (run["violations"], run["violations_note"]) == ([], "none")
            continue
        fired += 1
        bar, count = expected
        [recorded] = row["violations"]
        assert recorded["name"] == "exposure_within_limit"
        assert (recorded["bar"], recorded["count"]) == (bar, count)
        assert recorded["timestamp"] == mine["timestamp"][bar].isoformat()
        values = recorded["values"]
        assert values["limit"] == LIMIT * mine["equity"][bar]
        assert values["equity"] == mine["equity"][bar]
        [shown] = run["violations"]
        assert (shown["name"], shown["bar"], shown["count"]) == (recorded["name"], bar, count)
        assert json.loads(shown["values"]) == values
    assert fired >= 2  # the config does provoke the invariant


def test_a_warn_run_reproduces_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _warn_run(tmp_path, monkeypatch)
    capsys.readouterr()
    assert main(["reproduce", str(run_dir)]) == 0
    assert "stats.json" in capsys.readouterr().out
    assert main(["verify", str(run_dir)]) == 0


def test_a_stats_json_without_violations_says_none_were_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run directory written before rows had `violations` still loads."""
    run_dir = _warn_run(tmp_path, monkeypatch)
    stats = json.loads((run_dir / "stats.json").read_text())
    for row in stats["results"]:
        del row["violations"]
    (run_dir / "stats.json").write_text(json.dumps(stats))
    for run in dir_payload(run_dir)["runs"]:
        assert run["violations"] == []
        assert run["violations_note"].startswith("none recorded (a strict run stops")


def test_the_browser_draws_the_violations_table_of_a_run_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium_or_skip()
    run_dir = _warn_run(tmp_path, monkeypatch)
    rows = json.loads((run_dir / "stats.json").read_text())["results"]
    seen = load_page(run_dir / "report.html", screenshot_dir(tmp_path) / "report-violations.png")
    assert seen.errors == []
    assert seen.requests == []
    expected = {
        f"violations-{k}": [
            ["name", "bar", "timestamp", "count", "values"],
            *[
                [v["name"], str(v["bar"]), v["timestamp"], str(v["count"])]
                for v in row["violations"]
            ],
        ]
        for k, row in enumerate(rows)
        if row["violations"]
    }
    assert len(expected) >= 2
    got = {key: [cells[:4] for cells in table] for key, table in seen.violations.items()}
    expected = {key: [r[:4] for r in table] for key, table in expected.items()}
    assert got == expected
