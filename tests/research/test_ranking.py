"""top_n and rank_sweep: the top table by one stat, checked against a sorted() reference."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import ConfigError
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.research.ranking import LOWER_IS_BETTER, rank_sweep, top_n
from peak_trade.research.sweep import SweepProgress

_VALUES = st.one_of(st.none(), st.just(math.nan), st.integers(-3, 3).map(float))


def _reference(values: list[float | None], metric: str, n: int) -> list[int]:
    """Row ids best first: missing last, ties in row order (sorted() is stable)."""
    lower = metric in LOWER_IS_BETTER

    def key(i: int) -> tuple[int, float]:
        v = values[i]
        if v is None or math.isnan(v):
            return (1, 0.0)
        return (0, v if lower else -v)

    return sorted(range(len(values)), key=key)[:n]


@pytest.mark.smoke
@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(_VALUES, min_size=1, max_size=12),
    metric=st.sampled_from(["sharpe", "ulcer_index", "max_drawdown"]),
    n=st.integers(1, 14),
)
def test_top_n_matches_a_sorted_reference(values, metric, n):
    frame = pl.DataFrame({"row": list(range(len(values))), metric: values},
                         schema={"row": pl.Int64, metric: pl.Float64})  # fmt: skip
    top = top_n(frame, metric=metric, n=n)
    assert top["row"].to_list() == _reference(values, metric, n)
    assert top["rank"].to_list() == list(range(1, top.height + 1))
    assert top.columns == ["rank", "row", metric]


@pytest.mark.parametrize(
    ("metric", "n", "match"),
    [
        ("sharp", 3, "did you mean 'sharpe'"),
        ("sharpe", 0, "`top_n` must be an int >= 1"),
        ("sharpe", True, "`top_n` must be an int >= 1"),
    ],
)
def test_bad_metric_or_n_raise_config_errors(metric, n, match):
    with pytest.raises(ConfigError, match=match):
        top_n(pl.DataFrame({"sharpe": [1.0]}), metric=metric, n=n)


def test_rank_sweep_checks_the_metric_before_running():
    calls: list[str] = []

    def source(symbol: str) -> pl.DataFrame:
        calls.append(symbol)
        return synthetic_ohlcv(300, symbol=symbol)

    with pytest.raises(ConfigError, match="cannot rank by 'profit'"):
        rank_sweep(["A"], "ma_crossover", {"fast": [3]}, metric="profit", top=3, source=source)
    assert calls == []


def test_rank_sweep_returns_results_and_their_top_rows():
    events: list[SweepProgress] = []
    data = {s: synthetic_ohlcv(400, seed=2, symbol=s, volatility=0.02) for s in ("A", "B")}
    results, best = rank_sweep(
        data, "ma_crossover", {"fast": [3, 5, 8], "slow": [20, 30]},
        metric="total_return", top=4, max_workers=1, progress=events.append,
    )  # fmt: skip
    assert results.height == 12
    assert [e.done for e in events] == [1, 2]
    expected = results.sort("total_return", descending=True, maintain_order=True).head(4)
    assert best.drop("rank").rows() == expected.rows()
