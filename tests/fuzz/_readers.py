"""The readers of stored bytes the fuzz suite attacks, with what each may answer.

Each reader prepares pristine files once per child process, then per case
copies them into a scratch directory, damages one file (``_damage``) and calls
the reader through its public API. The outcome is a short string:

- ``frame:same`` / ``frame:other``: a frame equal to / different from the pristine one;
- ``error:<Class>``: a ``PeakTradeError`` subclass;
- ``report:clean`` / ``report:dirty``: ``OhlcvCache.verify_all``'s verdict;
- ``config``: ``load_config`` returned a config; ``exit:<n>``: the CLI's exit code;
- ``foreign:<Type>: <message>``: anything else, always a failure.

``judge`` says why an outcome is wrong for the damage, or None when it is allowed.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tests.fuzz._damage import KINDS, Kind, damage_file, swap

__all__ = ["READERS", "SELF_TEST", "Reader", "classify"]

_ALGOS = ("xxh3", "sha256", "hmac-sha256")
_KEY_ENV = "PEAK_TRADE_CACHE_KEY"
_SUFFIX = {"ipc": "arrow", "parquet": "parquet"}
_COMPRESSIONS = {
    "ipc": ("uncompressed", "lz4", "zstd"),
    "parquet": ("zstd", "snappy", "uncompressed"),
}
Outcome = tuple[str, Kind, str]


@dataclass(frozen=True, slots=True)
class Reader:
    """One reader: its name, case count, setup, one case, and the verdict."""

    name: str
    cases: int
    prepare: Callable[[Path], Any]
    run: Callable[[int, random.Random, Any, Path], Outcome]
    judge: Callable[[str, str, str], str | None]


def _frame(seed: int, rows: int = 2_000) -> pl.DataFrame:
    """Bars with the column kinds a decoder must get right: times, floats, ints, strings."""
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                pl.datetime(2024, 1, 1, time_zone="UTC"),
                pl.datetime(2024, 1, 1, time_zone="UTC") + pl.duration(hours=rows - 1),
                "1h",
                eager=True,
            ),
            "close": [100.0 + rng.random() for _ in range(rows)],
            "volume": [rng.randrange(10_000) for _ in range(rows)],
            "venue": [rng.choice(("binance", "kraken", "coinbase-pro")) for _ in range(rows)],
        }
    )


def classify(call: Callable[[], Any], expected: Any = None) -> str:
    """The outcome string of ``call()`` (see the module docstring)."""
    from peak_trade.core.errors import PeakTradeError

    try:
        value = call()
    except PeakTradeError as exc:
        return f"error:{type(exc).__name__}"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a foreign error, even a pyo3 PanicException, is the finding
        return f"foreign:{type(exc).__name__}: {str(exc)[:200]}"
    if isinstance(value, pl.DataFrame):
        same = expected is not None and value.equals(expected)
        return "frame:same" if same else "frame:other"
    return str(value)


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst / src.name)
    return dst / src.name


def _hurt(path: Path, kind: Kind, rng: random.Random, other: Path) -> None:
    if kind == "swap":
        swap(path, other)
    else:
        damage_file(path, kind, rng)


# atomic_read, verified ---------------------------------------------------------------


def _prepare_atomic(fmt: str, *, checksum: bool) -> Callable[[Path], Any]:
    def prepare(root: Path) -> Any:
        from peak_trade.data.cache_atomic import atomic_write

        os.environ.setdefault(_KEY_ENV, "fuzz-key")
        variants = _ALGOS if checksum else _COMPRESSIONS[fmt]
        for tag, seed in (("main", 1), ("alt", 2)):
            for variant in variants:
                path = root / tag / f"{variant}.{_SUFFIX[fmt]}"
                if checksum:
                    atomic_write(_frame(seed), path, checksum=variant)  # type: ignore[arg-type]
                else:
                    atomic_write(_frame(seed), path, compression=variant)
        return (root, variants, _frame(1))

    return prepare


def _run_atomic(*, verify: bool) -> Callable[[int, random.Random, Any, Path], Outcome]:
    def run(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
        from peak_trade.data.cache_atomic import atomic_read

        root, variants, expected = state
        variant = variants[i % len(variants)]
        name = next(p.name for p in (root / "main").iterdir() if p.stem == variant)
        data = _copy(root / "main" / name, work)
        sidecar = (root / "main" / f"{name}.{variant}") if verify else None
        if sidecar is not None:
            _copy(sidecar, work)
        kind = rng.choice(KINDS)
        target = "sidecar" if verify and rng.random() < 0.3 else "data"
        hurt = work / (f"{name}.{variant}" if target == "sidecar" else name)
        _hurt(hurt, kind, rng, root / "alt" / hurt.name)
        outcome = classify(lambda: atomic_read(data, verify_checksum=verify), expected)
        return f"{variant}/{target}", kind, outcome

    return run


def _judge_verified(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "error:CacheCorruptionError":
        return None
    if outcome == "frame:same" and target.endswith("sidecar") and kind == "flip":
        return None  # e.g. a space flipped to a tab: the sidecar still parses and matches
    return "a verified read must raise CacheCorruptionError for changed bytes"


def _judge_unverified(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:CacheCorruptionError", "frame:same", "frame:other"):
        return None
    return "an unverified read must give CacheCorruptionError or a frame"


# OhlcvCache --------------------------------------------------------------------------

_KEYS = (("binance", "BTC/EUR", "1h"), ("kraken", "ETH/EUR", "1h"))


def _prepare_cache(root: Path) -> Any:
    from peak_trade.data.cache import OhlcvCache
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    frames = {}
    for fmt in ("arrow", "parquet"):
        cache = OhlcvCache(root / fmt, format=fmt)  # type: ignore[arg-type]
        for n, key in enumerate(_KEYS):
            frames[fmt, key] = synthetic_ohlcv(1_000, seed=n)
            cache.put(key, frames[fmt, key])
    return root, frames


def _cache_case(
    i: int, rng: random.Random, state: Any, work: Path, *, manifest: bool
) -> tuple[Any, tuple[str, str, str], Kind, str]:
    from peak_trade.data.cache import OhlcvCache

    root, frames = state
    fmt = ("arrow", "parquet")[i % 2]
    shutil.copytree(root / fmt, work)
    cache = OhlcvCache(work, format=fmt)  # type: ignore[arg-type]
    n = rng.randrange(len(_KEYS))
    key, other = _KEYS[n], _KEYS[1 - n]
    targets = ("data", "sidecar", "manifest") if manifest else ("data", "sidecar")
    target = rng.choice(targets)
    kind = rng.choice(KINDS)
    if target == "manifest":
        hurt, spare = work / "manifest.json", root / ("parquet" if fmt == "arrow" else "arrow")
        _hurt(hurt, kind, rng, spare / "manifest.json")
    else:
        data, spare = cache.path_for(key), cache.path_for(other)
        if target == "sidecar":
            data, spare = data.with_name(data.name + ".xxh3"), spare.with_name(spare.name + ".xxh3")
        _hurt(data, kind, rng, spare)
    return cache, (fmt, target, str(n)), kind, frames[fmt, key]


def _run_cache_get(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    cache, (fmt, target, n), kind, expected = _cache_case(i, rng, state, work, manifest=False)
    outcome = classify(lambda: cache.get(_KEYS[int(n)]), expected)
    return f"{fmt}/{target}", kind, outcome


def _run_verify_all(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    cache, (fmt, target, _), kind, _ = _cache_case(i, rng, state, work, manifest=True)

    def verdict() -> str:
        return "report:clean" if cache.verify_all().clean else "report:dirty"

    return f"{fmt}/{target}", kind, classify(verdict)


def _judge_verify_all(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "report:dirty":
        return None
    if outcome == "error:CacheCorruptionError" and target.endswith("manifest"):
        return None
    if outcome == "report:clean" and kind == "flip" and not target.endswith("data"):
        return None  # a flip that leaves the sidecar or manifest meaning the same
    return "verify_all must report the damaged entry (or refuse a damaged manifest)"


# FileProvider ------------------------------------------------------------------------

_FILE_FORMATS = {"csv": "csv", "parquet": "parquet", "ipc": "arrow"}


def _prepare_files(root: Path) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    df = synthetic_ohlcv(1_000, seed=3)
    for fmt, ext in _FILE_FORMATS.items():
        (root / fmt).mkdir(parents=True)
        path = root / fmt / f"BTC-USDT_1h.{ext}"
        if fmt == "csv":
            df.write_csv(path)
        elif fmt == "parquet":
            df.write_parquet(path)
        else:
            df.write_ipc(path)
    return root, df


def _run_file_provider(fmt: str) -> Callable[[int, random.Random, Any, Path], Outcome]:
    others = [f for f in _FILE_FORMATS if f != fmt]

    def run(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
        from peak_trade.data.providers.file import FileProvider

        root, expected = state
        name = f"BTC-USDT_1h.{_FILE_FORMATS[fmt]}"
        path = _copy(root / fmt / name, work)
        kind = rng.choice(KINDS)
        foreign = others[i % 2]  # a swap puts another format's bytes under this name
        _hurt(path, kind, rng, root / foreign / f"BTC-USDT_1h.{_FILE_FORMATS[foreign]}")
        provider = FileProvider(work)
        return "data", kind, classify(lambda: provider.fetch_ohlcv("BTC/USDT", "1h"), expected)

    return run


def _judge_file_provider(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:ProviderError", "error:DataContractError", "frame:same", "frame:other"):
        return None
    return "FileProvider must give ProviderError, DataContractError or a frame"


# load_config -------------------------------------------------------------------------

_CONFIG = """\
[run]
name = "fuzz"
seed = 7
output_dir = "out"

