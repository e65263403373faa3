"""Every callable of ``peak_trade.__all__`` under hostile arguments fails cleanly.

For each public callable, hypothesis fills every argument slot with either a good
value (so calls get past the first check and into the machinery) or a hostile one:
wrong types, None, empty frames, NaN-only columns, huge numbers, strings where
numbers belong. The only outcomes allowed are a normal return, a
``PeakTradeError``, a ``FileNotFoundError``, or a ``TypeError`` raised by
peak_trade itself, by Python's own argument checks (the standard library) or at
the call (a missing argument). Never ``AttributeError``, ``KeyError``,
``IndexError``, ``ValueError`` from a library, nor a numba, polars, pyarrow,
numpy or pydantic error.
"""

from __future__ import annotations

import inspect
import io
import math
import os
import sysconfig
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peak_trade
from peak_trade import PeakTradeError

_BARS = peak_trade.synthetic_ohlcv(60, seed=4)
_NAN_BARS = _BARS.with_columns(pl.lit(math.nan).alias("close"))
_DOC = {
    "data": {"provider": "synthetic", "symbols": ["A"], "timeframe": "1h", "bars": 60},
    "strategy": {"name": "macd"},
}
_OK_TOML = '[data]\nprovider = "synthetic"\nsymbols = ["A"]\ntimeframe = "1h"\n'
_OK_TOML += '[strategy]\nname = "macd"\n'
_NO_GOOD = object()  # a slot with no good value: hostile values only
_STATS_FRAME = pl.DataFrame({"fast": [5, 10], "sharpe": [0.5, 1.5]})


def _hostile() -> list[Any]:
    return [
        None,
        True,
        -1,
        0,
        10**18,
        1e308,
        math.nan,
        -math.inf,
        "",
        "x",
        "1h",
        "ma_crossover",
        b"\x00\xff",
        [],
        [None],
        {},
        {"x": None},
        (1, "a"),
        object(),
        int,
        lambda *a, **k: None,
        pl.DataFrame(),
        _NAN_BARS,
        _BARS.head(0),
        _BARS.select("timestamp", "close"),
        _BARS.lazy().select(pl.col("close").cast(pl.String).cast(pl.Int64)),
        pd.DataFrame(),
        _NAN_BARS.to_pandas(),
        np.array([]),
        np.full(3, math.nan),
        np.zeros((2, 2)),
        pl.Series([], dtype=pl.Float64),
        pd.Series([math.nan] * 60),
    ]


def _calls() -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """Good positional and keyword arguments of each callable."""
    eq = np.linspace(1e4, 1.1e4, 60)
    synthetic = peak_trade.SyntheticProvider(bars=60)
    grid = {"fast": [5], "slow": [20]}
    return {
        "BacktestConfig": ([], {"fee_bps": 5.0, "execution": "close", "periods_per_year": 252.0}),
        "BacktestResult": ([_BARS, _BARS, {}, peak_trade.BacktestConfig(), _BARS], {}),
        "CcxtProvider": (["binance"], {"page_limit": 10}),
        "CircuitBreaker": (["x"], {"failure_threshold": 2, "recovery_timeout": 1.0}),
        "Config": ([], {"data": _DOC["data"], "strategies": [{"name": "macd"}]}),
        "ContractReport": ([3], {}),
        "FileProvider": (["data"], {"pattern": "{symbol}_{timeframe}.{ext}"}),
        "InvariantConfig": ([], {"mode": "warn", "abs_tol": 1e-6}),
        "OhlcvCache": (["cache"], {"format": "arrow", "checksum": "xxh3"}),
        "ParamSpec": (["w", int, 5], {"low": 1, "high": 10}),
        "Provider": ([], {}),
        "ReproContext": ([1, None, None, "3.11", "linux", "id", "now", {}], {}),
        "ResilientProvider": ([synthetic], {"retry": peak_trade.RetryPolicy(max_attempts=1)}),
        "RetryPolicy": ([], {"max_attempts": 2, "base_delay": 0.1}),
        "Strategy": ([], {}),
        "StrategyInfo": (["x", "y", ()], {}),
        "SweepProgress": ([1, 2, 0, "A", 0, 5, 1.0, None], {}),
        "SyntheticProvider": ([], {"seed": 1, "bars": 60}),
        "Violation": (["rule", "close", 1], {}),
        "assert_deterministic": ([lambda: 1], {"seed": 1, "runs": 2}),
        "atomic_read": (["stored.arrow"], {"verify_checksum": True}),
        "atomic_write": ([_BARS, "out/new.arrow"], {"checksum": "xxh3"}),
        "check_ohlcv": ([_BARS], {"strict": True, "timestamp": "timestamp"}),
        "compute_stats": (
            [eq, np.ones(60)],
            {
                "initial_cash": 1e4,
                "trade_pnl": np.zeros(1),
                "trade_return": np.zeros(1),
                "periods_per_year": 252.0,
                "years": 1.0,
                "trade_open": np.zeros(1, dtype=bool),
            },
        ),
        "configure_logging": ([], {"level": "INFO", "fmt": "text", "stream": io.StringIO()}),
        "current_context": ([], {}),
        "expand_grid": (["ma_crossover", grid], {"invalid": "skip"}),
        "filter_ohlcv": ([_BARS], {"strict": True}),
        "get_strategy": (["macd"], {"fast": 12}),
        "list_strategies": ([], {}),
        "load_config": (["ok.toml"], {}),
        "no_wait": ([], {}),
        "normalize_ohlcv": ([_BARS], {"tz": "UTC", "duplicates": "error"}),
        "ohlcv_rules": ([], {"timestamp": "timestamp", "allow_partial_nans": False}),
        "rank_sweep": (
            [{"A": _BARS}, "ma_crossover", grid],
            {"metric": "sharpe", "top": 2, "max_workers": 1, "chunk_size": 4},
        ),
        "register_strategy": (["my_strategy"], {}),
        "resample_ohlcv": ([_BARS, "4h"], {}),
        "run_backtest": (
            [_BARS, "ma_crossover", {"fast": 5, "slow": 20}],
            {"config": {"fee_bps": 1.0}},
        ),
        "run_combos": ([_BARS, "ma_crossover", [{"fast": 5, "slow": 20}]], {}),
        "run_context": ([], {"run_id": "r1", "symbol": "A"}),
        "run_grid": ([_BARS, "ma_crossover", grid], {"invalid": "skip"}),
        "set_global_seed": ([1], {}),
        "stable_hash": ([{"a": 1}], {"length": 8}),
        "sweep": ([{"A": _BARS}, "ma_crossover", grid], {"max_workers": 1, "chunk_size": 4}),
        "synthetic_ohlcv": ([60], {"seed": 1, "timeframe": "1h"}),
        "top_n": ([_STATS_FRAME], {"metric": "sharpe", "n": 1}),
        "validate_config": ([_DOC], {}),
        "validate_ohlcv": ([_BARS], {"strict": True}),
        "verify_determinism": ([lambda: 1], {"seed": 1}),
    }


