import datetime as dt
import enum
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import textwrap
import types
import uuid
from pathlib import Path, PurePosixPath

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peak_trade.core import repro
from peak_trade.core._seed_kernels import random_draws_nb, seed_numba_nb
from peak_trade.core.errors import ConfigError, PeakTradeError
from peak_trade.core.repro import (
    ReproContext,
    assert_deterministic,
    set_global_seed,
    stable_hash,
    verify_determinism,
)

GOLDEN_CONFIG = {
    "strategy": {"name": "sma_cross", "params": (10, 30, 0.5)},
    "symbols": ["BTC/USDT", "ETH/USDT"],
    "start": dt.date(2024, 1, 1),
    "fees": 0.001,
    "tags": {"b", "a"},
    "active": True,
    "note": None,
    "unicode": "é",
}
# Written by hand from the rules in docs/repro.md, not produced by the code under test.
GOLDEN_CANONICAL = (
    '{"active":true,"fees":0.001,"note":null,"start":"2024-01-01",'
    '"strategy":{"name":"sma_cross","params":[10,30,0.5]},'
    '"symbols":["BTC/USDT","ETH/USDT"],"tags":["a","b"],"unicode":"é"}'
)
GOLDEN_HASH = "3bae6d2e70a2f0f5e50522d8e417139033c9ab6a057a472b62351de4d7cf4da7"


class Mode(enum.Enum):
    FAST = "fast"


# --- stable_hash ---------------------------------------------------------------------


@pytest.mark.smoke
def test_golden_hash_is_pinned():
    """An accidental change of the canonical form breaks this pinned value."""
    reference = hashlib.sha256(GOLDEN_CANONICAL.encode("utf-8")).hexdigest()
    assert reference == GOLDEN_HASH
    assert stable_hash(GOLDEN_CONFIG, length=64) == GOLDEN_HASH
    assert stable_hash(GOLDEN_CONFIG) == GOLDEN_HASH[:16]


json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_leaves |= st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x != 0.0 or math.copysign(1.0, x) > 0  # -0.0 is canonicalised to 0.0
)
nested = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=6), nested, max_size=6), st.randoms())
def test_hash_does_not_depend_on_key_order(mapping, rnd):
    items = list(mapping.items())
    rnd.shuffle(items)
    assert stable_hash(dict(items)) == stable_hash(mapping)


@given(st.dictionaries(st.text(max_size=6), nested, max_size=6))
def test_canonical_text_matches_sorted_compact_json(mapping):
    """For plain JSON values the canonical text is json.dumps with sorted keys."""
    expected = json.dumps(mapping, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stable_hash(mapping) == hashlib.sha256(expected.encode()).hexdigest()[:16]


def test_unsupported_value_raises_type_error_naming_its_path():
    config = {"strategy": {"params": [1, 2, object()]}}
    with pytest.raises(TypeError, match=r"`config\.strategy\.params\[2\]` is a builtins\.object"):
        stable_hash(config, root="config")
    with pytest.raises(TypeError, match=r"`obj\['odd key'\]\[0\]`"):
        stable_hash({"odd key": [object()]})


def test_non_str_keys_and_cycles_are_refused():
    with pytest.raises(TypeError, match=r"`obj` has key 1 of type int"):
        stable_hash({1: "a"})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ConfigError, match=r"`obj\[0\]` contains itself"):
        stable_hash(loop)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (-0.0, "0.0"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        ("nan", '"nan"'),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), '"2024-01-02T03:04:05+00:00"'),
        (dt.time(9, 30), '"09:30:00"'),
        (PurePosixPath("data/x.arrow"), '"data/x.arrow"'),
        (Mode.FAST, '"fast"'),
        (np.float32(0.5), "0.5"),
        (np.int16(-3), "-3"),
        (np.bool_(True), "true"),
        (np.datetime64("2024-01-01T00:00", "s"), '"2024-01-01T00:00:00"'),
        ({3, 1, 2}, "[1,2,3]"),
        (frozenset({"b", "a"}), '["a","b"]'),
    ],
)
def test_canonical_form_of_each_supported_type(value, canonical):
    expected = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    assert stable_hash(value) == expected


