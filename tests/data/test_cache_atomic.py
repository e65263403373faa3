"""Tests for atomic_write / atomic_read: formats, sidecars, failures, determinism."""

from __future__ import annotations

import errno
import hashlib
import hmac
import logging
import os
import threading
from pathlib import Path

import polars as pl
import pytest
import xxhash

import peak_trade.data._cache_hashing as cache_hashing
import peak_trade.data.cache_atomic as cache_atomic
from peak_trade.core.errors import CacheCorruptionError, CacheError, ConfigError
from peak_trade.data._cache_hashing import HashingWriter, release_cached_pages
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.data.providers.synthetic import synthetic_ohlcv

KEY = "test-cache-key"
SUFFIXES = [".arrow", ".ipc", ".feather", ".parquet"]
ALGOS = ["xxh3", "sha256", "hmac-sha256"]


@pytest.fixture(autouse=True)
def _hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEAK_TRADE_CACHE_KEY", KEY)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return synthetic_ohlcv(3_000, seed=11, symbol="BTC/EUR")


@pytest.fixture(scope="module")
def other() -> pl.DataFrame:
    return synthetic_ohlcv(2_000, seed=12, symbol="BTC/EUR")


def reference_digest(algo: str, data: bytes) -> str:
    """The digest of ``data`` computed directly with the hash libraries."""
    if algo == "xxh3":
        return xxhash.xxh3_128(data).hexdigest()
    if algo == "sha256":
        return hashlib.sha256(data).hexdigest()
    return hmac.new(KEY.encode(), data, "sha256").hexdigest()


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.smoke
@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("algo", ALGOS)
def test_round_trip_verifies_and_sidecar_holds_size_and_digest(
    tmp_path: Path, frame: pl.DataFrame, suffix: str, algo: str
) -> None:
    path = atomic_write(frame, tmp_path / f"bars{suffix}", checksum=algo)
    data = path.read_bytes()
    sidecar = (tmp_path / f"bars{suffix}.{algo}").read_text()
    assert sidecar == f"ptcache/1 {algo} {len(data)}:{reference_digest(algo, data)}\n"
    assert atomic_read(path, verify_checksum=True).equals(frame)
    assert atomic_read(path).equals(frame)
    assert files_in(tmp_path) == sorted([path.name, f"{path.name}.{algo}", f"{path.name}.lock"])


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
def test_format_follows_the_suffix(tmp_path: Path, frame: pl.DataFrame, suffix: str) -> None:
    path = atomic_write(frame, tmp_path / f"bars{suffix}")
    magic = b"PAR1" if suffix == ".parquet" else b"ARROW1"
    assert path.read_bytes()[: len(magic)] == magic


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
@pytest.mark.parametrize("compression", [None, "uncompressed", "lz4", "zstd"])
def test_same_frame_gives_same_bytes(
    tmp_path: Path, frame: pl.DataFrame, suffix: str, compression: str | None
) -> None:
    first = atomic_write(frame, tmp_path / f"a{suffix}", checksum="sha256", compression=compression)
    second = atomic_write(frame.clone(), tmp_path / f"b{suffix}", compression=compression)
    assert first.read_bytes() == second.read_bytes()
    again = atomic_write(frame, first, checksum="sha256", compression=compression)
    assert again.read_bytes() == second.read_bytes()
    assert atomic_read(first, verify_checksum=True).equals(frame)


def test_unknown_suffix_is_a_cache_error_with_hint(tmp_path: Path, frame: pl.DataFrame) -> None:
    with pytest.raises(CacheError, match=r"suffix '\.csv'") as info:
        atomic_write(frame, tmp_path / "bars.csv")
    assert "*.parquet" in (info.value.hint or "")
    with pytest.raises(CacheError, match="suffix"):
        atomic_read(tmp_path / "bars.txt")


def test_bad_options_are_config_errors(tmp_path: Path, frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError, match="unknown checksum 'md5'"):
        atomic_write(frame, tmp_path / "a.arrow", checksum="md5")
    with pytest.raises(ConfigError, match="'snappy' is not available for ipc"):
        atomic_write(frame, tmp_path / "a.arrow", compression="snappy")
    assert files_in(tmp_path) == []


