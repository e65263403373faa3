"""run_backtest: validate the inputs, run the numba simulation, package the result.

The execution model (fill timing, slippage, fees, sizing, trades, ruin) is stated
in docs/backtest.md; the kernels are in ``_nb/`` and their records are built by
``_inputs.build_inputs``. A run is three steps, ``prepare_run``, ``simulate_run``
and ``package_run``, which a test may recompose (e.g. with a corrupted input).
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

from peak_trade.backtest import invariants as inv
from peak_trade.backtest._compile_notice import announce_compile
from peak_trade.backtest._inputs import (
    Inputs,
    MarketArrays,
    build_inputs,
    new_book,
    new_violations,
    prepare_market,
)
from peak_trade.backtest._nb import scan as sc
from peak_trade.backtest._nb.derive import exposed_bars_nb
from peak_trade.backtest._nb.end import end_checks_nb
from peak_trade.backtest._nb.fills import fill_capacity_nb
from peak_trade.backtest._nb.records import Book, Violations
from peak_trade.backtest._nb.simulate import simulate_nb
from peak_trade.backtest._nb.stats import N_STATS, stats_nb
from peak_trade.backtest._signal_arg import check_params, explicit_signal
from peak_trade.backtest.config import BacktestConfig, ConfigLike, as_backtest_config
from peak_trade.backtest.registry import get_strategy, get_strategy_class
from peak_trade.backtest.result import BacktestResult, EquityBars
from peak_trade.backtest.signals import strategy_or_entries
from peak_trade.backtest.stats import stats_dict
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.errors import ConfigError
from peak_trade.core.repro import ReproContext

__all__ = ["MarketArrays", "prepare_market", "run_backtest", "signal_error", "strategy_class"]

_log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
_DEFAULT = BacktestConfig()
_STRICT = inv.InvariantConfig()
_SIGNAL_PROBLEMS = {
    sc.SIGNAL_NAN: ("a NaN or null target", "fill the gaps, e.g. signal.fill_nan(0.0)"),
    sc.SIGNAL_OUT_OF_RANGE: (
        "a target outside [-1, 1]",
        "clip with np.clip(signal, -1, 1) or rescale it",
    ),
    sc.SIGNAL_SHORT: (
        "a short target while `allow_short=False`",
        "pass config=BacktestConfig(allow_short=True) or clip at 0",
    ),
}


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
    )


def _check_invariants(invariants: Any) -> inv.InvariantConfig:
    if not isinstance(invariants, inv.InvariantConfig):
        msg = f"`invariants` must be an InvariantConfig; got {type(invariants).__name__}"
        raise ConfigError(msg, hint='e.g. invariants=InvariantConfig(mode="warn")')
    return invariants


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run ready to simulate: the market, the signal, the records and the buffers."""

    market: MarketArrays
    signal: Floats
    params: dict[str, Any] | None
    config: BacktestConfig
    invariants: inv.InvariantConfig
    inputs: Inputs
    book: Book


@dataclass(frozen=True, slots=True)
class Simulated:
    """What the simulation returned: the violations and the fill and trade counts."""

    violations: Violations
    n_fills: int
    n_trades: int


def _run_backtest(
    data: Any,
    strategy: Any,
    params: Mapping[str, Any] | None,
    *,
    signal: Any = None,
    config: BacktestConfig,
    invariants: inv.InvariantConfig,
    repro: ReproContext | None,
) -> BacktestResult:
    """run_backtest after its argument checks: prepare, simulate, package."""
    started = time.perf_counter()
    prepared = prepare_run(data, strategy, params, signal=signal, config=config,
                           invariants=invariants)  # fmt: skip
    return package_run(prepared, simulate_run(prepared), repro=repro, started=started)