def test_arrays_hash_by_dtype_shape_and_bytes():
    a = np.arange(6, dtype=np.int64)
    assert stable_hash(a) == stable_hash(a.copy())
    assert stable_hash(a) != stable_hash(a.astype(np.float64))
    assert stable_hash(a) != stable_hash(a.reshape(2, 3))
    assert stable_hash(a.astype(">i8")) == stable_hash(a)  # byte order is normalised
    assert stable_hash(np.array([1, "x"], dtype=object)) == stable_hash([1, "x"])
    grid = np.arange(6.0).reshape(2, 3)
    assert stable_hash(grid.T) == stable_hash(np.ascontiguousarray(grid.T))  # memory layout
    assert stable_hash(np.array(5)) != stable_hash(np.array([5]))  # 0-d keeps its shape


@pytest.mark.parametrize("length", [0, 65, True, 1.5])
def test_bad_length_is_a_config_error(length):
    with pytest.raises(ConfigError, match="`length` must be an int from 1 to 64"):
        stable_hash({}, length=length)


# --- ReproContext --------------------------------------------------------------------


@pytest.mark.smoke
def test_create_fills_every_field_and_round_trips_through_json():
    ctx = ReproContext.create(seed=7, config_dict=GOLDEN_CONFIG, git_sha="a" * 40)
    assert ctx.seed == 7
    assert ctx.git_sha == "a" * 40
    assert ctx.config_hash == GOLDEN_HASH[:16]
    assert ctx.python_version == ".".join(map(str, sys.version_info[:3]))
    assert uuid.UUID(ctx.run_id).version == 4
    created = dt.datetime.fromisoformat(ctx.created_at)
    assert created.utcoffset() == dt.timedelta(0)
    assert set(ctx.package_versions) == {"peak_trade", "polars", "pyarrow", "numpy", "numba"}
    assert ctx.package_versions["numpy"] == np.__version__
    assert ReproContext.from_json(ctx.to_json()) == ctx
    assert ReproContext.from_dict(ctx.to_dict()) == ctx
    assert json.loads(ctx.to_json()) == ctx.to_dict()


def test_run_id_is_unique_across_10000_creations():
    ids = {ReproContext.create(git_sha="0" * 40).run_id for _ in range(10_000)}
    assert len(ids) == 10_000


def test_save_is_atomic_and_load_reads_it_back(tmp_path):
    path = tmp_path / "repro.json"
    path.write_text("old")
    ctx = ReproContext.create(seed=1, git_sha="b" * 40)
    assert ctx.save(path) == path
    assert ReproContext.load(path) == ctx
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repro.json"]  # no temp left


def test_save_into_a_missing_directory_is_a_peak_trade_error(tmp_path):
    ctx = ReproContext.create(git_sha="b" * 40)
    with pytest.raises(PeakTradeError, match="cannot write the ReproContext"):
        ctx.save(tmp_path / "missing" / "repro.json")
    with pytest.raises(PeakTradeError, match="cannot read a ReproContext"):
        ReproContext.load(tmp_path / "nope.json")


def test_malformed_context_files_are_config_errors(tmp_path):
    good = ReproContext.create(seed=3, git_sha="c" * 40).to_dict()
    with pytest.raises(ConfigError, match="does not parse"):
        ReproContext.from_json("{not json")
    with pytest.raises(ConfigError, match="`fields` must be a mapping with exactly"):
        ReproContext.from_dict({k: v for k, v in good.items() if k != "seed"})
    with pytest.raises(ConfigError, match=r"`ReproContext\.seed` must be an int from 0"):
        ReproContext.from_dict({**good, "seed": -1})
    with pytest.raises(ConfigError, match="`git_sha` must be None or a hex string"):
        ReproContext.from_dict({**good, "git_sha": "not-a-sha"})
    with pytest.raises(ConfigError, match="`created_at` must be an ISO-8601 time with"):
        ReproContext.from_dict({**good, "created_at": "2024-01-01T00:00:00"})
    with pytest.raises(ConfigError, match="`run_id/created_at` must be a UUID"):
        ReproContext.from_dict({**good, "run_id": "nope"})


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_git_sha_is_found_from_the_working_directory(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "f.txt").write_text("x")
    _git(tmp_path, "add", "f.txt")
    _git(tmp_path, "commit", "-q", "-m", "one")
    monkeypatch.chdir(tmp_path)
    expected = (tmp_path / ".git" / "refs" / "heads" / "main").read_text().strip()
    assert ReproContext.create().git_sha == expected


