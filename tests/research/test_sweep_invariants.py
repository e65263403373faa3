"""sweep's `invariants=`: strict raises, warn records per row, off skips, in every executor.

The faulty combinations are real engine violations: ``SizedHold`` with
``size > 0.5`` under ``max_leverage=0.5`` breaks ``exposure_within_limit``. Every
value is checked against one ``run_backtest`` per combination with the same
invariant settings, never against the sweep itself.
"""

from __future__ import annotations

import itertools
import logging
import pickle
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.backtest.stats import STAT_NAMES
from peak_trade.core.errors import BacktestInvariantError, ConfigError
from peak_trade.research import _compute
from peak_trade.research._chunks import CheckFields, ChunkTask
from peak_trade.research.ranking import rank_sweep
from peak_trade.research.sweep import SweepProgress, sweep
from tests.research.fixture_strategies import SizedHold
from tests.research.invariant_cases import (
    CFG,
    EXPOSURE,
    FAULTY,
    FRAMES,
    GRID,
    SYMBOLS,
    assert_rows,
    checks,
    reference,
    strict_error,
)

EXECUTORS = [
    pytest.param({"max_workers": 1}, id="inline"),
    pytest.param({"max_workers": 2, "chunk_size": 2}, id="threads"),
    pytest.param(
        {"max_workers": 2, "chunk_size": 4, "pool": "processes"},
        id="processes",
        marks=pytest.mark.slow,
    ),
]


def test_the_reference_has_faulty_and_clean_rows():
    """Guards the fixture: without violations the tests below could not fail."""
    warn = reference("warn")
    assert [r["invariant_violation"] for r in warn] == FAULTY * len(SYMBOLS)
    assert [r["invariant_bar"] for r in warn[:4]] == [None, 1, None, 51]
    assert [r["total_return"] for r in reference("off")] == [r["total_return"] for r in warn]


# Smoke runs the inline case only: the process pool's start-up is ~2.5 s.
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(*EXECUTORS[0].values, marks=pytest.mark.smoke, id=EXECUTORS[0].id),
        *EXECUTORS[1:],
    ],
)
def test_warn_keeps_every_row_and_records_its_first_violation(options):
    out = sweep(FRAMES, SizedHold, GRID, config=CFG, invariants=checks("warn"), **options)
    assert out.columns[-2:] == ["invariant_violation", "invariant_bar"]
    assert out.schema["invariant_violation"] == pl.String
    assert out.schema["invariant_bar"] == pl.Int64
    assert_rows(out, reference("warn"))


@pytest.mark.parametrize("options", EXECUTORS)
def test_off_checks_nothing_and_adds_no_columns(options):
    out = sweep(FRAMES, SizedHold, GRID, config=CFG, invariants=checks("off"), **options)
    assert out.columns == ["symbol", "start", "size", *STAT_NAMES, "periods_per_year"]
    assert_rows(out, reference("off"))


@pytest.mark.parametrize("options", EXECUTORS)
def test_strict_raises_with_symbol_chunk_and_the_guilty_params(options):
    size = options.get("chunk_size", 256)
    with pytest.raises(BacktestInvariantError, match=EXPOSURE) as info:
        sweep(FRAMES, SizedHold, GRID, config=CFG, invariants=checks("strict"), **options)
    ctx = info.value.context
    assert ctx["symbol"] in SYMBOLS
    in_chunk = range(ctx["chunk"] * size, min(len(FAULTY), (ctx["chunk"] + 1) * size))
    assert ctx["combination"] == next(j for j in in_chunk if FAULTY[j])  # first in its chunk
    if options["max_workers"] == 1:
        assert (ctx["symbol"], ctx["chunk"], ctx["combination"]) == ("BTC/USDT", 0, 1)
    start, size_value = list(itertools.product(*GRID.values()))[ctx["combination"]]
    assert ctx["params"] == {"start": start, "size": size_value}
    want = strict_error(ctx["symbol"], start, size_value)
    assert ctx["invariant"] == want["invariant"] == EXPOSURE
    assert ctx["bar"] == want["bar"]
    assert ctx["values"] == want["values"]