def test_hmac_without_key_is_a_cache_error_naming_the_variable(
    tmp_path: Path, frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PEAK_TRADE_CACHE_KEY")
    with pytest.raises(CacheError, match="PEAK_TRADE_CACHE_KEY") as info:
        atomic_write(frame, tmp_path / "a.arrow", checksum="hmac-sha256")
    assert "export PEAK_TRADE_CACHE_KEY" in (info.value.hint or "")
    assert files_in(tmp_path) == []


def test_hmac_with_another_key_fails_verification(
    tmp_path: Path, frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="hmac-sha256")
    monkeypatch.setenv("PEAK_TRADE_CACHE_KEY", "another key")
    with pytest.raises(CacheCorruptionError, match="hmac-sha256 checksum"):
        atomic_read(path, verify_checksum=True)


def test_writing_without_checksum_removes_stale_sidecars(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame
) -> None:
    path = atomic_write(frame, tmp_path / "a.parquet", checksum="xxh3")
    atomic_write(other, path)
    assert files_in(tmp_path) == ["a.parquet", "a.parquet.lock"]
    with pytest.raises(CacheCorruptionError, match="no checksum sidecar") as info:
        atomic_read(path, verify_checksum=True)
    assert "regenerate" in (info.value.hint or "")
    assert atomic_read(path).equals(other)


def test_changing_algorithm_leaves_one_sidecar(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="hmac-sha256")
    atomic_write(other, path, checksum="xxh3")
    assert files_in(tmp_path) == ["a.arrow", "a.arrow.lock", "a.arrow.xxh3"]
    assert atomic_read(path, verify_checksum=True).equals(other)


def test_parent_directories_are_created(tmp_path: Path, frame: pl.DataFrame) -> None:
    path = atomic_write(frame, tmp_path / "x" / "y" / "z.arrow", checksum="xxh3")
    assert atomic_read(path, verify_checksum=True).equals(frame)


def test_columns_selects_and_unknown_column_is_a_cache_error(
    tmp_path: Path, frame: pl.DataFrame
) -> None:
    for suffix in (".arrow", ".parquet"):
        path = atomic_write(frame, tmp_path / f"a{suffix}", checksum="xxh3")
        got = atomic_read(path, verify_checksum=True, columns=["close", "timestamp"])
        assert got.equals(frame.select("close", "timestamp"))
        with pytest.raises(CacheError, match=r"columns \['nope'\] are not in"):
            atomic_read(path, columns=["nope"])


def test_failed_write_removes_temp_keeps_old_and_chains_cause(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="xxh3")

    def disk_full(self: HashingWriter, view: memoryview) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(HashingWriter, "_write_all", disk_full)
    with pytest.raises(CacheError, match="No space left") as info:
        atomic_write(other, path, checksum="xxh3")
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.context["errno"] == errno.ENOSPC
    monkeypatch.undo()
    assert files_in(tmp_path) == ["a.arrow", "a.arrow.lock", "a.arrow.xxh3"]
    assert atomic_read(path, verify_checksum=True).equals(frame)


def record_fadvise(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int, int]]:
    """Swap ``posix_fadvise`` in the sink module for a recorder of (file, offset, len, advice)."""
    calls: list[tuple[str, int, int, int]] = []

    def fake(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append((Path(os.readlink(f"/proc/self/fd/{fd}")).name, offset, length, advice))

    monkeypatch.setattr(cache_hashing, "_FADVISE", fake)
    return calls


needs_fadvise = pytest.mark.skipif(
    not (Path("/proc/self/fd").is_dir() and hasattr(os, "POSIX_FADV_DONTNEED")),
    reason="needs posix_fadvise and /proc to name the fd (Linux)",
)


@needs_fadvise
def test_overwrite_releases_old_pages_before_writing_new_bytes(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="xxh3")
    calls = record_fadvise(monkeypatch)
    atomic_write(other, path, checksum="xxh3")
    assert calls[0] == ("a.arrow", 0, 0, os.POSIX_FADV_DONTNEED)
    rest = calls[1:]
    assert rest  # the new bytes went through the sink
    assert all(name.startswith(".a.arrow.") and name.endswith(".tmp") for name, *_ in rest)
    assert [(off, n) for _, off, n, _ in rest] == [
        (sum(n for _, _, n, _ in rest[:i]), n) for i, (_, _, n, _) in enumerate(rest)
    ]
    assert sum(n for _, _, n, _ in rest) == len(path.read_bytes())
    assert atomic_read(path, verify_checksum=True).equals(other)


@needs_fadvise
def test_release_cached_pages_leaves_missing_links_and_fifos_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO is never opened (that would block); a symlink is not followed."""
    target = tmp_path / "real.arrow"
    target.write_bytes(b"abc")
    (tmp_path / "link.arrow").symlink_to(target)
    os.mkfifo(tmp_path / "fifo.arrow")
    calls = record_fadvise(monkeypatch)
    for name in ["missing.arrow", "link.arrow", "fifo.arrow"]:
        release_cached_pages(tmp_path / name)
    assert calls == []
    release_cached_pages(target)
    assert calls == [("real.arrow", 0, 0, os.POSIX_FADV_DONTNEED)]
    assert target.read_bytes() == b"abc"


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_read(tmp_path / "none.arrow")
    with pytest.raises(FileNotFoundError):
        atomic_read(tmp_path / "none.arrow", verify_checksum=True)


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
@pytest.mark.parametrize("content", [b"", b"not an arrow file at all", b"PAR1" * 3])
@pytest.mark.parametrize("verify", [False, True])
def test_empty_or_garbage_file_is_corruption(
    tmp_path: Path, suffix: str, content: bytes, verify: bool
) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_bytes(content)
    (tmp_path / f"a{suffix}.xxh3").write_text(
        f"ptcache/1 xxh3 {len(content)}:{xxhash.xxh3_128(content).hexdigest()}\n"
    )
    with pytest.raises(CacheCorruptionError, match=r"empty|cannot be decoded"):
        atomic_read(path, verify_checksum=verify)


def test_mismatch_context_names_expected_actual_algo_path(
    tmp_path: Path, frame: pl.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="sha256")
    data = bytearray(path.read_bytes())
    good = hashlib.sha256(data).hexdigest()
    data[1000] ^= 0x40
    path.write_bytes(data)
    with (
        caplog.at_level(logging.WARNING, "peak_trade.data.cache_atomic"),
        pytest.raises(CacheCorruptionError, match="fails its sha256 checksum") as info,
    ):
        atomic_read(path, verify_checksum=True)
    context = info.value.context
    assert context == {
        "path": str(path),
        "algo": "sha256",
        "expected": f"{len(data)}:{good}",
        "actual": f"{len(data)}:{hashlib.sha256(data).hexdigest()}",
    }
    assert [r.getMessage() for r in caplog.records] == ["cache.corrupt"]


@pytest.mark.parametrize(
    "text",
    ["", "ptcache/1 xxh3\n", "ptcache/1 sha256 10:ab\n", "garbage", "ptcache/1 xxh3 x:00\n"],
)
def test_malformed_sidecar_is_corruption(tmp_path: Path, frame: pl.DataFrame, text: str) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="xxh3")
    (tmp_path / "a.arrow.xxh3").write_text(text)
    with pytest.raises(CacheCorruptionError, match="malformed"):
        atomic_read(path, verify_checksum=True)


class _Crash(BaseException):
    """Stands in for the process dying at a chosen step."""


def test_crash_between_phase_one_and_data_rename_keeps_old_version(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = atomic_write(frame, tmp_path / "a.arrow", checksum="xxh3")
    old = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> bool:
        raise _Crash

    monkeypatch.setattr(cache_atomic, "remove_sidecars", crash)
    with pytest.raises(_Crash):
        atomic_write(other, path, checksum="xxh3")
    sidecar = (tmp_path / "a.arrow.xxh3").read_text().split()
    assert len(sidecar) == 4  # phase one: the new entry, then the old one
    assert sidecar[3] == f"{len(old)}:{xxhash.xxh3_128(old).hexdigest()}"
    assert atomic_read(path, verify_checksum=True).equals(frame)


def test_crash_between_data_rename_and_phase_two_reads_new_version(
    tmp_path: Path, frame: pl.DataFrame, other: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = atomic_write(frame, tmp_path / "a.parquet", checksum="sha256")
    real = cache_atomic.write_sidecar

    def phase_two_crashes(
        target: Path, algo: str, entries: list[object], *, sync_dir: bool
    ) -> None:
        if not sync_dir:
            raise _Crash
        real(target, algo, entries, sync_dir=sync_dir)

    monkeypatch.setattr(cache_atomic, "write_sidecar", phase_two_crashes)
    with pytest.raises(_Crash):
        atomic_write(other, path, checksum="sha256")
    new = path.read_bytes()
    entries = (tmp_path / "a.parquet.sha256").read_text().split()[2:]
    assert entries[0] == f"{len(new)}:{hashlib.sha256(new).hexdigest()}"
    assert len(entries) == 2
    assert atomic_read(path, verify_checksum=True).equals(other)


def test_threads_writing_one_path_serialise_and_last_writer_wins(tmp_path: Path) -> None:
    frames = [synthetic_ohlcv(500 + i, seed=i) for i in range(4)]
    path = tmp_path / "a.arrow"
    order: list[int] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        for _ in range(5):
            atomic_write(frames[i], path, checksum="xxh3")
            with lock:
                order.append(i)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = atomic_read(path, verify_checksum=True)
    assert len(order) == 20
    assert any(got.equals(f) for f in frames)
    data = path.read_bytes()
    assert (tmp_path / "a.arrow.xxh3").read_text().split()[2:] == [
        f"{len(data)}:{xxhash.xxh3_128(data).hexdigest()}"
    ]
    assert files_in(tmp_path) == ["a.arrow", "a.arrow.lock", "a.arrow.xxh3"]


def test_write_and_read_emit_structured_events(
    tmp_path: Path, frame: pl.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "peak_trade.data.cache_atomic"):
        path = atomic_write(frame, tmp_path / "a.arrow", checksum="xxh3")
        atomic_read(path, verify_checksum=True)
    write, read = (r.__dict__ for r in caplog.records)
    assert (write["msg"], read["msg"]) == ("cache.write", "cache.read")
    assert (write["path"], write["rows"], write["algorithm"]) == (str(path), 3_000, "xxh3")
    assert (read["path"], read["rows"], read["verified"]) == (str(path), 3_000, True)
    assert write["seconds"] > 0
    assert read["seconds"] > 0