def prepare_run(
    data: Any,
    strategy: Any,
    params: Mapping[str, Any] | None,
    *,
    signal: Any,
    config: BacktestConfig,
    invariants: Any,
) -> Prepared:
    """Check the frame, compute and scan the signal, build the records and buffers.

    Raises:
        DataContractError: ``data`` breaks the OHLCV contract.
        ConfigError: A bad strategy, parameter or signal.
    """
    checks = _check_invariants(invariants)
    market = prepare_market(data, config=config)
    df = market.frame
    explicit = explicit_signal(df, strategy, signal, params)
    used_params: dict[str, Any] | None = None
    if explicit is None:
        strat = _strategy(strategy, params)
        explicit = strat.signal(df)
        used_params = dict(strat.params)
    status, index, value, changes = sc.scan_signal_nb(explicit, config.allow_short)
    if status != sc.SIGNAL_OK:
        ts = df.get_column("timestamp")
        raise signal_error(status, index, value, ts, where="the signal")
    # Per bar only equity; cash and position move at fills, so they are kept as steps.
    book = new_book(df.height, fill_capacity_nb(changes, config.has_stops))
    inputs = build_inputs(market, config, checks)
    return Prepared(market, explicit, used_params, config, checks, inputs, book)


def simulate_run(p: Prepared, /) -> Simulated:
    """``simulate_nb`` over the prepared records."""
    viol = new_violations()
    announce_compile(simulate_nb)
    i = p.inputs
    _, _, nf, nt, _ = simulate_nb(i.market, i.settings, i.per_bar, p.signal, p.book, viol)
    return Simulated(viol, nf, nt)


def package_run(
    p: Prepared, run: Simulated, /, *, repro: ReproContext | None, started: float
) -> BacktestResult:
    """The end-of-run checks (timing ``end``), the violations, the stats and the frames.

    Raises:
        BacktestInvariantError: An invariant broke, in strict mode.
    """
    book, viol, nf, nt = p.book, run.violations, run.n_fills, run.n_trades
    inputs, config, checks = p.inputs, p.config, p.invariants
    market = p.market
    ts = market.frame.get_column("timestamp")
    initial_cash = float(config.initial_cash)
    k = int(np.count_nonzero(book.step_bars >= 0))
    bars = EquityBars(
        ts, market.close, book.equity, book.step_bars[:k], book.step_cash[:k],
        book.step_pos[:k], initial_cash,
    )  # fmt: skip
    if inputs.at_end and checks.mode != "off":  # the end checks read cash and position per bar
        cash, position = bars.cash(), bars.position()
        end_checks_nb(
            inputs.market, book, cash, position, nf, nt, inputs.settings, inputs.checks, viol
        )
    violations = list(inv.report(inv.collect(viol, ts), checks, repro=repro))
    row = np.empty(N_STATS)
    trades = book.trades[:nt]
    stats_nb(
        book.equity, exposed_bars_nb(bars.step_bars, bars.step_pos, ts.len()), initial_cash,
        trades["pnl"], trades["ret"],
        trades["is_open"], market.periods_per_year, market.years, row,
        np.empty(0),  # no per-bar drawdown: the result derives it on access
    )  # fmt: skip
    if checks.has_user_checks and checks.mode != "off":
        equity_df = bars.frame()
        arrays = {
            "cash": equity_df.get_column("cash").to_numpy(),
            "position": equity_df.get_column("position").to_numpy(),
            "price": market.close,
            "equity": book.equity,
        }
        found = inv.user_violations(checks, equity_df, arrays)
        violations.extend(inv.report(found, checks, repro=repro))
    result = BacktestResult(
        bars=bars,
        stats={**stats_dict(row), "periods_per_year": market.periods_per_year},
        config=config,
        trade_rows=trades,
        fill_rows=book.fills[:nf],
        params=p.params,
        violations=tuple(violations),
    )
    if _log.isEnabledFor(logging.INFO):
        seconds = time.perf_counter() - started
        _log.info(
            "backtest.run",
            extra={"bars": ts.len(), "fills": nf, "trades": nt, "seconds": seconds},
        )
    return result
