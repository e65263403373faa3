"""The pydantic models behind each section of a peak_trade config file.

Every model forbids unknown keys and is frozen. Scalars are strict (no ``"10"`` for
10, no ``true`` for 1) except that an integer is accepted where a float is
expected. Rules that tie several keys of a section together are checked in one
validator per section, which reports all of them as one ``config_rules`` error;
:mod:`peak_trade.core._config_issues` unpacks it into one issue per key.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "BacktestSection",
    "CacheSection",
    "CircuitBreakerSection",
    "DataSection",
    "InvariantsSection",
    "LoggingSection",
    "ProviderSection",
    "RetrySection",
    "RunSection",
    "StrategySection",
    "SYNTHETIC_BARS",
    "check_strategy_keys",
    "rules_error",
]

SYNTHETIC_BARS = 5_000
_TIMEFRAME = re.compile(r"(\d+)([smhdw])\Z")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _timeframe(value: str) -> str:
    match = _TIMEFRAME.match(value)
    if match is None or int(match.group(1)) == 0:
        raise PydanticCustomError(
            "timeframe", "expected a positive count and a unit (s, m, h, d, w), like '1h'"
        )
    return value


def _utc_datetime(value: Any) -> dt.datetime:
    """A TOML datetime (or date) as an aware UTC datetime; naive ones are taken as UTC."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise PydanticCustomError("datetime_type", "expected a TOML datetime or date (unquoted)")


def _param_value(value: Any) -> bool | int | float | str:
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "expected a finite number")
    if isinstance(value, bool | int | float | str):
        return value
    raise PydanticCustomError("param_type", "expected a number, boolean or string")


def _distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise PydanticCustomError(
            "repeated", "repeats {repeated}; expected distinct values", {"repeated": repeated}
        )
    return values


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Timeframe = Annotated[StrictStr, AfterValidator(_timeframe)]
UtcDatetime = Annotated[dt.datetime, PlainValidator(_utc_datetime)]
ParamValue = Annotated[bool | int | float | str, PlainValidator(_param_value)]
Name = Annotated[StrictStr, Field(min_length=1)]


def rules_error(rules: list[dict[str, Any]]) -> PydanticCustomError:
    """One error carrying several cross-key problems (dicts: loc, problem, expected, got)."""
    summary = "; ".join(str(r["problem"]) for r in rules)
    return PydanticCustomError("config_rules", "{summary}", {"summary": summary, "rules": rules})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RunSection(_Section):
    """Names the run, seeds every random generator and says where results go."""

    name: Name = Field(default="peak-trade", description="label of the run, shown in the summary")
    seed: StrictInt = Field(
        default=0,
        ge=0,
        lt=2**32,
        description="seed for Python, numpy, numba and the synthetic data",
    )
    output_dir: Name = Field(default="runs", description="results go to `<output_dir>/<run_id>/`")