def test_no_repository_or_no_git_gives_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert ReproContext.create().git_sha is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable at all
    assert ReproContext.create().git_sha is None


def test_git_lookup_has_a_timeout_and_never_raises(monkeypatch):
    seen = {}

    def hanging_git(*args, **kwargs):
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(repro.subprocess, "run", hanging_git)
    assert ReproContext.create().git_sha is None
    assert seen["timeout"] == 2.0
    assert seen["stdin"] is subprocess.DEVNULL


# --- set_global_seed -----------------------------------------------------------------


@pytest.mark.smoke
def test_set_global_seed_seeds_python_numpy_and_numba():
    rng = set_global_seed(123)
    draws = (random.random(), np.random.random(3).tolist(), random_draws_nb(3).tolist())
    assert rng.random() == np.random.default_rng(123).random()
    # Independent references: a fresh Random and RandomState with the same seed.
    assert draws[0] == random.Random(123).random()
    assert draws[1] == np.random.RandomState(123).random_sample(3).tolist()
    assert draws[2] == np.random.RandomState(123).random_sample(3).tolist()


def test_seeding_numpy_from_python_does_not_reach_numba():
    """Why the numba kernel exists: np.random.seed leaves numba's own state alone."""
    seed_numba_nb(5)
    np.random.seed(5)
    first = random_draws_nb(4)
    np.random.seed(5)
    second = random_draws_nb(4)
    assert not np.array_equal(first, second)
    set_global_seed(5)
    again = random_draws_nb(4)
    set_global_seed(5)
    assert np.array_equal(again, random_draws_nb(4))


@pytest.mark.parametrize("seed", [-1, 2**32, 1.0, True, "1", None])
def test_bad_seeds_are_config_errors(seed):
    with pytest.raises(ConfigError, match="`seed` must be an int from 0 to 2\\*\\*32 - 1"):
        set_global_seed(seed)


def test_torch_is_seeded_only_if_already_imported(monkeypatch):
    calls = []
    fake = types.SimpleNamespace(manual_seed=calls.append)
    monkeypatch.setitem(sys.modules, "torch", fake)
    set_global_seed(9)
    assert calls == [9]
    monkeypatch.delitem(sys.modules, "torch")
    set_global_seed(9)
    assert "torch" not in sys.modules


_CHILD = textwrap.dedent(
    """
    import random, sys
    import numpy as np
    from peak_trade.core._seed_kernels import random_draws_nb
    from peak_trade.core.repro import set_global_seed, stable_hash
    rng = set_global_seed(int(sys.argv[1]))
    parts = [
        random_draws_nb(64).tobytes().hex(),
        np.random.random(64).tobytes().hex(),
        rng.random(64).tobytes().hex(),
        repr([random.random() for _ in range(64)]),
        stable_hash({"tags": {"alpha", "beta", "gamma", "delta"}}),
    ]
    print("|".join(parts))
    """
)


def _child(seed, hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(seed)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=300,
    )
    return done.stdout.strip().split("|")


@pytest.mark.slow
def test_two_processes_with_the_same_seed_give_identical_bytes():
    first = _child(42, hash_seed=1)
    second = _child(42, hash_seed=2)  # different str hashing, same set hash
    other = _child(43, hash_seed=1)
    assert len(first) == 5
    assert first == second
    assert all(a != b for a, b in zip(first[:4], other[:4], strict=True))
    assert first[4] == other[4]