[data]
provider = "synthetic"
symbols = ["AAA", "BBB/USDT"]
timeframe = "1h"
bars = 300

[cache]
dir = "cache"
format = "parquet"
checksum = "sha256"

[backtest]
initial_cash = 10000.0
fee_bps = 10.0
slippage_bps = 5.0

[[strategies]]
name = "ma_crossover"
params = { fast = 5, slow = 20 }

[[strategies]]
name = "rsi_reversion"
params = { window = 14, lower = 30.0, upper = 70.0 }

[invariants]
mode = "warn"

[sweep]
strategy = "ma_crossover"
grid = { fast = [3, 5], slow = [20, 30] }

[logging]
level = "INFO"
format = "json"
"""


def _prepare_config(root: Path) -> Any:
    (root / "fuzz.toml").write_text(_CONFIG, encoding="utf-8")
    _frame(1, rows=50).write_parquet(root / "foreign.parquet")
    return root


def _run_load_config(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    import peak_trade

    path = _copy(state / "fuzz.toml", work)
    kind = rng.choice(KINDS)
    _hurt(path, kind, rng, state / "foreign.parquet")
    return "config", kind, classify(lambda: (peak_trade.load_config(path), "config")[1])


def _judge_load_config(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:ConfigError", "config"):
        return None
    return "load_config must give ConfigError or a config"


# peak-trade reproduce on a run directory ----------------------------------------------

_RUN_CONFIG = """\
[run]
name = "fuzz"
seed = {seed}
output_dir = "runs"