CALLS = _calls()
HOSTILE = _hostile()
_LIBRARIES = (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])
_STDLIB = sysconfig.get_paths()["stdlib"]
_SOURCE = str(Path(peak_trade.__file__).parent)


def _public_callables() -> list[str]:
    names = []
    for name in peak_trade.__all__:
        obj = getattr(peak_trade, name)
        if callable(obj) and not (isinstance(obj, type) and issubclass(obj, BaseException)):
            names.append(name)
    return names


def _signature_slots(fn: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """Slots for a callable not (yet) in CALLS: its required arguments, hostile only."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.default is not inspect.Parameter.empty:
            continue
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            args.append(_NO_GOOD)
        elif param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = _NO_GOOD
    return args, kwargs


def test_good_arguments_are_kept_for_public_names_only():
    """CALLS holds no stale names; public names missing from it run on hostile values only."""
    assert set(CALLS) <= set(_public_callables())
    assert _signature_slots(peak_trade.top_n) == ([_NO_GOOD], {"metric": _NO_GOOD, "n": _NO_GOOD})


def _innermost_file(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].filename if frames else ""


def _acceptable_type_error(exc: TypeError) -> bool:
    """Raised by peak_trade, by Python's standard library, or at the call itself."""
    where = _innermost_file(exc)
    if where.startswith(_SOURCE) or where == __file__:
        return True
    return where.startswith(_STDLIB) and not where.startswith(_LIBRARIES)


def _slot(good: Any) -> st.SearchStrategy[Any]:
    if good is _NO_GOOD:
        return st.sampled_from(HOSTILE)
    return st.one_of(st.just(good), st.sampled_from(HOSTILE))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A scratch working directory with a good config and a stored frame."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "ok.toml").write_text(_OK_TOML)
    peak_trade.atomic_write(_BARS, root / "stored.arrow", checksum="xxh3")
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old)


@pytest.mark.parametrize("name", _public_callables())
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_arguments_give_only_clear_errors(workdir, name, data):
    del workdir  # used for its working directory
    fn: Callable[..., Any] = getattr(peak_trade, name)
    good_args, good_kwargs = CALLS[name] if name in CALLS else _signature_slots(fn)
    args = [data.draw(_slot(v), label=f"arg{i}") for i, v in enumerate(good_args)]
    kwargs = {k: data.draw(_slot(v), label=k) for k, v in good_kwargs.items()}
    refused: TypeError | None = None
    try:
        with warnings.catch_warnings():
            # A signal given as `strategy` is deprecated, not an error (docs/backtest.md).
            warnings.simplefilter("ignore", DeprecationWarning)
            fn(*args, **kwargs)
    except (PeakTradeError, FileNotFoundError):
        return
    except TypeError as exc:
        refused = exc
    if refused is not None:
        where = _innermost_file(refused)
        assert _acceptable_type_error(refused), f"{name}: TypeError from {where}: {refused}"
        assert str(refused), f"{name}: TypeError without a message"
