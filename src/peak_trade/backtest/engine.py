"""run_backtest: validate the inputs, run the numba simulation, package the result.

The execution model (fill timing, slippage, fees, sizing, trades, ruin) is stated
in docs/backtest.md; the kernels are in ``_kernels.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from peak_trade.backtest import _fill_kernels as fk
from peak_trade.backtest import _invariant_kernels as ik
from peak_trade.backtest import _kernels as k
from peak_trade.backtest import invariants as inv
from peak_trade.backtest._compile_notice import announce_compile
from peak_trade.backtest._end_kernels import end_checks_nb
from peak_trade.backtest._signal_arg import check_params, explicit_signal
from peak_trade.backtest._stats_kernels import N_STATS, stats_nb
from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.registry import get_strategy, get_strategy_class
from peak_trade.backtest.result import BacktestResult, EquityBars, fills_frame, trades_frame
from peak_trade.backtest.signals import strategy_or_entries
from peak_trade.backtest.stats import infer_periods_per_year, stats_dict, years_spanned
from peak_trade.backtest.stops import stop_capacity, stop_simulator
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.core.repro import ReproContext
from peak_trade.data._frames import to_polars
from peak_trade.data.contracts import validate_ohlcv

__all__ = ["MarketArrays", "prepare_market", "run_backtest", "signal_error", "strategy_class"]

_log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
_DEFAULT = BacktestConfig()
_STRICT = inv.InvariantConfig()
#: (fault code, bar, value) for the test hook of ``_run_backtest``; see _kernels.FAULT_*.
Fault = tuple[int, int, float]
NO_FAULT: Fault = (k.NO_FAULT, -1, 0.0)
#: A test-only fault applied in Python: timestamps[bar] = timestamps[bar - 1].
FAULT_TIMESTAMP = 7
_SIGNAL_PROBLEMS = {
    k.SIGNAL_NAN: ("a NaN or null target", "fill the gaps, e.g. signal.fill_nan(0.0)"),
    k.SIGNAL_OUT_OF_RANGE: (
        "a target outside [-1, 1]",
        "clip with np.clip(signal, -1, 1) or rescale it",
    ),
    k.SIGNAL_SHORT: (
        "a short target while `allow_short=False`",
        "pass config=BacktestConfig(allow_short=True) or clip at 0",
    ),
}


@dataclass(frozen=True, slots=True)
class MarketArrays:
    """A validated OHLCV frame and the contiguous float64 arrays the kernels read."""

    frame: pl.DataFrame
    open: Floats
    close: Floats
    periods_per_year: float
    years: float
    high: Floats
    low: Floats
    timestamps: Ints


def _column(df: pl.DataFrame, name: str) -> Floats:
    values = df.get_column(name).cast(pl.Float64).to_numpy()
    return np.ascontiguousarray(values, dtype=np.float64)


def prepare_market(data: Any, /, *, config: BacktestConfig) -> MarketArrays:
    """Check ``data`` against the strict OHLCV contract and extract the price arrays.

    Raises:
        DataContractError: The frame breaks the contract.
        TypeError: ``data`` is not a frame.
    """
    df = to_polars(data)
    validate_ohlcv(df, strict=True)
    ts = df.get_column("timestamp")
    ppy = config.periods_per_year
    return MarketArrays(
        frame=df,
        open=_column(df, "open"),
        close=_column(df, "close"),
        periods_per_year=float(ppy) if ppy is not None else infer_periods_per_year(ts),
        years=years_spanned(ts),
        high=_column(df, "high"),
        low=_column(df, "low"),
        timestamps=np.ascontiguousarray(ts.to_physical().cast(pl.Int64).to_numpy()),
    )


def _registered(name: Any, params: Mapping[str, Any]) -> Strategy:
    """``get_strategy(name, **params)`` from the registry, for a string ``name``."""
    if not isinstance(name, str):
        msg = (
            "`strategy` must be a registered name, a Strategy instance or subclass; "
            f"got {type(name).__name__}"
        )
        hint = 'e.g. run_backtest(df, "ma_crossover"); a signal goes in signal=...'
        raise ConfigError(msg, hint=hint)
    return get_strategy(name, **params)


def strategy_class(strategy: Any, /) -> type[Strategy]:
    """The class of a registered name, a Strategy subclass or a Strategy instance."""
    if isinstance(strategy, Strategy):
        return type(strategy)
    if isinstance(strategy, type) and issubclass(strategy, Strategy):
        return strategy
    if isinstance(strategy, str):
        return get_strategy_class(strategy)
    return type(_registered(strategy, {}))


def _strategy(strategy: Any, params: Mapping[str, Any] | None) -> Strategy:
    if isinstance(strategy, Strategy):
        if params:
            msg = f"`params` was given with a `{type(strategy).__name__}` instance"
            raise ConfigError(
                msg,
                hint="build the instance with its parameters, or pass the class with params",
                context={"params": dict(params)},
            )
        return strategy
    if isinstance(strategy, type) and issubclass(strategy, Strategy):
        return strategy(**(params or {}))
    return _registered(strategy, params or {})


def signal_error(
    status: int, index: int, value: float, timestamps: pl.Series, *, where: str
) -> ConfigError:
    """The ``ConfigError`` for a bad signal found by ``scan_signal_nb``."""
    what, hint = _SIGNAL_PROBLEMS[status]
    ts = timestamps[index]
    msg = f"{where} has {what} at bar {index} ({ts}): {value!r}"
    return ConfigError(msg, hint=hint, context={"bar": index, "timestamp": ts, "value": value})


def run_backtest(
    data: Any,
    strategy: Any = None,
    /,
    params: Mapping[str, Any] | None = None,
    *,
    signal: Any = None,
    config: ConfigLike = _DEFAULT,
    invariants: inv.InvariantConfig = _STRICT,
    repro: ReproContext | None = None,
    window: Any = None,
    entries: Any = None,
    exits: Any = None,
    short_entries: Any = None,
    short_exits: Any = None,
) -> BacktestResult:
    """Backtest one target-exposure signal over an OHLCV frame.

    Args:
        data: Canonical OHLCV (polars DataFrame or LazyFrame, pyarrow Table, pandas);
            checked with ``validate_ohlcv(strict=True)``.
        strategy: A registered strategy name, or a ``Strategy`` instance or subclass.
            (Deprecated: a signal here, as for ``signal``, still works until the
            next release, with a ``DeprecationWarning``.)
        params: Strategy parameters as a mapping, for a name or a subclass.
        signal: Instead of a strategy, an explicit target exposure per bar in
            [-1, 1]: a polars, pandas or pyarrow series (taken by position; a pandas
            index is ignored), a 1-D numpy array or the name of a column of ``data``.
        config: Costs, sizing and fill timing: a ``BacktestConfig`` or a mapping
            of its fields (``{"fee_bps": 5.0}``), checked like the config file's
            ``[backtest]`` table.
        invariants: The accounting invariants (docs/invariants.md); strict, checked
            on every bar, by default.
        repro: The run's reproducibility context; its run_id, seed, config_hash and
            git_sha go into an invariant error's context (None values without it).
        window: ``(start, end)`` bar indices or times (``backtest/window.py``):
            the signal sees every bar, trading, equity and stats cover only
            ``[start, end)``, starting flat. None: the whole frame.
        entries: Instead of ``strategy``: long entries, with ``exits`` (and
            optionally ``short_entries``/``short_exits``), turned into the
            target exposure by ``signals.from_entries_exits``.
        exits: Long exits, with ``entries``.
        short_entries: Short entries (needs ``allow_short=True``).
        short_exits: Short exits.

    Raises:
        DataContractError: ``data`` breaks the OHLCV contract.
        ConfigError: Unknown strategy or parameter; both or neither of a strategy and
            a signal; a string naming both a column and a strategy; a signal of the
            wrong length, or with a NaN, a value outside [-1, 1], or a short while
            shorts are off.
        BacktestInvariantError: An invariant broke, in strict mode.

    Example:
        >>> df = synthetic_ohlcv(500)  # doctest: +SKIP
        >>> cfg = BacktestConfig(fee_bps=0.0)  # doctest: +SKIP
        >>> result = run_backtest(df, signal=np.ones(500), config=cfg)  # doctest: +SKIP
        >>> result.stats["n_trades"]  # doctest: +SKIP
        1
    """
    if any(v is not None for v in (entries, exits, short_entries, short_exits)):
        if signal is not None:
            msg = "run_backtest got both `signal=` and entries=/exits="
            raise ConfigError(msg, hint="pass one: a signal, or entries and exits")
        signal = strategy_or_entries(
            strategy, params, entries=entries, exits=exits,
            short_entries=short_entries, short_exits=short_exits,
        )  # fmt: skip
    params = check_params(params, strategy)
    cfg = as_backtest_config(config)
    if window is not None:
        from peak_trade.backtest.window import run_windowed

        return run_windowed(
            data, strategy, params, signal=signal, window=window, config=cfg,
            invariants=invariants, repro=repro,
        )  # fmt: skip
    return _run_backtest(
        data,
        strategy,
        params,
        signal=signal,
        config=cfg,
        invariants=invariants,
        repro=repro,
        fault=NO_FAULT,
    )


def _check_invariants(invariants: Any) -> inv.InvariantConfig:
    if not isinstance(invariants, inv.InvariantConfig):
        msg = f"`invariants` must be an InvariantConfig; got {type(invariants).__name__}"
        raise ConfigError(msg, hint='e.g. invariants=InvariantConfig(mode="warn")')
    return invariants


def _run_backtest(
    data: Any,
    strategy: Any,
    params: Mapping[str, Any] | None,
    *,
    signal: Any = None,
    config: BacktestConfig,
    invariants: inv.InvariantConfig,
    repro: ReproContext | None,
    fault: Fault,
) -> BacktestResult:
    """run_backtest with a test hook: ``fault`` corrupts the run (see ``_kernels.FAULT_*``)."""
    started = time.perf_counter()
    checks = _check_invariants(invariants)
    market = prepare_market(data, config=config)
    df = market.frame
    signal = explicit_signal(df, strategy, signal, params)
    used_params: dict[str, Any] | None = None
    if signal is None:
        strat = _strategy(strategy, params)
        signal = strat.signal(df)
        used_params = dict(strat.params)
    ts = df.get_column("timestamp")
    status, index, value, changes = k.scan_signal_nb(signal, config.allow_short)
    if status != k.SIGNAL_OK:
        raise signal_error(status, index, value, ts, where="the signal")
    n = df.height
    cap = stop_capacity(changes) if config.has_stops else fk.fill_capacity_nb(changes)
    # Per bar only position and equity; cash moves at fills (and a test fault), so it
    # is kept as steps, at most one per fill bar plus the fault bar (result.EquityBars).
    position = np.empty(n)
    equity = np.empty(n)
    cash_bars = np.full(cap + 2, -1, dtype=np.int64)
    cash_values = np.empty(cap + 2)
    fills = np.empty((cap, fk.N_FILL_COLS))
    trades = np.empty((cap, fk.N_TRADE_COLS))
    timestamps = market.timestamps
    fault_code, fault_bar, fault_value = fault
    if fault_code == FAULT_TIMESTAMP:
        timestamps = timestamps.copy()
        timestamps[fault_bar] = timestamps[fault_bar - 1]
    mode = checks.kernel_mode
    at_end = checks.timing == "end"
    limit = checks.leverage_limit(allow_short=config.allow_short)
    counts, first_bar, first_vals = inv.buffers()
    announce_compile(k.simulate_checked_nb)
    # With a stop, its own per-bar path (backtest/stops.py); the default is unchanged.
    simulate = stop_simulator(config) if config.has_stops else k.simulate_checked_nb
    _, _, nf, nt = simulate(
        market.open,
        market.high,
        market.low,
        market.close,
        timestamps,
        signal,
        float(config.initial_cash),
        config.fee_rate,
        config.slippage_rate,
        float(config.position_fraction),
        config.execution == "next_open",
        config.close_at_end,
        ik.CHECK_OFF if at_end else mode,
        checks.abs_tol,
        checks.rel_tol,
        limit,
        config.allow_short,
        fault_code,
        fault_bar,
        fault_value,
        position,
        equity,
        cash_bars,
        cash_values,
        fills,
        trades,
        counts,
        first_bar,
        first_vals,
    )
    n_steps = int(np.count_nonzero(cash_bars >= 0))
    bars = EquityBars(
        ts, market.close, position, equity, cash_bars[:n_steps], cash_values[:n_steps],
        float(config.initial_cash),
    )  # fmt: skip
    if at_end and mode != ik.CHECK_OFF:
        cash = bars.cash()  # the end checks read cash per bar (timing "end" only)
        end_checks_nb(
            timestamps,
            market.close,
            market.high,
            market.low,
            position,
            cash,
            equity,
            fills,
            nf,
            trades,
            nt,
            float(config.initial_cash),
            config.slippage_rate,
            checks.abs_tol,
            checks.rel_tol,
            limit,
            config.allow_short,
            mode == ik.CHECK_STOP,
            counts,
            first_bar,
            first_vals,
        )
    violations = list(
        inv.report(inv.collect(counts, first_bar, first_vals, ts), checks, repro=repro)
    )
    row = np.empty(N_STATS)
    stats_nb(
        equity,
        position,
        float(config.initial_cash),
        trades[:nt, fk.T_PNL],
        trades[:nt, fk.T_RETURN],
        trades[:nt, fk.T_OPEN],
        market.periods_per_year,
        market.years,
        row,
        np.empty(0),  # no per-bar drawdown: the result derives it on access
    )
    if checks.has_user_checks and checks.mode != "off":
        equity_df = bars.frame()
        arrays = {
            "cash": equity_df.get_column("cash").to_numpy(),
            "position": position,
            "price": market.close,
            "equity": equity,
        }
        found = inv.user_violations(checks, equity_df, arrays)
        violations.extend(inv.report(found, checks, repro=repro))
    result = BacktestResult(
        bars=bars,
        trades=trades_frame(ts, trades[:nt]),
        stats={**stats_dict(row), "periods_per_year": market.periods_per_year},
        config=config,
        fills=fills_frame(ts, fills[:nf]),
        params=used_params,
        violations=tuple(violations),
    )
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "backtest.run",
            extra={
                "bars": n,
                "fills": nf,
                "trades": nt,
                "seconds": time.perf_counter() - started,
            },
        )
    return result