def test_default_is_the_engine_default_strict(monkeypatch: pytest.MonkeyPatch):
    seen: list[InvariantConfig] = []
    real = _compute.run_combos

    def spy(*args: Any, **kw: Any) -> pl.DataFrame:
        seen.append(kw["invariants"])
        return real(*args, **kw)

    monkeypatch.setattr(_compute, "run_combos", spy)
    out = sweep(FRAMES, SizedHold, {"start": [0], "size": [0.9]}, config=CFG, max_workers=1)
    assert seen == [InvariantConfig()] * len(SYMBOLS)
    assert out.columns == ["symbol", "start", "size", *STAT_NAMES, "periods_per_year"]


def test_end_timing_finds_the_same_rows():
    out = sweep(FRAMES, SizedHold, GRID, config=CFG, invariants=checks("warn", "end"), chunk_size=3)
    want = reference("warn", timing="end")
    assert [r["invariant_violation"] for r in want] == FAULTY * len(SYMBOLS)
    assert_rows(out, want)


@settings(max_examples=20, deadline=None)
@given(
    sizes=st.lists(st.sampled_from([0.25, 0.5, 0.9, 1.0]), min_size=1, max_size=12),
    chunk_size=st.integers(1, 7),
)
@example(sizes=[0.25, 0.25, 0.5, 0.25, 0.25], chunk_size=5)  # a clean row after a faulty one
def test_warn_locates_every_faulty_row_in_any_chunk(sizes, chunk_size):
    """Any mix of clean and faulty combinations, cut into any chunks."""
    grid = {"start": [0], "size": sizes}
    out = sweep(
        {"ETH": FRAMES["ETH"]}, SizedHold, grid, config=CFG, invariants=checks("warn"),
        max_workers=1, chunk_size=chunk_size,
    )  # fmt: skip
    assert_rows(out, reference("warn", grid, symbols=("ETH",)))


def test_warn_logs_one_summary_event_per_invariant(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="peak_trade"):
        sweep(FRAMES, SizedHold, GRID, config=CFG, invariants=checks("warn"), max_workers=1)
    ours = [r for r in caplog.records if r.getMessage() == "sweep.invariant_violated"]
    assert len(ours) == 1
    event = ours[0].__dict__
    assert event["invariant"] == EXPOSURE
    assert event["rows"] == 2 * len(SYMBOLS)
    assert (event["symbol"], event["params"], event["bar"]) == (
        "BTC/USDT", {"start": 0, "size": 0.9}, 1,
    )  # fmt: skip
    engine = Counter(r.getMessage() for r in caplog.records if r.name.startswith("peak_trade.b"))
    assert engine == Counter({"invariant.violated": len(SYMBOLS)})  # run_combos, per chunk


def test_a_clean_warn_sweep_logs_no_violation(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="peak_trade"):
        out = sweep(
            FRAMES, SizedHold, {"start": [0], "size": [0.25]}, invariants=checks("warn"), config=CFG
        )
    assert out["invariant_violation"].null_count() == len(SYMBOLS)
    assert [r.getMessage() for r in caplog.records] == []


def test_an_all_skipped_grid_has_the_warn_columns():
    grid = {"fast": [40], "slow": [30]}
    out = sweep(FRAMES, "ma_crossover", grid, invalid="skip", invariants=checks("warn"))
    assert out.height == 0
    assert out.columns[-2:] == ["invariant_violation", "invariant_bar"]


def test_rank_sweep_passes_invariants_through():
    results, best = rank_sweep(
        FRAMES, SizedHold, GRID, metric="total_return", top=2, config=CFG,
        invariants=checks("warn"),
    )  # fmt: skip
    assert_rows(results.drop("psr", "dsr"), reference("warn"))
    assert best.columns[-4:] == ["invariant_violation", "invariant_bar", "psr", "dsr"]
    with pytest.raises(BacktestInvariantError):
        rank_sweep(FRAMES, SizedHold, GRID, metric="sharpe", top=2, invariants=checks("strict"))


