"""A sweep's input: each symbol's frame loaded once, converted and checked up front."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data._frames import is_frame, short_repr, to_polars
from peak_trade.data.contracts import validate_ohlcv

__all__ = ["load_frames"]


def _fetch(source: Any, symbol: str, timeframe: str) -> Any:
    fetch = getattr(source, "fetch_ohlcv", None)
    if callable(fetch):
        return fetch(symbol, timeframe)
    if callable(source):
        return source(symbol)
    msg = f"`source` must be a provider (with fetch_ohlcv) or a callable; got {short_repr(source)}"
    raise ConfigError(
        msg, hint="pass e.g. source=SyntheticProvider()", context={"got": short_repr(source)}
    )


def _symbols(data: Any, source: Any) -> list[str]:
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        msg = f"`data` must map symbols to frames or list symbols; got {type(data).__name__}"
        raise ConfigError(msg, hint='e.g. {"BTC/USDT": df} or ["BTC/USDT"] with source=...')
    symbols = list(data)
    bad = [short_repr(s) for s in symbols if not isinstance(s, str) or not s]
    if bad:
        msg = f"symbols must be non-empty strings; got {', '.join(bad[:5])}"
        hint = "name each symbol, e.g. 'BTC/USDT'"
        if any(is_frame(s) for s in symbols):
            hint = 'pass frames keyed by symbol, e.g. {"BTC/USDT": df}'
        raise ConfigError(msg, hint=hint, context={"bad": bad[:5]})
    if source is None:
        msg = f"a list of {len(symbols)} symbols needs a `source` to load them from"
        raise ConfigError(msg, hint="pass source=<provider or cache>, or a {symbol: frame} map")
    return symbols


def load_frames(
    data: Mapping[str, Any] | Sequence[str], /, *, source: Any, timeframe: str
) -> dict[str, pl.DataFrame]:
    """Symbol -> validated polars frame, in the given order; each loaded exactly once.

    Raises:
        ConfigError: No symbols, duplicates, a non-frame, or a bad ``source``.
        DataContractError: A frame breaks the strict OHLCV contract;
            ``context["symbol"]`` names it.
    """
    if isinstance(data, Mapping):
        if source is not None:
            msg = "`source` was given with a {symbol: frame} mapping"
            raise ConfigError(msg, hint="drop `source`, or pass a list of symbols")
        raw = dict(data)
    else:
        raw = dict.fromkeys(_symbols(data, source))
        if len(raw) != len(data):
            dups = sorted({s for s in data if list(data).count(s) > 1})
            msg = f"duplicate symbols in `data`: {dups!r}"
            raise ConfigError(msg, hint="list each symbol once", context={"duplicates": dups})
        raw = {s: _fetch(source, s, timeframe) for s in raw}
    if not raw:
        raise ConfigError("sweep: `data` holds no symbols", hint="pass at least one symbol")
    frames: dict[str, pl.DataFrame] = {}
    for symbol, obj in raw.items():
        if not isinstance(symbol, str) or not symbol:
            msg = f"symbols must be non-empty strings; got {short_repr(symbol)}"
            raise ConfigError(msg, hint="key the mapping by symbol names")
        try:
            frame = to_polars(obj)
        except TypeError as exc:
            msg = f"the data of {symbol!r} is not a frame: {type(obj).__name__}"
            raise ConfigError(
                msg, hint="pass a polars/pyarrow/pandas frame", context={"symbol": symbol}
            ) from exc
        try:
            validate_ohlcv(frame, strict=True)
        except DataContractError as exc:
            exc.context.setdefault("symbol", symbol)
            raise
        frames[symbol] = frame
    return frames
