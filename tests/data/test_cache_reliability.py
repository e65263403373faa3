"""Reliability: kill -9 during overwrites, byte damage, 4 writer processes, hostile keys."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from peak_trade.core.errors import CacheCorruptionError, CacheError
from peak_trade.data._cache_keys import decode_stem
from peak_trade.data.cache import OhlcvCache
from peak_trade.data.cache_atomic import atomic_read, atomic_write
from peak_trade.data.providers.synthetic import synthetic_ohlcv

KEY = "reliability-key"
CRASH_ROWS = 20_000
# Each writer kills itself with SIGKILL from a timer thread after a seeded random
# delay, while its main thread overwrites the path in a loop: the signal lands at
# an arbitrary point, inside write(), fsync() or rename() just as well as between
# them. The test itself never sleeps; it waits for the process to end.
CRASH_WRITER = textwrap.dedent(
    """
    import os, random, signal, sys, threading
    from peak_trade.data.cache_atomic import atomic_write
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    path, algo, seed, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    frames = [synthetic_ohlcv(rows, seed=s) for s in (1, 2)]
    delay = random.Random(seed).uniform(0.0, 0.25)
    threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
    i = seed
    while True:
        atomic_write(frames[i % 2], path, checksum=algo)
        i += 1
    """
)
# Each writer says "ready", then blocks reading its stdin until the test sends
# "go" to all four, so their overwrites start together without polling.
CONCURRENT_WRITER = textwrap.dedent(
    """
    import sys
    from peak_trade.data.cache_atomic import atomic_write
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    path, seed = sys.argv[1], int(sys.argv[2])
    frame = synthetic_ohlcv(20_000 + seed, seed=seed)
    print("ready", flush=True)
    if sys.stdin.readline() != "go\\n":
        sys.exit("expected go")
    for _ in range(8):
        atomic_write(frame, path, checksum="xxh3")
    """
)


def _spawn(code: str, *args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PEAK_TRADE_CACHE_KEY": KEY, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_kill_9_during_overwrites_always_leaves_one_whole_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """51 kills over three lanes (format x algorithm) running side by side."""
    monkeypatch.setenv("PEAK_TRADE_CACHE_KEY", KEY)
    versions = [synthetic_ohlcv(CRASH_ROWS, seed=s) for s in (1, 2)]
    lanes = [("a.arrow", "xxh3"), ("b.parquet", "sha256"), ("c.feather", "hmac-sha256")]
    completed = dict.fromkeys(range(len(lanes)), False)
    seen = {lane: set() for lane in range(len(lanes))}
    rounds = 17
    for round_ in range(rounds):
        procs = [
            _spawn(CRASH_WRITER, tmp_path / name, algo, 1000 * lane + round_, CRASH_ROWS)
            for lane, (name, algo) in enumerate(lanes)
        ]
        for lane, proc in enumerate(procs):
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == -signal.SIGKILL, err
            path = tmp_path / lanes[lane][0]
            try:
                got = atomic_read(path, verify_checksum=True)
            except FileNotFoundError:
                assert not completed[lane], f"{path.name} vanished after a complete write"
                continue
            completed[lane] = True
            matches = [i for i, v in enumerate(versions) if got.equals(v)]
            assert len(matches) == 1, f"round {round_}: {path.name} is neither version"
            seen[lane].add(matches[0])
    assert rounds * len(lanes) >= 50
    assert seen == {0: {0, 1}, 1: {0, 1}, 2: {0, 1}}


def _damaged(data: bytes, rng: random.Random) -> list[bytes]:
    """Byte flips, truncations and an extension of ``data``."""
    out = []
    for _ in range(24):
        flipped = bytearray(data)
        flipped[rng.randrange(len(data))] ^= rng.randrange(1, 256)
        out.append(bytes(flipped))
    cuts = [0, 1, 8, len(data) // 2, len(data) - 1] + [rng.randrange(len(data)) for _ in range(6)]
    out.extend(data[:cut] for cut in cuts)
    out.append(data + b"\0")
    return out


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
@pytest.mark.parametrize("algo", ["xxh3", "sha256", "hmac-sha256"])
def test_every_flip_and_truncation_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, algo: str
) -> None:
    monkeypatch.setenv("PEAK_TRADE_CACHE_KEY", KEY)
    frame = synthetic_ohlcv(2_000, seed=4)
    path = atomic_write(frame, tmp_path / f"bars{suffix}", checksum=algo)  # type: ignore[arg-type]
    good = path.read_bytes()
    rng = random.Random(f"{suffix}-{algo}")
    damaged = _damaged(good, rng)
    assert len(damaged) == 36
    for bad in damaged:
        path.write_bytes(bad)
        with pytest.raises(CacheCorruptionError):
            atomic_read(path, verify_checksum=True)
    path.write_bytes(good)
    assert atomic_read(path, verify_checksum=True).equals(frame)


@pytest.mark.slow
def test_four_writer_processes_leave_a_matching_pair_and_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "shared.arrow"
    procs = [_spawn(CONCURRENT_WRITER, path, seed) for seed in range(4)]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()  # communicate() below closes it
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    frames = [synthetic_ohlcv(20_000 + seed, seed=seed) for seed in range(4)]
    got = atomic_read(path, verify_checksum=True)
    assert sum(got.equals(f) for f in frames) == 1
    data = path.read_bytes()
    sidecar = (tmp_path / "shared.arrow.xxh3").read_text()
    assert sidecar == f"ptcache/1 xxh3 {len(data)}:{xxhash.xxh3_128(data).hexdigest()}\n"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["shared.arrow", "shared.arrow.lock", "shared.arrow.xxh3"]


_parts = st.text(max_size=70)
_keys = st.one_of(st.text(max_size=300), st.tuples(_parts, _parts, _parts))


def _plainly_valid(key: str | tuple[str, str, str]) -> bool:
    """Keys the store must accept: short, non-empty, no NUL, not '.' or '..'.

    Short means at most 50 characters once percent-encoded (3 per UTF-8 byte).
    """
    parts = [key] if isinstance(key, str) else list(key)
    return all(
        p and "\0" not in p and p not in {".", ".."} and 3 * len(p.encode("utf-8")) <= 50
        for p in parts
    )


@given(key=_keys)
@settings(max_examples=400, deadline=None)
def test_no_key_escapes_the_root_and_names_are_injective(
    key: str | tuple[str, str, str],
) -> None:
    root = Path("/srv/cache/root")
    try:
        path = OhlcvCache(root).path_for(key)
    except CacheError:
        assert not _plainly_valid(key)
        return
    assert path.parent == root
    assert os.path.normpath(path) == str(path)
    assert not path.name.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "-_.%~") for c in path.name)
    assert decode_stem(path.name.removesuffix(".arrow")) == key  # so no two keys share a name


@given(keys=st.lists(_keys, min_size=1, max_size=4, unique=True))
@settings(max_examples=25, deadline=None)
def test_hostile_keys_written_to_disk_stay_in_root(
    keys: list[str | tuple[str, str, str]],
) -> None:
    frame = synthetic_ohlcv(3, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        cache = OhlcvCache(root, checksum=None)
        stored = []
        for key in keys:
            try:
                cache.put(key, frame)
            except CacheError:
                continue
            stored.append(key)
        assert sorted(map(repr, cache.keys())) == sorted(map(repr, stored))
        assert [p.name for p in Path(tmp).iterdir()] == (["root"] if stored else [])
        for key in stored:
            assert cache.get(key).equals(frame)


def test_frames_differ() -> None:
    """The crash test's two versions must be distinguishable."""
    a, b = (synthetic_ohlcv(CRASH_ROWS, seed=s) for s in (1, 2))
    assert not a.equals(b)


@pytest.mark.slow
def test_another_process_writes_the_same_bytes(tmp_path: Path) -> None:
    """Determinism across processes, for both formats (no time or pid in the bytes)."""
    code = textwrap.dedent(
        """
        import sys
        from peak_trade.data.cache_atomic import atomic_write
        from peak_trade.data.providers.synthetic import synthetic_ohlcv

        frame = synthetic_ohlcv(5_000, seed=9)
        for name in sys.argv[1:]:
            atomic_write(frame, name, checksum="sha256")
        """
    )
    names = ["there.arrow", "there.parquet"]
    proc = _spawn(code, *(tmp_path / n for n in names))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    frame = synthetic_ohlcv(5_000, seed=9)
    for name in names:
        here = atomic_write(frame, tmp_path / name.replace("there", "here"), checksum="sha256")
        assert here.read_bytes() == (tmp_path / name).read_bytes()
        assert (tmp_path / f"{here.name}.sha256").read_text() == (
            tmp_path / f"{name}.sha256"
        ).read_text()