class DataSection(_Section):
    """Where the OHLCV bars come from and how they are cleaned."""

    provider: Literal["synthetic", "file", "ccxt"] = Field(
        description="`synthetic` needs no network or files; `ccxt` needs the `ccxt` extra"
    )
    symbols: Annotated[tuple[Name, ...], AfterValidator(_distinct)] = Field(
        min_length=1, description="symbols to fetch; no repeats (`file`: default the file stems)"
    )
    timeframe: Timeframe | None = Field(
        default=None,
        description="bar length: a count and a unit s/m/h/d/w; `file` infers it when unset",
    )
    start: UtcDatetime | None = Field(
        default=None, description="first bar time, inclusive (TOML datetime; naive means UTC)"
    )
    end: UtcDatetime | None = Field(
        default=None, description="last bar time, exclusive; must be after `start`"
    )
    path: Name | None = Field(
        default=None, description="data directory; required by `file`, only for it"
    )
    pattern: Name | None = Field(
        default=None,
        description="file name pattern with `{symbol}`, optional `{timeframe}`, `{ext}` (`file`)",
    )
    files: Annotated[tuple[Name, ...], AfterValidator(_distinct)] | None = Field(
        default=None, description="data files, one per symbol, in `symbols` order (`file` only)"
    )
    columns: dict[StrictStr, StrictStr] | None = Field(
        default=None, description='file column -> canonical name, e.g. `{Close = "close"}`'
    )
    timestamp: Name | None = Field(default=None, description="the files' time column (`file`)")
    format: Name | None = Field(
        default=None, description="strftime format of the time text, e.g. `%d.%m.%Y` (`file`)"
    )
    tz: Name | None = Field(
        default=None, description="time zone of naive file times, UTC when unset (`file`)"
    )
    periods_per_year: dict[StrictStr, StrictFloat] | None = Field(
        default=None, description="bars per year by symbol; overrides `backtest.periods_per_year`"
    )
    exchange: Name | None = Field(
        default=None,
        description="ccxt exchange id, e.g. `binance`; required by `ccxt`, only for it",
    )
    bars: StrictInt | None = Field(
        default=None,
        ge=1,
        description=f"bars per symbol; `synthetic` only, where it defaults to {SYNTHETIC_BARS}",
    )
    duplicates: Literal["error", "keep_last", "keep_first"] = Field(
        default="error", description="what to do with repeated timestamps"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_bars(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("provider") == "synthetic" and "bars" not in data:
            return {**data, "bars": SYNTHETIC_BARS}
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, list | tuple) and "symbols" not in data:
            stems = [f.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0] for f in files]
            return {**data, "symbols": stems}
        return data

    @model_validator(mode="after")
    def _check_rules(self) -> DataSection:
        rules: list[dict[str, Any]] = []
        owners = {"path": "file", "pattern": "file", "exchange": "ccxt", "bars": "synthetic"}
        owners |= dict.fromkeys(("files", "columns", "timestamp", "format", "tz"), "file")
        for key, owner in owners.items():
            value = getattr(self, key)
            if value is not None and self.provider != owner:
                problem = f"only used by provider {owner!r}, not {self.provider!r}"
                rules.append(_rule(key, problem, "no value", value))
        for key in ("path", "exchange"):
            if getattr(self, key) is None and self.provider == owners[key]:
                if key == "path" and self.files is not None:
                    continue  # listed files need no directory
                problem = f"required by provider {self.provider!r}"
                rules.append(_rule(key, problem, "a non-empty string", None))
        if self.timeframe is None and self.provider != "file":
            problem = f"required by provider {self.provider!r} (only `file` infers it)"
            rules.append(_rule("timeframe", problem, "a timeframe like '1h'", None))
        unknown = sorted(set(self.periods_per_year or {}) - set(self.symbols))
        bad = sorted(k for k, v in (self.periods_per_year or {}).items() if not v > 0)
        if unknown or bad:
            problem = f"names symbols not in data.symbols {unknown}" if unknown else "needs > 0"
            rules.append(
                _rule("periods_per_year", problem, "symbol = bars per year > 0", unknown or bad)
            )
        if self.files is not None and len(self.files) != len(self.symbols):
            problem = f"lists {len(self.files)} files for {len(self.symbols)} symbols"
            rules.append(_rule("files", problem, "one file per symbol", list(self.files)))
        if self.start is not None and self.end is not None and self.end <= self.start:
            expected = f"after data.start ({self.start.isoformat()})"
            rules.append(_rule("end", "is not after data.start", expected, self.end))
        if rules:
            raise rules_error(rules)
        return self


class CacheSection(_Section):
    """The on-disk cache of fetched data: atomic writes, checksummed reads."""

    dir: Name = Field(default=".peak_trade_cache", description="cache directory")
    format: Literal["arrow", "parquet"] = Field(
        default="arrow", description="file format of entries"
    )
    checksum: Literal["xxh3", "sha256", "hmac-sha256", "none"] = Field(
        default="xxh3", description="checksum of each entry; `none` turns verification off"
    )
    key_env: Name | None = Field(
        default=None,
        description="environment variable holding the HMAC key; required by `hmac-sha256`",
    )

    @model_validator(mode="after")
    def _check_rules(self) -> CacheSection:
        rules: list[dict[str, Any]] = []
        if self.checksum == "hmac-sha256" and self.key_env is None:
            problem = "required by checksum 'hmac-sha256' (keys never go in the file)"
            rules.append(_rule("key_env", problem, "an environment variable name", None))
        if self.checksum != "hmac-sha256" and self.key_env is not None:
            problem = f"only used by checksum 'hmac-sha256', not {self.checksum!r}"
            rules.append(_rule("key_env", problem, "no value", self.key_env))
        if rules:
            raise rules_error(rules)
        return self


class BacktestSection(_Section):
    """Costs, sizing and fill timing: the fields of `BacktestConfig`."""

    initial_cash: StrictFloat = Field(default=10_000.0, gt=0, description="starting cash")
    fee_bps: StrictFloat = Field(
        default=10.0, ge=0, lt=1000, description="fee, basis points of notional"
    )
    slippage_bps: StrictFloat = Field(
        default=5.0, ge=0, lt=1000, description="slippage, basis points"
    )
    execution: Literal["next_open", "close"] = Field(
        default="next_open", description="fill a bar's signal at the next open or at its close"
    )
    position_fraction: StrictFloat = Field(
        default=1.0, gt=0, le=1, description="share of equity a target exposure of 1 commits"
    )
    allow_short: StrictBool = Field(default=False, description="accept negative target exposures")
    close_at_end: StrictBool = Field(
        default=False, description="close open positions at the last bar"
    )
    periods_per_year: StrictFloat | None = Field(
        default=None, gt=0, description="bars per year for annualised stats; unset infers it"
    )
    stop_loss: StrictFloat | None = Field(
        default=None,
        gt=0,
        description="exit at this fraction of the entry price against the position",
    )
    take_profit: StrictFloat | None = Field(
        default=None, gt=0, description="exit at this fraction of the entry price in its favour"
    )
    trailing_stop: StrictFloat | None = Field(
        default=None, gt=0, description="exit at this fraction off the best price since entry"
    )