@pytest.mark.parametrize(
    ("invariants", "match"),
    [
        ("warn", "`invariants` must be an InvariantConfig"),
        (InvariantConfig(frame_checks={"dd": pl.col("drawdown") > -0.5}), "user invariant checks"),
    ],
)
def test_bad_invariants_fail_before_any_data_is_loaded(invariants, match):
    loaded: list[str] = []

    def source(symbol: str) -> pl.DataFrame:
        loaded.append(symbol)
        return FRAMES["ETH"]

    with pytest.raises(ConfigError, match=match):
        sweep(["ETH"], SizedHold, GRID, source=source, invariants=invariants)
    assert loaded == []


def test_check_fields_default_to_the_engine_default_and_travel_in_tasks():
    assert CheckFields() == CheckFields.of(InvariantConfig())
    fields = CheckFields.of(checks("warn", "end"))
    assert fields.config() == checks("warn", "end")
    assert fields.config(mode="strict") == checks("strict", "end")
    task = ChunkTask("A", 0, 0, 0, ({"start": 0, "size": 0.9},), SizedHold, CFG, ("start",), "k",
                     fields)  # fmt: skip
    assert pickle.loads(pickle.dumps(task)).checks == fields  # what the process pool sends
    with pytest.raises(ConfigError, match=r"InvariantConfig\.mode"):
        CheckFields(mode="loud")  # type: ignore[arg-type]


def _names(out: Path, invariants: InvariantConfig) -> list[str]:
    sweep({"ETH": FRAMES["ETH"]}, SizedHold, GRID, output=out, invariants=invariants)
    return sorted(p.name for p in out.glob("part-*.parquet"))


def test_every_invariant_setting_is_part_of_the_chunk_hash(tmp_path: Path):
    variants = [
        InvariantConfig(),
        InvariantConfig(mode="warn"),
        InvariantConfig(mode="off"),
        InvariantConfig(timing="end"),
        InvariantConfig(abs_tol=1e-5),
        InvariantConfig(rel_tol=1e-8),
        InvariantConfig(max_leverage=2.0),
    ]
    names = [_names(tmp_path / str(i), v) for i, v in enumerate(variants)]
    assert len({tuple(n) for n in names}) == len(variants)
    assert _names(tmp_path / "again", InvariantConfig()) == names[0]


def test_resume_with_changed_invariants_reuses_nothing(tmp_path: Path):
    """A strict sweep dies at a faulty chunk; its finished chunk never serves another mode."""
    opts: dict[str, Any] = {"config": CFG, "output": tmp_path, "chunk_size": 1, "max_workers": 1}
    with pytest.raises(BacktestInvariantError):
        sweep({"ETH": FRAMES["ETH"]}, SizedHold, GRID, invariants=checks("strict"), **opts)
    kept = sorted(p.name for p in tmp_path.glob("part-*.parquet"))
    assert len(kept) == 1  # combination 0 is clean, combination 1 is not
    with pytest.raises(ConfigError, match="invariants") as info:
        sweep({"ETH": FRAMES["ETH"]}, SizedHold, GRID, invariants=checks("warn"), **opts)
    assert info.value.context["stale"] == kept
    events: list[SweepProgress] = []
    with pytest.raises(BacktestInvariantError):  # the same settings resume chunk 0
        sweep(
            {"ETH": FRAMES["ETH"]}, SizedHold, GRID, invariants=checks("strict"),
            progress=events.append, **opts,
        )  # fmt: skip
    assert events == []  # chunk 1 failed again before any chunk was computed
    for path in tmp_path.glob("part-*.parquet"):
        path.unlink()
    warn = sweep(
        {"ETH": FRAMES["ETH"]}, SizedHold, GRID, invariants=checks("warn"),
        progress=events.append, **opts,
    )  # fmt: skip
    assert [e.resumed for e in events] == [0] * 6  # everything recomputed under warn
    assert_rows(warn, reference("warn", symbols=("ETH",)))
