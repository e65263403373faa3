"""Headline benchmarks for the OHLCV contract gate (issue 2, section 4).

Groups (``pytest benchmarks/test_contracts_bench.py --benchmark-only``):

- ``contracts-valid``: ``check_ohlcv(strict=True, require_tz=True)`` on a valid
  frame of ``PEAK_TRADE_BENCH_ROWS`` rows (default 10,000,000) next to dataframely,
  pandera's polars backend (the same rules, uniqueness included; see
  ``_contract_peers.py``), a single-pass numba kernel (``_contract_kernel.py``) and
  the plain polars pass the gate uses as its reference.
- ``contracts-small``: the same on 1,440 rows (one day of 1-minute bars).
- ``contracts-bad``: the full report on the frame with 1% bad rows, next to the
  valid frame.

The peers are optional (``pytest.importorskip``). The issue's ratios are measured
A B A B by ``python -m benchmarks._contract_ratios``; this file gives the
readable per-library table.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest

from benchmarks._contract_frames import bad_frame, valid_frame
from benchmarks._contract_kernel import numba_contract_ok
from benchmarks._contract_peers import dataframely_schema, pandera_schema
from benchmarks.cases_contracts import plain_pass
from peak_trade.data.contracts import check_ohlcv

ROWS = int(os.environ.get("PEAK_TRADE_BENCH_ROWS", "10000000"))
SMALL = 1_440


@pytest.fixture(scope="module", autouse=True)
def _quiet_contract_warnings() -> Iterator[None]:
    # check_ohlcv logs `contract.failed` for the bad frame; keep the table readable.
    logging.getLogger("peak_trade.data.contracts").disabled = True
    yield
    logging.getLogger("peak_trade.data.contracts").disabled = False


def _ours(df: pl.DataFrame) -> bool:
    return check_ohlcv(df, strict=True, require_tz=True).ok


def _dataframely() -> Callable[[pl.DataFrame], bool]:
    pytest.importorskip("dataframely")
    schema = dataframely_schema()
    return lambda df: bool(schema.is_valid(df))


def _pandera() -> Callable[[pl.DataFrame], Any]:
    pytest.importorskip("pandera.polars")
    schema = pandera_schema()
    return lambda df: schema.validate(df)


def _numba(df: pl.DataFrame) -> bool:
    return numba_contract_ok(df)


def _run(
    benchmark: Any, fn: Callable[[pl.DataFrame], object], df: pl.DataFrame, rounds: int
) -> Any:
    fn(df)  # warm-up: numba compile, polars caches
    return benchmark.pedantic(fn, args=(df,), rounds=rounds, iterations=1, warmup_rounds=0)


SIDES: dict[str, Callable[[], Callable[[pl.DataFrame], object]]] = {
    "peak_trade": lambda: _ours,
    "dataframely": _dataframely,
    "pandera": _pandera,
    "numba_kernel": lambda: _numba,
    "plain_polars_pass": lambda: plain_pass,
}


@pytest.mark.benchmark(group="contracts-valid")
@pytest.mark.parametrize("side", list(SIDES))
def test_valid_frame(benchmark: Any, side: str) -> None:
    fn = SIDES[side]()
    rounds = 3 if side == "pandera" else 7
    result = _run(benchmark, fn, valid_frame(ROWS), rounds)
    assert result is not False  # every side accepts the valid frame


@pytest.mark.benchmark(group="contracts-small")
@pytest.mark.parametrize("side", list(SIDES))
def test_small_frame(benchmark: Any, side: str) -> None:
    fn = SIDES[side]()
    df = valid_frame(SMALL)
    fn(df)
    result = benchmark(fn, df)
    assert result is not False


@pytest.mark.benchmark(group="contracts-bad")
@pytest.mark.parametrize("frame", ["valid", "bad_1pct"])
def test_full_report(benchmark: Any, frame: str) -> None:
    df = valid_frame(ROWS) if frame == "valid" else bad_frame(ROWS)
    report = _run(benchmark, lambda d: check_ohlcv(d, strict=True, require_tz=True), df, 7)
    assert report.ok == (frame == "valid")