# --- verify_determinism / assert_deterministic ---------------------------------------


def _big_frame(n=1_000_000):
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "ts": np.arange(n, dtype=np.int64),
            "close": rng.random(n),
            "symbol": np.where(np.arange(n) % 2 == 0, "BTC", "ETH"),
        }
    )


def _flaky(base, column, row, value):
    calls = []

    def fn():
        calls.append(1)
        if len(calls) == 1:
            return {"frame": base, "n": base.height}
        changed = base.with_columns(
            pl.when(pl.int_range(pl.len()) == row)
            .then(pl.lit(value, dtype=base.schema[column]))
            .otherwise(pl.col(column))
            .alias(column)
        )
        return {"frame": changed, "n": base.height}

    return fn


@pytest.mark.smoke
def test_verify_determinism_catches_one_value_deep_inside_a_million_row_frame():
    base = _big_frame()
    fn = _flaky(base, "close", 654_321, base["close"][654_321] + 1e-12)
    assert str(fn()["frame"]) == str(fn()["frame"])  # what a str() comparison would see
    fn = _flaky(base, "close", 654_321, base["close"][654_321] + 1e-12)
    assert verify_determinism(fn, seed=1) is False
    assert verify_determinism(lambda: {"frame": base}, seed=1) is True


@pytest.mark.parametrize(
    ("column", "value"),
    [("close", -0.0), ("symbol", "BTX"), ("ts", None)],
)
def test_assert_deterministic_names_the_first_differing_output(column, value):
    base = _big_frame(1_000).with_columns(pl.lit(0.0).alias("close"))
    fn = _flaky(base, column, 999, value)
    with pytest.raises(PeakTradeError, match=r"`output\['frame'\]` differs between run 0") as info:
        assert_deterministic(fn, seed=3)
    context = info.value.context
    assert context["path"] == "output['frame']"
    assert context["run"] == 1
    assert len(context["digests"]) == 2
    assert context["digests"][0] != context["digests"][1]


def test_outputs_are_compared_item_by_item_with_reseeding_between_runs():
    def fn(n):
        return {"a": np.random.random(n), "b": [random.random(), {"x": random_draws_nb(2)}]}

    assert verify_determinism(fn, seed=11, runs=3, n=5) is True
    state = {"k": 0}

    def drifting():
        state["k"] += 1
        return {"same": pl.Series([1, 2]), "deep": [1, {"x": np.zeros(2, np.int64) + state["k"]}]}

    with pytest.raises(PeakTradeError) as info:
        assert_deterministic(drifting, seed=0)
    assert info.value.context["path"] == "output['deep'][1]['x']"


def test_arrays_differing_only_in_dtype_are_caught():
    outputs = iter([np.zeros(4, np.int64), np.zeros(4, np.float64)])
    assert verify_determinism(lambda: next(outputs), seed=0) is False


def test_lazy_frames_are_collected_and_compared_by_data():
    lazy = pl.LazyFrame({"a": [1.0, 2.0]})
    assert verify_determinism(lambda: lazy.with_columns(pl.col("a") * 2), seed=0) is True


@pytest.mark.parametrize("runs", [1, 0, True, 2.0, 10_001, 10**18])
def test_runs_must_be_from_two_to_ten_thousand(runs):
    with pytest.raises(ConfigError, match="`runs` must be an int from 2 to 10000"):
        verify_determinism(lambda: 1, seed=0, runs=runs)


def test_unsupported_outputs_raise_type_error_with_their_path():
    with pytest.raises(TypeError, match=r"`output\['model'\]` is a builtins\.object"):
        verify_determinism(lambda: {"model": object()}, seed=0)


def test_path_helpers_accept_path_objects(tmp_path):
    ctx = ReproContext.create(git_sha="d" * 40)
    ctx.save(str(tmp_path / "a.json"))
    assert ReproContext.load(Path(tmp_path / "a.json")) == ctx
