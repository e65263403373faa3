"""Steps 2 to 5 of a run for one symbol: fetch, normalise, validate, cache."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import polars as pl

from peak_trade.core.config_schema import Config
from peak_trade.data.cache import CacheKey, OhlcvCache
from peak_trade.data.circuit_breaker import CircuitBreaker
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.normalize import normalize_ohlcv
from peak_trade.data.providers.base import Provider
from peak_trade.data.providers.ccxt import CcxtProvider
from peak_trade.data.providers.file import FileProvider
from peak_trade.data.providers.resilient import ResilientProvider
from peak_trade.data.providers.synthetic import SyntheticProvider
from peak_trade.data.reader import infer_calendar
from peak_trade.data.retry import RetryPolicy

__all__ = ["build_cache", "build_provider", "file_provider", "load_symbol"]

_log = logging.getLogger(__name__)


def build_provider(config: Config, /) -> Provider:
    """The configured provider, wrapped in retries and a circuit breaker.

    Example:
        >>> build_provider(load_config(quickstart_path()))  # doctest: +SKIP
    """
    data = config.data
    inner: Provider
    if data.provider == "synthetic":
        inner = SyntheticProvider(seed=config.run.seed, bars=data.bars or 0)
    elif data.provider == "file":
        inner = file_provider(config)
    else:
        inner = CcxtProvider(data.exchange or "")
    retry_cfg = config.provider.retry
    retry = RetryPolicy(
        max_attempts=retry_cfg.max_attempts,
        base_delay=retry_cfg.base_delay,
        max_delay=retry_cfg.max_delay,
        multiplier=retry_cfg.multiplier,
        jitter=retry_cfg.jitter,
        deadline=retry_cfg.deadline,
    )
    cb = config.provider.circuit_breaker
    breaker = CircuitBreaker(
        f"{data.provider}",
        failure_threshold=cb.failure_threshold,
        recovery_timeout=cb.recovery_timeout,
        half_open_max_calls=cb.half_open_max_calls,
        failure_on=retry.should_retry,
    )
    return ResilientProvider(inner, retry=retry, breaker=breaker)


def file_provider(config: Config, /) -> FileProvider:
    """The ``file`` provider of the ``[data]`` section (no retries: files are not flaky).

    Example:
        >>> file_provider(load_config("files.toml")).files  # doctest: +SKIP
        {'AAPL': PosixPath('data/AAPL.csv')}
    """
    d = config.data
    pattern = d.pattern or ("{symbol}_{timeframe}.{ext}" if d.timeframe else "{symbol}.{ext}")
    files = dict(zip(d.symbols, d.files, strict=True)) if d.files is not None else None
    return FileProvider(
        d.path or ".",
        pattern=pattern,
        files=files,
        columns=d.columns,
        timestamp=d.timestamp,
        format=d.format,
        tz=d.tz or "UTC",
        duplicates=d.duplicates,
    )


def build_cache(config: Config, /) -> OhlcvCache:
    """The configured OHLCV cache (``cache.dir`` relative to the working directory).

    Example:
        >>> build_cache(load_config(quickstart_path())).root.name  # doctest: +SKIP
        '.peak_trade_cache'
    """
    c = config.cache
    checksum = None if c.checksum == "none" else c.checksum
    return OhlcvCache(Path(c.dir), format=c.format, checksum=checksum)


def _cache_key(config: Config, symbol: str, timeframe: str | None = None) -> CacheKey:
    """The cache key: the request (source, window, seed and bars) plus symbol and timeframe."""
    d = config.data
    parts: list[str] = [d.provider]
    if d.provider == "synthetic":
        parts += [f"seed{config.run.seed}", f"bars{d.bars}"]
    elif d.exchange is not None:
        parts.append(d.exchange)
    for bound in (d.start, d.end):
        parts.append("-" if bound is None else bound.strftime("%Y%m%dT%H%M%S"))
    return ("_".join(parts), symbol, timeframe or d.timeframe or "auto")


def load_symbol(
    config: Config, provider: Provider, cache: OhlcvCache, symbol: str, /
) -> pl.DataFrame:
    """The bars of ``symbol``, validated and read back checksum-verified from the cache.

    A cache hit skips the provider (``file`` data is always re-read, since the
    file may have changed); a miss fetches, normalises, validates, puts.

    Raises:
        ProviderError: The fetch failed after the retries.
        DataContractError: The bars break the strict contract.
        CacheCorruptionError: The cached entry fails its checksum.

    Example:
        >>> load_symbol(cfg, provider, cache, "BTC/USDT").height  # doctest: +SKIP
        4000
    """
    d = config.data
    key = _cache_key(config, symbol)
    if d.provider != "file" and cache.exists(key):
        df = cache.get(key, verify=True)
        _log.info("run.cache_hit", extra={"symbol": symbol, "rows": df.height})
        return df
    started = time.perf_counter()
    raw = provider.fetch_ohlcv(symbol, d.timeframe, d.start, d.end)  # type: ignore[arg-type]  # `file` infers a None timeframe
    _log.info(
        "run.fetch",
        extra={"symbol": symbol, "rows": raw.height, "seconds": time.perf_counter() - started},
    )
    if d.provider == "file":  # read_ohlcv gave the canonical, validated frame
        df = raw
        key = _cache_key(config, symbol, _timeframe_of(df))
    else:
        df = normalize_ohlcv(raw, duplicates=d.duplicates)
        _log.info("run.normalize", extra={"symbol": symbol, "rows": df.height})
        validate_ohlcv(df, strict=True, require_tz=True)
    _log.info("run.validate", extra={"symbol": symbol, "rows": df.height, "ok": True})
    path = cache.put(key, df, validate=False)  # just validated
    out = cache.get(key, verify=True)
    _log.info("run.cache_put", extra={"symbol": symbol, "path": str(path), "verified": True})
    return out


def _timeframe_of(df: pl.DataFrame) -> str:
    calendar = infer_calendar(df.get_column("timestamp"))
    return calendar.timeframe if calendar is not None else "auto"
