"""atomic_write takes every frame kind validate_ohlcv takes, and checksum=True."""

import hashlib

import numpy as np
import pandas as pd
import polars as pl
import pytest

from peak_trade import (
    CacheCorruptionError,
    ConfigError,
    DataContractError,
    atomic_read,
    atomic_write,
)


def _pandas() -> pd.DataFrame:
    index = pd.date_range("2024-03-01", periods=4, freq="D", tz="UTC", name="time")
    return pd.DataFrame({"close": [1.0, 2.5, np.nan, 4.0], "sym": list("abcd")}, index=index)


@pytest.mark.smoke
@pytest.mark.parametrize("suffix", ["parquet", "arrow"])
def test_a_pandas_frame_round_trips_with_its_datetime_index_as_a_column(tmp_path, suffix):
    df = _pandas()
    back = atomic_read(atomic_write(df, tmp_path / f"x.{suffix}", checksum="xxh3"))
    assert back.columns == ["time", "close", "sym"]
    pd.testing.assert_frame_equal(back.to_pandas(), df.reset_index())


def test_an_unnamed_datetime_index_becomes_timestamp(tmp_path):
    df = _pandas().rename_axis(None)
    back = atomic_read(atomic_write(df, tmp_path / "x.arrow"))
    assert back.columns == ["timestamp", "close", "sym"]
    assert back["timestamp"].to_list() == list(df.index.to_pydatetime())
    assert back.schema["timestamp"].time_zone == "UTC"  # type: ignore[attr-defined]


def test_a_named_index_is_kept_and_an_unnamed_one_dropped(tmp_path):
    named = pd.DataFrame({"v": [1, 2]}, index=pd.Index([10, 20], name="id"))
    unnamed = pd.DataFrame({"v": [1, 2]}, index=[10, 20])
    assert atomic_read(atomic_write(named, tmp_path / "a.arrow")).to_dict(as_series=False) == {
        "id": [10, 20],
        "v": [1, 2],
    }
    assert atomic_read(atomic_write(unnamed, tmp_path / "b.arrow")).to_dict(as_series=False) == {
        "v": [1, 2]
    }


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda f: f.lazy(), id="lazy"),
        pytest.param(lambda f: f.to_arrow(), id="arrow-table"),
        pytest.param(lambda f: f.to_arrow().to_batches()[0], id="arrow-batch"),
    ],
)
def test_polars_lazy_and_arrow_inputs_store_the_same_bytes(tmp_path, make):
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None]})
    plain = atomic_write(frame, tmp_path / "plain.parquet").read_bytes()
    other = atomic_write(make(frame), tmp_path / "other.parquet").read_bytes()
    assert other == plain


def test_checksum_true_is_sha256_and_false_is_none(tmp_path):
    target = atomic_write(pl.DataFrame({"a": [1]}), tmp_path / "x.arrow", checksum=True)
    side = tmp_path / "x.arrow.sha256"
    data = target.read_bytes()
    assert f"{len(data)}:{hashlib.sha256(data).hexdigest()}" in side.read_text()
    atomic_write(pl.DataFrame({"a": [2]}), target, checksum=False)
    assert not side.exists()
    with pytest.raises(CacheCorruptionError, match="no checksum sidecar"):
        atomic_read(target, verify_checksum=True)


@pytest.mark.parametrize("bad", [None, [1, 2], {"a": [1]}, np.zeros(3), "df"])
def test_a_non_frame_is_a_type_error_listing_the_accepted_kinds(tmp_path, bad):
    with pytest.raises(TypeError, match="pyarrow Table or a pandas DataFrame"):
        atomic_write(bad, tmp_path / "x.arrow")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("checksum", ["md5", 1, "SHA256"])
def test_unknown_checksums_are_config_errors(tmp_path, checksum):
    with pytest.raises(ConfigError, match="expected True, False, None or one of"):
        atomic_write(pl.DataFrame({"a": [1]}), tmp_path / "x.arrow", checksum=checksum)


def test_a_failing_lazy_query_is_a_data_contract_error(tmp_path):
    lazy = pl.LazyFrame({"a": ["x"]}).select(pl.col("a").cast(pl.Int64, strict=True))
    with pytest.raises(DataContractError, match="could not turn the LazyFrame"):
        atomic_write(lazy, tmp_path / "x.arrow")
    assert list(tmp_path.iterdir()) == []
