"""Every data function that takes a frame takes the same kinds, through one helper."""

import polars as pl
import pytest

from peak_trade import (
    OhlcvCache,
    check_ohlcv,
    filter_ohlcv,
    get_strategy,
    normalize_ohlcv,
    resample_ohlcv,
    synthetic_ohlcv,
    validate_ohlcv,
)

KINDS = [
    pytest.param(lambda f: f, id="polars"),
    pytest.param(lambda f: f.to_arrow(), id="pyarrow"),
    pytest.param(lambda f: f.to_pandas(), id="pandas"),
    pytest.param(lambda f: f.to_pandas().set_index("timestamp"), id="pandas-indexed"),
]


@pytest.fixture(scope="module")
def bars() -> pl.DataFrame:
    return synthetic_ohlcv(120, seed=5)


@pytest.mark.smoke
@pytest.mark.parametrize("kind", KINDS)
def test_normalize_ohlcv_gives_the_polars_result_for_every_kind(bars, kind):
    shuffled = bars.reverse()
    got = normalize_ohlcv(kind(shuffled))
    assert isinstance(got, pl.DataFrame)
    assert got.equals(normalize_ohlcv(shuffled))
    assert got.equals(bars)  # the reference: the bars were already canonical, only reversed


@pytest.mark.parametrize("kind", KINDS)
def test_resample_ohlcv_gives_the_polars_result_for_every_kind(bars, kind):
    got = resample_ohlcv(kind(bars), "4h")
    assert got.equals(resample_ohlcv(bars, "4h"))
    assert got.height == 30


@pytest.mark.parametrize("kind", KINDS)
def test_the_contract_functions_agree_for_every_kind(bars, kind):
    broken = bars.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.col("low") - 1.0)
        .otherwise(pl.col("high"))
        .alias("high")
    )
    report = check_ohlcv(kind(broken), strict=True)
    found = [(v.rule, v.rows) for v in report.violations]
    assert found == [(v.rule, v.rows) for v in check_ohlcv(broken, strict=True).violations]
    assert found
    assert all(rows == [7] for _, rows in found)
    assert (
        filter_ohlcv(kind(broken))[0]["high"].to_list()
        == bars["high"].to_list()[:7] + bars["high"].to_list()[8:]
    )
    assert validate_ohlcv(kind(bars), strict=True) is None


@pytest.mark.parametrize("fn", [normalize_ohlcv, check_ohlcv, validate_ohlcv, filter_ohlcv])
@pytest.mark.parametrize("bad", [None, [1, 2], {"open": [1.0]}, "bars.csv", 3.5])
def test_a_non_frame_is_a_type_error_listing_the_accepted_kinds(fn, bad):
    with pytest.raises(TypeError, match="a pyarrow Table or a pandas DataFrame"):
        fn(bad)


@pytest.mark.parametrize("bad", [None, [1, 2], "bars.csv"])
def test_resample_refuses_a_non_frame_the_same_way(bad):
    with pytest.raises(TypeError, match="a pyarrow Table or a pandas DataFrame"):
        resample_ohlcv(bad, "4h")


def test_the_cache_stores_a_pandas_frame_like_the_polars_one(bars, tmp_path):
    cache = OhlcvCache(tmp_path)
    cache.put("pd", bars.to_pandas().set_index("timestamp"))
    assert cache.get("pd").equals(bars)


def test_a_strategy_signal_takes_a_pandas_frame(bars):
    strategy = get_strategy("ma_crossover", fast=5, slow=20)
    assert (strategy.signal(bars.to_pandas()) == strategy.signal(bars)).all()
