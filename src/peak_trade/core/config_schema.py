"""Run configs: TOML files checked against a typed schema, every problem reported at once.

A config file has the sections ``[run]``, ``[data]``, ``[cache]``, ``[backtest]``,
``[strategy]`` (or ``[[strategies]]``), ``[invariants]``, ``[logging]`` and
``[provider.retry]`` / ``[provider.circuit_breaker]``; docs/config.md lists every
key (it is generated from this schema by ``tools/gen_config_docs.py``).

Validation never stops at the first problem: unknown keys (with did-you-mean
suggestions), wrong types, out-of-range values, cross-key rules and strategy
parameters all end up in one :class:`~peak_trade.core.errors.ConfigError` whose
message has one line per problem and whose ``context["errors"]`` lists them.

Normal form: a single ``[strategy]`` table becomes a one-entry ``strategies``
tuple; datetimes become aware UTC datetimes; the log level is upper-cased;
``data.bars`` is filled for the synthetic provider; when declared parameters are
passed in, strategy parameters get their defaults. :meth:`Config.to_dict` gives
that normal form without unset (None) values, so it is TOML-compatible, and
``validate_config(cfg.to_dict()) == cfg``.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from peak_trade.core._config_issues import (
    ConfigIssue,
    Loc,
    build_error,
    from_validation_error,
    toml_error,
)
from peak_trade.core._config_models import (
    BacktestSection,
    CacheSection,
    CircuitBreakerSection,
    DataSection,
    InvariantsSection,
    LoggingSection,
    ProviderSection,
    RetrySection,
    RunSection,
    StrategySection,
    check_strategy_keys,
)
from peak_trade.core._config_strategies import ParamLike, StrategyRule, check_strategies
from peak_trade.core._config_sweep import SweepSection
from peak_trade.core._config_toml import dumps
from peak_trade.core._config_walk_forward import WalkForwardSection
from peak_trade.core.errors import ConfigError

__all__ = [
    "BacktestSection",
    "CacheSection",
    "CircuitBreakerSection",
    "Config",
    "ConfigCheck",
    "DataSection",
    "InvariantsSection",
    "LoggingSection",
    "ParamLike",
    "ProviderSection",
    "RetrySection",
    "RunSection",
    "StrategyRule",
    "StrategySection",
    "SweepSection",
    "WalkForwardSection",
    "load_config",
    "quickstart_path",
    "validate_config",
]

_log = logging.getLogger(__name__)


class Config(BaseModel):
    """A validated, frozen run configuration in normal form.

    Build it with :func:`load_config` or :func:`validate_config`, not directly.

    Example:
        >>> cfg = validate_config({
        ...     "data": {"provider": "synthetic", "symbols": ["BTC"], "timeframe": "1h"},
        ...     "strategy": {"name": "macd"},
        ... })
        >>> cfg.strategies[0].name, cfg.data.bars, cfg.backtest.fee_bps
        ('macd', 5000, 10.0)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    run: RunSection = Field(default=RunSection(), description="the run itself")
    data: DataSection = Field(description="the market data")
    cache: CacheSection = Field(default=CacheSection(), description="the data cache")
    backtest: BacktestSection = Field(default=BacktestSection(), description="the backtest engine")
    strategies: tuple[StrategySection, ...] = Field(
        min_length=1, description="the strategies to run, each on every symbol"
    )
    invariants: InvariantsSection = Field(
        default=InvariantsSection(), description="the accounting invariants"
    )
    logging: LoggingSection = Field(default=LoggingSection(), description="logging")
    provider: ProviderSection = Field(default=ProviderSection(), description="provider resilience")
    sweep: SweepSection | None = Field(
        default=None, description="a parameter sweep, for `peak-trade sweep` only"
    )
    walk_forward: WalkForwardSection | None = Field(
        default=None, description="walk-forward folds of the `[sweep]` grid"
    )

    def __init__(self, /, **data: Any) -> None:
        """Build from sections directly; any problem is one ``ConfigError``, as for a file."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            issues = from_validation_error(exc, Config)
            raise build_error(issues, source="Config(...)") from exc

    # Validation (model_validate) must not call this __init__: mark it as pydantic's
    # own, as pydantic-settings does for BaseSettings.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @field_validator("strategies")
    @classmethod
    def _distinct_keys(cls, value: tuple[StrategySection, ...]) -> tuple[StrategySection, ...]:
        return check_strategy_keys(value)

    def to_dict(self) -> dict[str, Any]:
        """The normal form as plain dicts and lists, unset (None) values left out.

        Example:
            >>> cfg = validate_config({"data": {"provider": "synthetic", "symbols": ["A"],
            ...     "timeframe": "1d"}, "strategy": {"name": "macd"}})
            >>> cfg.to_dict()["strategies"]
            [{'name': 'macd', 'params': {}}]
        """
        plain: dict[str, Any] = _plain(self.model_dump(mode="python", exclude_none=True))
        return plain

    def to_toml(self) -> str:
        """The normal form as TOML text (the resolved ``config.toml`` of a run).

        Example:
            >>> cfg = validate_config({"data": {"provider": "synthetic", "symbols": ["A"],
            ...     "timeframe": "1d"}, "strategy": {"name": "macd"}})
            >>> "[[strategies]]" in cfg.to_toml()
            True
        """
        return dumps(self.to_dict())

    def hash(self) -> str:
        """``stable_hash`` (16 hex characters) of :meth:`to_dict`: same settings, same hash.

        Example:
            >>> cfg = validate_config({"data": {"provider": "synthetic", "symbols": ["A"],
            ...     "timeframe": "1d"}, "strategy": {"name": "macd"}})
            >>> len(cfg.hash())
            16
        """
        from peak_trade.core.repro import stable_hash

        return stable_hash(self.to_dict(), root="config")


ConfigCheck = Callable[[Config], Iterable[tuple[Loc, str]]]
"""``check(config) -> [(loc, problem), ...]``: a rule core cannot know by itself.

