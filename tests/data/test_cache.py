"""Tests for OhlcvCache: put/get, keys, delete, manifest and verify_all."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import xxhash

from peak_trade.core.errors import CacheError, ConfigError, DataContractError
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.providers.synthetic import synthetic_ohlcv

BTC = ("binance", "BTC/EUR", "1h")


@pytest.fixture(scope="module")
def bars() -> pl.DataFrame:
    return synthetic_ohlcv(48, seed=5, symbol="BTC/EUR")


def manifest(root: Path) -> dict[str, dict[str, object]]:
    entries: dict[str, dict[str, object]] = json.loads((root / "manifest.json").read_text())[
        "entries"
    ]
    return entries


@pytest.mark.smoke
@pytest.mark.parametrize("fmt", ["arrow", "parquet"])
def test_put_then_get_returns_the_frame(tmp_path: Path, bars: pl.DataFrame, fmt: str) -> None:
    cache = OhlcvCache(tmp_path, format=fmt)  # type: ignore[arg-type]
    path = cache.put(BTC, bars)
    assert path == tmp_path / f"t-binance~BTC%2FEUR~1h.{fmt}"
    assert cache.get(BTC).equals(bars)
    assert cache.get(BTC, verify=False).equals(bars)
    assert cache.exists(BTC)
    assert not cache.exists("other")


def test_put_runs_the_strict_contract_gate(tmp_path: Path, bars: pl.DataFrame) -> None:
    cache = OhlcvCache(tmp_path)
    naive = bars.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
    broken = bars.with_columns(
        pl.when(pl.int_range(48) == 7).then(0.0).otherwise("high").alias("high")
    )
    with pytest.raises(DataContractError, match="time"):
        cache.put("naive", naive)
    with pytest.raises(DataContractError, match="high"):
        cache.put("broken", broken)
    assert cache.keys() == []
    cache.put("broken", broken, validate=False)
    assert cache.get("broken").equals(broken)


def test_manifest_records_every_field(tmp_path: Path, bars: pl.DataFrame) -> None:
    cache = OhlcvCache(tmp_path, checksum="sha256")
    path = cache.put(BTC, bars)
    record = manifest(tmp_path)[path.name]
    written_at = record.pop("written_at")
    assert isinstance(written_at, str)
    assert written_at.endswith("+00:00")
    import hashlib

    assert record == {
        "key": list(BTC),
        "file": path.name,
        "algorithm": "sha256",
        "digest": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows": 48,
        "first": "2020-01-01T00:00:00+00:00",
        "last": "2020-01-02T23:00:00+00:00",
        "schema": {
            "timestamp": "Datetime(time_unit='us', time_zone='UTC')",
            "open": "Float64",
            "high": "Float64",
            "low": "Float64",
            "close": "Float64",
            "volume": "Float64",
        },
    }


def test_keys_round_trip_strings_and_tuples(tmp_path: Path, bars: pl.DataFrame) -> None:
    cache = OhlcvCache(tmp_path, format="parquet")
    for key in ["BTC/EUR", BTC, "a b%c", ("x", "ETH~USD", "1d")]:
        cache.put(key, bars)
    (tmp_path / "stray.parquet").write_bytes(b"")
    assert cache.keys() == ["BTC/EUR", "a b%c", BTC, ("x", "ETH~USD", "1d")]


def test_delete_removes_file_sidecar_and_record(tmp_path: Path, bars: pl.DataFrame) -> None:
    cache = OhlcvCache(tmp_path)
    cache.put("a", bars)
    cache.put("b", bars)
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert cache.keys() == ["b"]
    assert sorted(manifest(tmp_path)) == ["s-b.arrow"]
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["manifest.json", "s-b.arrow", "s-b.arrow.xxh3"]


def test_get_of_a_missing_key_is_a_cache_error(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="no cache entry for key 'absent'") as info:
        OhlcvCache(tmp_path).get("absent")
    assert info.value.context["reason"] == "missing"


def test_bad_options_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown cache format 'csv'"):
        OhlcvCache(tmp_path, format="csv")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown checksum 'md5'"):
        OhlcvCache(tmp_path, checksum="md5")  # type: ignore[arg-type]


def test_verify_all_reports_corrupt_missing_and_orphaned(
    tmp_path: Path, bars: pl.DataFrame
) -> None:
    cache = OhlcvCache(tmp_path)
    for key in ("good", "flipped", "gone", "shrunk"):
        cache.put(key, bars)
    assert cache.verify_all().clean
    flipped = cache.path_for("flipped")
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(data)
    cache.path_for("gone").unlink()
    shrunk = cache.path_for("shrunk")
    shrunk.write_bytes(shrunk.read_bytes()[:-9])
    (tmp_path / "s-stray.arrow").write_bytes(b"x")
    (tmp_path / ".s-good.arrow.123.4.abcd.tmp").write_bytes(b"x")
    report = cache.verify_all()
    assert report.ok == ("s-good.arrow",)
    assert [name for name, _ in report.corrupt] == ["s-flipped.arrow", "s-shrunk.arrow"]
    assert "digest differs" in report.corrupt[0][1]
    assert "size" in report.corrupt[1][1]
    assert report.missing == ("s-gone.arrow",)
    assert report.orphaned == (".s-good.arrow.123.4.abcd.tmp", "s-gone.arrow.xxh3", "s-stray.arrow")
    assert not report.clean


def test_verify_all_flags_a_manifest_that_disagrees(tmp_path: Path, bars: pl.DataFrame) -> None:
    cache = OhlcvCache(tmp_path)
    path = cache.put("k", bars)
    entries = manifest(tmp_path)
    entries[path.name]["rows"] = 47
    (tmp_path / "manifest.json").write_text(json.dumps({"version": 1, "entries": entries}))
    report = cache.verify_all()
    assert report.corrupt == (("s-k.arrow", "manifest disagrees on ['rows']"),)


@pytest.mark.parametrize(
    "key",
    ["", ".", "..", "a\0b", "x" * 1000, ("a", "b"), ("a", "", "c"), ("a", "..", "c"), 5],
)
def test_unacceptable_keys_are_cache_errors(tmp_path: Path, key: object) -> None:
    with pytest.raises(CacheError, match="invalid cache key"):
        OhlcvCache(tmp_path).path_for(key)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key", ["../x", "/etc/passwd", "a/../../b", "..\\..\\x", "~/x", "%2F", ("...", "/", "\\")]
)
def test_path_like_keys_stay_inside_root(
    tmp_path: Path, bars: pl.DataFrame, key: str | tuple[str, str, str]
) -> None:
    cache = OhlcvCache(tmp_path / "root")
    path = cache.put(key, bars)
    assert path.parent == tmp_path / "root"
    assert cache.keys() == [key]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root"]


def test_stored_files_are_arrow_json_or_text_never_pickle(
    tmp_path: Path, bars: pl.DataFrame
) -> None:
    cache = OhlcvCache(tmp_path)
    path = cache.put("k", bars)
    assert path.read_bytes()[:6] == b"ARROW1"
    data = path.read_bytes()
    assert (tmp_path / "s-k.arrow.xxh3").read_text() == (
        f"ptcache/1 xxh3 {len(data)}:{xxhash.xxh3_128(data).hexdigest()}\n"
    )
    assert manifest(tmp_path)["s-k.arrow"]["digest"] == xxhash.xxh3_128(data).hexdigest()