class StrategySection(_Section):
    """One strategy: a registered name and its parameters."""

    name: Name = Field(description="registered strategy name (`peak-trade list-strategies`)")
    label: Name | None = Field(
        default=None, description="distinct name in results; needed when a strategy appears twice"
    )
    params: dict[StrictStr, ParamValue] = Field(
        default_factory=dict, description="parameters; unset ones take the declared defaults"
    )

    @property
    def key(self) -> str:
        """The label, or the name when there is no label."""
        return self.label if self.label is not None else self.name


class InvariantsSection(_Section):
    """The accounting invariants every backtest proves (see docs/invariants.md)."""

    mode: Literal["strict", "warn", "off"] = Field(
        default="strict", description="`strict` raises, `warn` logs and records, `off` skips"
    )
    timing: Literal["every_bar", "end"] = Field(
        default="every_bar", description="check inside the simulation or over the finished result"
    )
    abs_tol: StrictFloat = Field(
        default=1e-6,
        ge=0,
        description="absolute tolerance in cash units (cash >= -tol, reconciliation)",
    )
    rel_tol: StrictFloat = Field(
        default=1e-9,
        ge=0,
        description="relative tolerance of the accounting identity, times max(1, |equity|)",
    )
    max_leverage: StrictFloat | None = Field(
        default=None,
        gt=0,
        description=(
            "largest |position x price| / equity allowed; unset derives it: "
            "1 long-only, unbounded with `allow_short`"
        ),
    )


class LoggingSection(_Section):
    """What the run logs and in which format (the file log is always JSON lines)."""

    level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
    ] = Field(default="INFO", description="lowest level printed; case-insensitive")
    format: Literal["text", "json"] = Field(default="text", description="format of the console log")


class RetrySection(_Section):
    """Retries of transient provider faults, with capped exponential backoff."""

    max_attempts: StrictInt = Field(
        default=5, ge=1, description="attempts in total, the first included"
    )
    base_delay: StrictFloat = Field(default=0.5, ge=0, description="cap of the first wait, seconds")
    max_delay: StrictFloat = Field(
        default=30.0, ge=0, description="largest cap of any wait, seconds"
    )
    multiplier: StrictFloat = Field(default=2.0, ge=1, description="growth of the cap per retry")
    jitter: Literal["full", "none"] = Field(
        default="full", description="`full` waits uniformly in [0, cap]; `none` waits the cap"
    )
    deadline: StrictFloat | None = Field(
        default=None, gt=0, description="seconds after which no retry starts; unset means none"
    )


class CircuitBreakerSection(_Section):
    """Stops calling a provider that keeps failing, and probes it later."""

    failure_threshold: StrictInt = Field(
        default=5, ge=1, description="consecutive failures that open it"
    )
    recovery_timeout: StrictFloat = Field(
        default=30.0, ge=0, description="seconds open before a probe is allowed"
    )
    half_open_max_calls: StrictInt = Field(
        default=1, ge=1, description="probes let through at a time"
    )


class ProviderSection(_Section):
    """Resilience around the data provider."""

    retry: RetrySection = Field(default=RetrySection(), description="the retry policy")
    circuit_breaker: CircuitBreakerSection = Field(
        default=CircuitBreakerSection(), description="the circuit breaker"
    )


def _rule(key: str, problem: str, expected: str, got: Any) -> dict[str, Any]:
    return {"loc": (key,), "problem": problem, "expected": expected, "got": got}


def check_strategy_keys(entries: tuple[StrategySection, ...]) -> tuple[StrategySection, ...]:
    """Raise a ``config_rules`` error when two entries share a label (or unlabelled name)."""
    rules: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if entry.key in seen:
            problem = f"{entry.key!r} already names strategies[{seen[entry.key]}]"
            rule = {"loc": (index, "label"), "problem": problem, "got": entry.label}
            rules.append({**rule, "expected": "a distinct label"})
        seen.setdefault(entry.key, index)
    if rules:
        raise rules_error(rules)
    return entries
