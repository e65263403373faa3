"""The stability plan's examples, exactly as its users write them, on pandas frames.

Each test runs one line of the plan as written (from the front door), then checks
the outcome against an independent reference: ``hashlib``, pandas itself, or a
fresh ``random.Random``/``RandomState`` seeded by hand.
"""

import hashlib
import os
import random
import uuid

import numpy as np
import pandas as pd
import pytest

from peak_trade import (
    CacheCorruptionError,
    ConfigError,
    DataContractError,
    PeakTradeError,
    ReproContext,
    atomic_read,
    atomic_write,
    set_global_seed,
    stable_hash,
    validate_ohlcv,
    verify_determinism,
)
from peak_trade.core._seed_kernels import random_draws_nb

pytestmark = pytest.mark.smoke


def _bars(n: int = 48, *, tz: str | None = "UTC") -> pd.DataFrame:
    """Hourly OHLCV bars with a DatetimeIndex, as the plan's users hold them."""
    index = pd.date_range("2024-01-01", periods=n, freq="h", tz=tz, name=None)
    close = 100.0 + np.cumsum(np.random.default_rng(7).standard_normal(n))
    return pd.DataFrame(
        {
            "open": close + 0.1,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "volume": np.full(n, 5.0),
        },
        index=index,
    )


@pytest.fixture
def df() -> pd.DataFrame:
    return _bars()


@pytest.fixture
def my_config() -> dict[str, object]:
    return {"strategy": {"name": "ma_crossover", "params": {"fast": 10, "slow": 30}}}


def test_validate_ohlcv_takes_a_pandas_frame_with_a_utc_index(df):
    assert validate_ohlcv(df) is None
    with pytest.raises(DataContractError, match="close"):
        validate_ohlcv(df.drop(columns="close"))


def test_validate_ohlcv_strict_with_require_tz(df):
    assert validate_ohlcv(df, strict=True, require_tz=True) is None
    broken = df.copy()
    broken.iloc[5, broken.columns.get_loc("high")] = broken["low"].iloc[5] - 1.0
    with pytest.raises(DataContractError, match="high"):
        validate_ohlcv(broken, strict=True, require_tz=True)
    with pytest.raises(DataContractError, match=r"time zone|timezone|tz"):
        validate_ohlcv(_bars(tz=None), strict=True, require_tz=True)


def test_config_error_is_built_as_the_plan_writes_it():
    with pytest.raises(ConfigError) as info:
        raise ConfigError(
            "Unknown strategy key: 'foo'",
            hint="Available strategies: [...]",
            context={"key": "foo"},
        )
    err = info.value
    assert isinstance(err, PeakTradeError)
    assert (err.message, err.hint, err.context) == (
        "Unknown strategy key: 'foo'",
        "Available strategies: [...]",
        {"key": "foo"},
    )
    assert str(err).splitlines() == [
        "ConfigError: Unknown strategy key: 'foo'",
        "Hint: Available strategies: [...]",
        "Context: key='foo'",
    ]


def test_atomic_write_of_a_pandas_frame_with_checksum_true(df, tmp_path, monkeypatch):
    """``checksum=True`` means SHA-256 in a sidecar ``<path>.sha256``."""
    monkeypatch.chdir(tmp_path)
    atomic_write(df, "cache/btc.parquet", checksum=True)
    data = (tmp_path / "cache/btc.parquet").read_bytes()
    sidecar = (tmp_path / "cache/btc.parquet.sha256").read_text()
    assert f"{len(data)}:{hashlib.sha256(data).hexdigest()}" in sidecar
    assert sorted(p.name for p in (tmp_path / "cache").glob("btc.parquet.*")) == [
        "btc.parquet.lock",
        "btc.parquet.sha256",
    ]


def test_atomic_read_with_verify_checksum_gives_the_pandas_frame_back(df, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    atomic_write(df, "cache/btc.parquet", checksum=True)
    back = atomic_read("cache/btc.parquet", verify_checksum=True)
    # The reference is pandas: the DatetimeIndex comes back as a `timestamp` column.
    expected = df.reset_index(names="timestamp")
    pd.testing.assert_frame_equal(back.to_pandas(), expected, check_dtype=True)


def test_a_changed_byte_fails_the_verified_read(df, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = atomic_write(df, "cache/btc.parquet", checksum=True)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(CacheCorruptionError, match="sha256"):
        atomic_read("cache/btc.parquet", verify_checksum=True)


def test_repro_context_create_gives_a_run_id(my_config):
    ctx = ReproContext.create(seed=42, config_dict=my_config)
    run_id = ctx.run_id
    assert str(uuid.UUID(run_id)) == run_id
    assert ctx.seed == 42
    assert ctx.config_hash == stable_hash(my_config)
    assert ReproContext.create(seed=42, config_dict=my_config).run_id != run_id


def test_set_global_seed_seeds_random_numpy_and_numba():
    set_global_seed(42)
    draws = (random.random(), np.random.random(3).tolist(), random_draws_nb(3).tolist())
    assert draws[0] == random.Random(42).random()
    assert draws[1] == np.random.RandomState(42).random_sample(3).tolist()
    assert draws[2] == np.random.RandomState(42).random_sample(3).tolist()


def test_set_global_seed_seeds_torch_when_installed():
    torch = pytest.importorskip("torch")
    set_global_seed(42)
    first = torch.rand(3)
    set_global_seed(42)
    assert torch.equal(first, torch.rand(3))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: np.random.bytes(16), id="bytes"),
        pytest.param(lambda: np.random.random(8), id="ndarray"),
        pytest.param(lambda: _bars().assign(close=np.random.random(48)), id="pandas-frame"),
        pytest.param(lambda: pd.Series(np.random.random(4)), id="pandas-series"),
    ],
)
def test_verify_determinism_of_a_seeded_function(make):
    my_func = make
    assert verify_determinism(my_func, seed=42)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: os.urandom(16), id="bytes"),
        pytest.param(lambda: _bars().assign(close=np.frombuffer(os.urandom(384))), id="pandas"),
    ],
)
def test_verify_determinism_catches_an_unseeded_function(make):
    my_func = make
    assert not verify_determinism(my_func, seed=42)