The layers above pass these in (core imports nothing above it): building the
engine's settings, the provider or the sweep grid from the config, exactly as a run
does. Called only when the schema and the strategy parameters passed; each problem
is reported at ``loc`` (e.g. ``("data",)``) in the same one ``ConfigError``.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _strategy_form(raw: dict[str, Any]) -> tuple[bool, list[ConfigIssue]]:
    """Fold ``[strategy]`` into ``strategies``; returns (single form used, issues).

    When an issue is returned, ``strategies`` itself is not reported again.
    """
    single = raw.pop("strategy", None)
    if single is None:
        if "strategies" not in raw:
            problem = "no strategy: add a [strategy] table or [[strategies]] entries"
            return False, [ConfigIssue(("strategies",), problem)]
        return False, []
    if "strategies" in raw:
        problem = "given together with [[strategies]]; use one of the two forms"
        return False, [ConfigIssue(("strategy",), problem)]
    if not isinstance(single, Mapping):
        expected = "a table [strategy]; use [[strategies]] for several"
        return False, [ConfigIssue(("strategy",), "wrong type", expected, single)]
    raw["strategies"] = [single]
    return True, []


def validate_config(
    mapping: Mapping[str, Any],
    /,
    *,
    strategies: Mapping[str, Sequence[ParamLike]] | None = None,
    strategy_rule: StrategyRule | None = None,
    checks: Sequence[ConfigCheck] = (),
    source: str = "config",
) -> Config:
    """Check a parsed config against the schema and return it in normal form.

    Args:
        mapping: The parsed document (``tomllib`` output or an equivalent dict).
        strategies: Declared parameters by strategy name (e.g. from the strategy
            registry); when given, strategy names and parameters are checked and
            parameter defaults are filled in. When None, they are taken as written.
        strategy_rule: Cross-parameter check, called per strategy whose parameters
            passed; see :data:`~peak_trade.core._config_strategies.StrategyRule`.
        checks: Further rules run on the validated config, see :data:`ConfigCheck`.
        source: Name of the document in messages (``load_config`` passes the path).

    Raises:
        ConfigError: One error listing every problem; ``context["errors"]`` has a
            dict per problem (``path``, ``problem``, ``expected``, ``got``,
            ``suggestion``, ``allowed``).

    Example:
        >>> doc = {"data": {"provider": "synthetic", "symbols": ["A"], "timeframe": "1h"},
        ...        "backtest": {"fee_bsp": 5}, "strategy": {"name": "macd"}}
        >>> try:
        ...     validate_config(doc)
        ... except ConfigError as err:
        ...     print(err.message)
        config: 1 problem in the config
          backtest.fee_bsp: unknown key, got 5 (did you mean 'backtest.fee_bps'?)
    """
    if not isinstance(mapping, Mapping):
        msg = f"{source}: a config must be a table (mapping); got {type(mapping).__name__}"
        raise ConfigError(
            msg, hint="pass the dict tomllib.load returns", context={"source": source}
        )
    raw = dict(mapping)
    single, issues = _strategy_form(raw)

    def rewrite(loc: Loc) -> Loc:
        if single and loc[:2] == ("strategies", 0):
            return ("strategy", *loc[2:])
        return loc

    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        found = from_validation_error(exc, Config, extra_root_keys=("strategy",), rewrite=rewrite)
        hide = "strategies" if issues else None  # the form problem says it already
        issues += [issue for issue in found if issue.path != hide]
    entries = raw.get("strategies")
    resolved: list[dict[str, Any] | None] = []
    if strategies is not None and isinstance(entries, list | tuple):
        located = [(rewrite(("strategies", i)), entry) for i, entry in enumerate(entries)]
        skip = frozenset(issue.path for issue in issues)
        found, resolved = check_strategies(located, strategies, rule=strategy_rule, skip=skip)
        issues += found
    if issues:
        raise build_error(issues, source=source)
    if resolved and isinstance(entries, list | tuple):
        pairs = zip(entries, resolved, strict=True)
        filled = [{**entry, "params": params} for entry, params in pairs]
        config = Config.model_validate({**raw, "strategies": filled})
    found = [
        ConfigIssue(rewrite(loc), problem) for check in checks for loc, problem in check(config)
    ]
    if found:
        raise build_error(found, source=source)
    return config


