"""Walk-forward analysis: choose on each train window, trade the next test window.

Each fold runs the whole grid on its train window (``run_grid(window=...)``),
picks the best combination by ``metric`` (as ``top_n`` ranks), runs the grid on
the test window too (to rank the choice among all combinations out of sample),
and backtests the choice on the test window with every earlier bar as warm-up.
The test windows' equity curves are stitched into one out-of-sample curve.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest, strategy_class
from peak_trade.backtest.grid import InvalidCombos, run_grid
from peak_trade.backtest.invariants import InvariantConfig
from peak_trade.backtest.stats import (
    STAT_NAMES,
    compute_stats,
    infer_periods_per_year,
    years_spanned,
)
from peak_trade.backtest.strategies.base import suggest
from peak_trade.core.errors import ConfigError
from peak_trade.research._folds import Fold, parse_span, plan_folds, timeline
from peak_trade.research._load import load_frames
from peak_trade.research.ranking import top_n

__all__ = ["WalkForwardResult", "walk_forward", "walk_forward_efficiency"]

_DEFAULT = BacktestConfig()
_STRICT = InvariantConfig()
#: The symbol name of a single frame passed to ``walk_forward``.
SINGLE = "data"


@dataclass(frozen=True, slots=True)
class WalkForwardResult:
    """The outcome of :func:`walk_forward`.

    Attributes:
        folds: One row per fold and symbol: ``symbol, fold, train_start,
            train_end, test_start, test_end`` (timestamps of the first and last
            bar of each window, both inclusive), the chosen parameters,
            ``is_metric`` and ``oos_metric`` (the choice's metric in and out of
            sample), ``oos_rank`` (its rank among all combinations out of
            sample, 1 = best) and ``n_combos``.
        oos_equity: The stitched out-of-sample curve: ``symbol, fold,
            timestamp, position, equity`` (each fold continues from the
            previous fold's final equity).
        stats: One row per symbol: ``symbol`` and the stats of ``oos_equity``.
        efficiency: Mean over folds and symbols of ``oos_metric / is_metric``
            (folds with a zero or undefined in-sample metric are left out; NaN
            if none is left).
        metric: The metric that chose.
    """

    folds: pl.DataFrame
    oos_equity: pl.DataFrame
    stats: pl.DataFrame
    efficiency: float
    metric: str


def _frames(data: Any) -> dict[str, pl.DataFrame]:
    if isinstance(data, Mapping):
        return load_frames(data, source=None, timeframe="")
    return load_frames({SINGLE: data}, source=None, timeframe="")


def _window(tl: pl.Series, fold: Fold) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """The train and test windows as times, shared by every symbol."""

    def at(i: int) -> Any:
        return tl[i] if i < tl.len() else None

    return (at(fold.train_start), at(fold.test_start)), (at(fold.test_start), at(fold.test_end))


def _rank(frame: pl.DataFrame, metric: str) -> pl.DataFrame:
    return top_n(frame, metric=metric, n=frame.height)


def _fold_row(
    symbol: str,
    frame: pl.DataFrame,
    fold: Fold,
    windows: tuple[tuple[Any, Any], tuple[Any, Any]],
    run: dict[str, Any],
) -> tuple[dict[str, Any], pl.DataFrame, pl.DataFrame]:
    """(the folds row, the chosen combination's test equity, its test trades)."""
    train, test = windows
    names = run["names"]
    metric = run["metric"]
    kw = {**run["kw"], "invalid": run["invalid"]}
    ins = _rank(run_grid(frame, run["strategy"], run["grid"], window=train, **kw), metric)
    best = ins.row(0, named=True)
    params = {p: best[p] for p in names}
    oos = _rank(run_grid(frame, run["strategy"], run["grid"], window=test, **kw), metric)
    match = oos.filter(pl.all_horizontal([pl.col(p) == v for p, v in params.items()]))
    chosen = run_backtest(frame, run["strategy"], params, window=test, **run["kw"])
    ts = chosen.equity.get_column("timestamp")
    train_ts = frame.get_column("timestamp")
    lo = int(train_ts.search_sorted(train[0], side="left")) if train[0] is not None else 0
    hi = int(train_ts.search_sorted(train[1], side="left"))
    row = {
        "symbol": symbol,
        "fold": fold.index,
        "train_start": train_ts[lo],
        "train_end": train_ts[hi - 1],
        "test_start": ts[0],
        "test_end": ts[-1],
        **params,
        "is_metric": float(best[metric]),
        "oos_metric": float(chosen.stats[metric]),
        "oos_rank": int(match.get_column("rank")[0]),
        "n_combos": oos.height,
    }
    return row, chosen.equity, chosen.trades


def _stitch(
    symbol: str, parts: Sequence[tuple[int, pl.DataFrame, pl.DataFrame]], config: BacktestConfig
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Chain the folds' test curves (each scaled to start at the previous end) and their stats."""
    cash = float(config.initial_cash)
    scale = 1.0
    curves, pnl, ret, is_open = [], [], [], []
    for fold, equity, trades in parts:
        curves.append(
            equity.select(
                pl.lit(symbol).alias("symbol"),
                pl.lit(fold, dtype=pl.Int64).alias("fold"),
                "timestamp",
                "position",
                (pl.col("equity") * scale).alias("equity"),
                (pl.col("position") * scale).alias("scaled_position"),
            )
        )
        pnl.append(trades.get_column("pnl").to_numpy() * scale)
        ret.append(trades.get_column("return").to_numpy())
        is_open.append(trades.get_column("is_open").to_numpy())
        scale *= float(equity.get_column("equity")[-1]) / cash
    curve = pl.concat(curves)
    ts = curve.get_column("timestamp")
    ppy = config.periods_per_year
    per_year = float(ppy) if ppy is not None else infer_periods_per_year(ts)
    stats = compute_stats(
        curve.get_column("equity").to_numpy(),
        curve.get_column("scaled_position").to_numpy(),
        initial_cash=cash,
        trade_pnl=np.concatenate(pnl),
        trade_return=np.concatenate(ret),
        trade_open=np.concatenate(is_open),
        periods_per_year=per_year,
        years=years_spanned(ts),
    )
    return curve.drop("scaled_position"), {"symbol": symbol, **stats, "periods_per_year": per_year}


def walk_forward_efficiency(folds: pl.DataFrame, /) -> float:
    """The mean of ``oos_metric / is_metric`` over the rows of ``folds`` with a finite ratio.

    Rows whose in-sample metric is zero or undefined (or whose ratio is not
    finite) are left out; NaN when none is left. This is ``wf.efficiency``, and
    the report computes it the same way from ``walk_forward.parquet``.

    Example:
        >>> walk_forward_efficiency(wf.folds) == wf.efficiency  # doctest: +SKIP
        True
    """
    ratio = (folds["oos_metric"] / folds["is_metric"]).to_numpy()
    ratio = ratio[np.isfinite(ratio)]
    return float(ratio.mean()) if ratio.size else math.nan


def walk_forward(
    data: Any,
    strategy: Any,
    grid: Mapping[str, Sequence[Any]],
    /,
    *,
    train: int | str | Any,
    test: int | str | Any,
    step: int | str | Any = None,
    anchored: bool = False,
    metric: str = "sharpe",
    config: BacktestConfig = _DEFAULT,
    invariants: InvariantConfig = _STRICT,
    invalid: InvalidCombos = "raise",
) -> WalkForwardResult:
    """Walk-forward analysis of ``strategy`` over ``grid``.

    Fold ``i``'s train window starts ``i * step`` after the first bar (at the
    first bar with ``anchored=True``, growing) and lasts ``train``; its test
    window follows for ``test``. Only folds whose test window fits the data are
    run. With several symbols the folds are cut on the union of their
    timestamps, so every symbol has the same folds by time.

    Args:
        data: One OHLCV frame, or a mapping symbol -> frame.
        strategy: A registered name, a ``Strategy`` subclass or an instance.
        grid: Parameter name -> values, as for ``run_grid``.
        train: Bars (int) or a duration (``"730d"``, ``"12h"``, ``"4w"``, a timedelta).
        test: As ``train``.
        step: As ``train``; default ``test``. Must not be shorter than ``test``.
        anchored: Grow the train window from the first bar.
        metric: The stat that chooses (``top_n``'s order: larger is better
            except ``LOWER_IS_BETTER``).
        config: Costs, sizing and fill timing for every run.
        invariants: The built-in invariants, as for ``run_grid``.
        invalid: ``"raise"`` or ``"skip"`` combinations breaking a parameter rule.

    Raises:
        ConfigError: A bad span, metric or grid, or no fold fits the data.
        DataContractError: A frame breaks the OHLCV contract.

    Example:
        >>> wf = walk_forward(df, "ma_crossover", {"fast": [5, 10], "slow": [50, 100]},
        ...                   train=2000, test=500)  # doctest: +SKIP
        >>> wf.folds.height, wf.efficiency  # doctest: +SKIP
    """
    train_span = parse_span(train, "train")
    test_span = parse_span(test, "test")
    step_span = test_span if step is None else parse_span(step, "step")
    if not isinstance(anchored, bool):
        msg = f"`anchored` must be a bool; got {anchored!r}"
        raise ConfigError(msg, hint="anchored=True grows the train window from the first bar")
    if metric not in STAT_NAMES:
        close = suggest(str(metric), list(STAT_NAMES))
        msg = f"cannot choose by {metric!r}: it is not a stat"
        hint = f"did you mean {close!r}?" if close else f"choose one of {', '.join(STAT_NAMES)}"
        raise ConfigError(msg, hint=hint, context={"metric": repr(metric)})
    frames = _frames(data)
    cls = strategy_class(strategy)
    tl = timeline([f.get_column("timestamp") for f in frames.values()])
    folds = plan_folds(tl, train=train_span, test=test_span, step=step_span, anchored=anchored)
    run = {
        "strategy": strategy,
        "grid": grid,
        "metric": metric,
        "invalid": invalid,
        "names": [*grid, *(s.name for s in cls.param_specs if s.name not in grid)],
        "kw": {"config": config, "invariants": invariants},
    }
    rows: list[dict[str, Any]] = []
    curves: list[pl.DataFrame] = []
    stats: list[dict[str, Any]] = []
    for symbol, frame in frames.items():
        parts = []
        for fold in folds:
            row, equity, trades = _fold_row(symbol, frame, fold, _window(tl, fold), run)
            rows.append(row)
            parts.append((fold.index, equity, trades))
        curve, stat = _stitch(symbol, parts, config)
        curves.append(curve)
        stats.append(stat)
    table = pl.DataFrame(rows)
    return WalkForwardResult(
        folds=table,
        oos_equity=pl.concat(curves),
        stats=pl.DataFrame(stats),
        efficiency=walk_forward_efficiency(table),
        metric=metric,
    )
