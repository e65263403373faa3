"""What `report` accepts, as the page payload: a result, a run or sweep directory, a frame."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import polars as pl

from peak_trade.backtest.result import BacktestResult
from peak_trade.backtest.stats import bar_risk_stats, closed_trade_stats, infer_periods_per_year
from peak_trade.backtest.stats_json import strict_stats
from peak_trade.backtest.violations_json import violation_records
from peak_trade.core.errors import ConfigError
from peak_trade.core.repro import ReproContext
from peak_trade.reporting._run_payload import (
    RunBars,
    run_payload,
    share_prices,
    start_rolling_sharpe,
    stats_cells,
)
from peak_trade.reporting._sweep_payload import sweep_payload
from peak_trade.reporting._walk_forward_payload import WALK_FORWARD_FILE, walk_forward_payload

__all__ = ["dir_payload", "frame_payload", "result_payload"]

#: The overview table's columns of a run with several symbols or strategies.
OVERVIEW: Final = (
    "symbol",
    "strategy",
    "total_return",
    "benchmark_return",
    "cagr",
    "sharpe",
    "max_drawdown",
    "n_trades",
    "win_rate",
)
_RUN_NOTE: Final = "none recorded (a strict run stops at the first violation; see log.jsonl)"


def _repro_now() -> dict[str, Any]:
    ctx = ReproContext.create().to_dict()
    ctx["run_id"] = "(an in-memory result, not a run)"
    return ctx


def _violation_rows(records: Sequence[Mapping[str, Any]], /) -> list[dict[str, Any]]:
    """``violation_records`` as table rows: the offending values as one JSON text."""
    return [
        {
            "name": row["name"],
            "bar": row["bar"],
            "timestamp": row["timestamp"],
            "count": row["count"],
            "values": json.dumps(row["values"], allow_nan=False),
        }
        for row in records
    ]


def result_payload(result: BacktestResult, /) -> dict[str, Any]:
    """The page data of one in-memory result.

    Four jobs overlap: the rolling Sharpe and the bars' risk and buy-and-hold stats
    (started first: they need only the bars), `git rev-parse` for the repro
    context, and on this thread the trades frame, the trade stats, the other
    series and the tables. Their numba kernels release the GIL, so on two cores
    they run side by side. The stats are ``extended_stats(result)``'s, in parts.
    """
    # The engine's stats carry the bars per year it used (inferred once, in the run).
    ppy = result.stats.get("periods_per_year", result.config.periods_per_year)
    if ppy is None:
        ppy = infer_periods_per_year(result.bars.timestamps)
    bars = result.bars  # not result.equity: the page needs no per-bar frame
    cash = float(result.config.initial_cash)
    with ThreadPoolExecutor(3, thread_name_prefix="report") as pool:
        rolling = start_rolling_sharpe(bars.equity, cash, float(ppy), pool)
        bar_stats = pool.submit(bar_risk_stats, result)
        repro = pool.submit(_repro_now)
        trades = result.trades  # built here, once, on this thread only
        trade_stats = closed_trade_stats(result)
        run = run_payload(
            RunBars(bars.timestamps, bars.price, bars.equity),
            trades,
            {},
            symbol="result",
            strategy="backtest",
            initial_cash=cash,
            periods_per_year=float(ppy),
            params=result.params,
            violations=_violation_rows(violation_records(result.violations)),
            rolling=rolling,
        )
        run["stats"] = stats_cells(strict_stats({**trade_stats, **bar_stats.result()}))
        return {"prices": share_prices([run]), "runs": [run], "repro": repro.result()}


def frame_payload(frame: pl.DataFrame, /, *, metric: str = "sharpe") -> dict[str, Any]:
    """The page data of a sweep result frame."""
    return {"sweep": sweep_payload(frame, metric=metric), "runs": [], "repro": _repro_now()}


#: What the page says where a run's row lists no violation, by ``[invariants] mode``
#: (a ``stats.json`` written before rows had ``violations`` gets ``_RUN_NOTE``).
_NONE_NOTE: Final = {
    "strict": "none (strict mode: a violation would have stopped the run)",
    "warn": "none",
    "off": 'not checked (`[invariants] mode = "off"`)',
}
#: Keys of a ``stats.json`` row that are not stats.
_NOT_STATS: Final = frozenset({"symbol", "strategy", "params", "violations"})


def _read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}


def _repro(directory: Path) -> dict[str, Any]:
    path = directory / "repro.json"
    return ReproContext.load(path).to_dict() if path.is_file() else {"run_id": directory.name}


def _run_dir(directory: Path) -> dict[str, Any]:
    config = _read_toml(directory / "config.toml")
    backtest = config.get("backtest", {})
    initial = float(backtest.get("initial_cash", 10_000.0))
    mode = config.get("invariants", {}).get("mode", "strict")
    equity = pl.read_ipc(directory / "equity.arrow")
    trades = pl.read_parquet(directory / "trades.parquet")
    rows = json.loads((directory / "stats.json").read_text("utf-8"))["results"]
    runs = []
    for row in rows:
        symbol, strategy = row["symbol"], row["strategy"]
        mine = (pl.col("symbol") == symbol) & (pl.col("strategy") == strategy)
        eq = equity.filter(mine).drop("symbol", "strategy")
        ppy = row.get("periods_per_year", backtest.get("periods_per_year"))
        if ppy is None:
            ppy = infer_periods_per_year(eq.get_column("timestamp"))
        stats = {k: v for k, v in row.items() if k not in _NOT_STATS}
        recorded = row.get("violations")
        runs.append(
            run_payload(
                RunBars.of_frame(eq),
                trades.filter(mine).drop("symbol", "strategy"),
                stats,
                symbol=symbol,
                strategy=strategy,
                initial_cash=initial,
                periods_per_year=float(ppy) if math.isfinite(float(ppy)) else 1.0,
                params=row.get("params"),
                violations=_violation_rows(recorded or []),
                violations_note=_RUN_NOTE if recorded is None else _NONE_NOTE.get(mode, "none"),
            )
        )
    overview = None
    if len(runs) > 1:
        overview = {
            "columns": list(OVERVIEW),
            "rows": [[row.get(c) for c in OVERVIEW] for row in rows],
        }
    prices = share_prices(runs)
    return {"prices": prices, "runs": runs, "overview": overview, "repro": _repro(directory)}


def _sweep_dir(directory: Path) -> dict[str, Any]:
    toml = _read_toml(directory / "config.toml")
    config = toml.get("sweep", {})
    frame = pl.read_parquet(directory / "sweep.parquet")
    grid = list(config.get("grid", {})) or None
    sweep = sweep_payload(frame, metric=config.get("metric", "sharpe"), params=grid)
    payload = {"sweep": sweep, "runs": [], "repro": _repro(directory)}
    if (directory / WALK_FORWARD_FILE).is_file():
        metric = toml.get("walk_forward", {}).get("metric", "sharpe")
        payload["walk_forward"] = walk_forward_payload(directory / WALK_FORWARD_FILE, metric=metric)
    return payload


def dir_payload(directory: Path, /) -> dict[str, Any]:
    """The page data of a run or sweep directory.

    Raises:
        ConfigError: The directory holds neither ``sweep.parquet`` nor a run's files.
    """
    if (directory / "sweep.parquet").is_file():
        return _sweep_dir(directory)
    needed = ("equity.arrow", "trades.parquet", "stats.json")
    missing = [name for name in needed if not (directory / name).is_file()]
    if missing:
        msg = f"`{directory}` is not a run or sweep directory: no {', '.join(missing)}"
        hint = "pass a directory `peak-trade run` or `peak-trade sweep` wrote, e.g. runs/<run_id>"
        raise ConfigError(msg, hint=hint, context={"path": str(directory)})
    return _run_dir(directory)