def load_config(
    path: str | PathLike[str],
    /,
    *,
    strategies: Mapping[str, Sequence[ParamLike]] | None = None,
    strategy_rule: StrategyRule | None = None,
    checks: Sequence[ConfigCheck] = (),
) -> Config:
    """Read a TOML config file and validate it (see :func:`validate_config`).

    This is the layer-free core function: without ``strategies``, ``strategy_rule``
    and ``checks`` it checks the schema only. ``peak_trade.load_config`` (the front
    door) passes the registry and the run's own checks, as ``peak-trade run`` does.

    Raises:
        ConfigError: The file is missing or unreadable, is not UTF-8, is not valid
            TOML (the message and ``context`` give the line and column), or breaks
            the schema (every problem, in one error).

    Example:
        >>> load_config(quickstart_path()).data.provider
        'synthetic'
    """
    file = Path(path)
    source = str(file)
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        msg = f"config file `{source}` does not exist"
        hint = "check the path; `peak-trade run` without a file runs the packaged quickstart"
        raise ConfigError(msg, hint=hint, context={"source": source}, cause=exc) from exc
    except OSError as exc:
        msg = f"cannot read config file `{source}`: {exc.strerror or exc}"
        hint = "pass a readable TOML file"
        raise ConfigError(msg, hint=hint, context={"source": source}, cause=exc) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"config file `{source}` is not UTF-8 text (bad byte at offset {exc.start})"
        hint = "save the file as UTF-8"
        context = {"source": source, "offset": exc.start}
        raise ConfigError(msg, hint=hint, context=context, cause=exc) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, text, source=source) from exc
    config = validate_config(
        document, strategies=strategies, strategy_rule=strategy_rule, checks=checks, source=source
    )
    _log.debug("config.load", extra={"path": source, "strategies": len(config.strategies)})
    return config


def quickstart_path() -> Path:
    """The packaged quickstart config (synthetic data, no network, no files needed).

    Example:
        >>> quickstart_path().name
        'quickstart.toml'
    """
    return Path(__file__).resolve().parent.parent / "quickstart.toml"