[data]
provider = "synthetic"
symbols = ["AAA"]
timeframe = "1h"
bars = 200

[cache]
dir = "cache"

[[strategies]]
name = "ma_crossover"
params = {{ fast = 5, slow = 20 }}
"""


def _quiet_main(argv: list[str]) -> int:
    from peak_trade.cli.main import main

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return main(argv)


def _prepare_runs(root: Path) -> Any:
    previous = Path.cwd()
    os.chdir(root)
    try:
        dirs = []
        for seed in (7, 8):
            cfg = root / f"run{seed}.toml"
            cfg.write_text(_RUN_CONFIG.format(seed=seed), encoding="utf-8")
            out = root / f"out{seed}"
            code = _quiet_main(["run", str(cfg), "--output-dir", str(out)])
            assert code == 0, f"the pristine run failed with exit {code}"
            dirs.append(next(p for p in out.iterdir() if p.is_dir()))
    finally:
        os.chdir(previous)
    return root, dirs[0], dirs[1]


def _run_reproduce(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    root, run_dir, other = state
    target_dir = work / run_dir.name
    shutil.copytree(run_dir, target_dir)
    name = rng.choice(sorted(p.name for p in target_dir.iterdir() if p.is_file()))
    kind = rng.choice(KINDS)
    _hurt(target_dir / name, kind, rng, other / name)
    previous = Path.cwd()
    os.chdir(root)
    try:
        into = work / "into"
        outcome = classify(
            lambda: f"exit:{_quiet_main(['reproduce', str(target_dir), '--into', str(into)])}"
        )
    finally:
        os.chdir(previous)
    return name, kind, outcome


def _judge_reproduce(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "exit:6":
        return None
    if outcome == "exit:0" and target == "_COMPLETE" and kind == "flip":
        return None  # e.g. JSON whitespace flipped: the marker still lists the same digests
    return "reproduce must exit 6 (a file fails its checksum) on a damaged run directory"


# sweep resume ------------------------------------------------------------------------

_GRID = {"fast": [3, 5, 8], "slow": [20, 30]}


def _sweep(frames: dict[str, pl.DataFrame], out: Path) -> pl.DataFrame:
    from peak_trade.research.sweep import sweep

    return sweep(frames, "ma_crossover", _GRID, output=out, chunk_size=2, max_workers=1)


def _prepare_sweep(root: Path) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    frames = {"AAA": synthetic_ohlcv(300, seed=1), "BBB": synthetic_ohlcv(300, seed=2)}
    result = _sweep(frames, root / "out")
    return root / "out", frames, result


def _run_sweep_resume(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    out, frames, expected = state
    shutil.copytree(out, work)
    chunks = sorted(p.name for p in work.glob("part-*.parquet"))
    target = rng.choice(("data", "sidecar"))
    n = rng.randrange(len(chunks))
    name, other = chunks[n], chunks[(n + 1) % len(chunks)]
    if target == "sidecar":
        name, other = f"{name}.xxh3", f"{other}.xxh3"
    kind = rng.choice(KINDS)
    _hurt(work / name, kind, rng, out / other)
    return target, kind, classify(lambda: _sweep(frames, work), expected)


def _judge_sweep(target: str, kind: str, outcome: str) -> str | None:
    if outcome == "frame:same":
        return None
    return "a resumed sweep must recompute the damaged chunk and give the same result"


def _run_self_test(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    """Odd cases kill the process the way a decoder reading out of bounds does."""
    if i % 2:
        os.kill(os.getpid(), signal.SIGSEGV)
    return "none", "flip", classify(lambda: state, state)


READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        *(
            Reader(
                f"atomic_read-verified-{fmt}",
                240,
                _prepare_atomic(fmt, checksum=True),
                _run_atomic(verify=True),
                _judge_verified,
            )
            for fmt in ("ipc", "parquet")
        ),
        *(
            Reader(
                f"atomic_read-unverified-{fmt}",
                240,
                _prepare_atomic(fmt, checksum=False),
                _run_atomic(verify=False),
                _judge_unverified,
            )
            for fmt in ("ipc", "parquet")
        ),
        Reader(
            "OhlcvCache.get",
            200,
            _prepare_cache,
            _run_cache_get,
            _judge_verified,
        ),
        Reader("OhlcvCache.verify_all", 200, _prepare_cache, _run_verify_all, _judge_verify_all),
        *(
            Reader(
                f"FileProvider-{fmt}",
                200,
                _prepare_files,
                _run_file_provider(fmt),
                _judge_file_provider,
            )
            for fmt in _FILE_FORMATS
        ),
        Reader("load_config", 200, _prepare_config, _run_load_config, _judge_load_config),
        Reader("reproduce", 200, _prepare_runs, _run_reproduce, _judge_reproduce),
        Reader("sweep-resume", 200, _prepare_sweep, _run_sweep_resume, _judge_sweep),
    )
}
#: Not a reader: checks that the harness records a crash and resumes after it.
SELF_TEST = Reader(
    "self-test-crash", 4, lambda root: _frame(0, rows=3), _run_self_test, _judge_sweep
)
