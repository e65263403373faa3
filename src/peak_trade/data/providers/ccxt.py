"""OHLCV from a ccxt exchange, paged through ``since``/``limit``.

ccxt is optional (``pip install 'peak-trade[ccxt]'``) and imported only when a
provider is built from an exchange id. ccxt's exceptions become
``ProviderError`` with ``transient`` set from their class: the mapping walks the
exception's class hierarchy by name, so it works with real ccxt and with test
doubles whose exceptions carry ccxt's class names.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any

import polars as pl

from peak_trade.core.errors import ConfigError, ProviderError
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.normalize import OHLCV_COLUMNS, normalize_ohlcv
from peak_trade.data.providers._window import as_utc, cut_window
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["CCXT_TRANSIENT", "CcxtProvider", "map_ccxt_error"]

_log = logging.getLogger(__name__)

#: ccxt exception class names and whether each is transient. The most specific
#: class in an exception's MRO that appears here decides.
CCXT_TRANSIENT: dict[str, bool] = {
    "RequestTimeout": True,
    "RateLimitExceeded": True,
    "DDoSProtection": True,
    "OnMaintenance": True,
    "ExchangeNotAvailable": True,
    "InvalidNonce": True,
    "NetworkError": True,
    "AuthenticationError": False,
    "PermissionDenied": False,
    "AccountSuspended": False,
    "BadSymbol": False,
    "BadRequest": False,
    "ArgumentsRequired": False,
    "NotSupported": False,
    "InvalidOrder": False,
    "ExchangeError": False,
    "OperationFailed": False,
    "BaseError": False,
}
_INSTALL_HINT = "install the extra: pip install 'peak-trade[ccxt]'"


def map_ccxt_error(exc: BaseException, /, *, where: str = "") -> ProviderError | None:
    """The ``ProviderError`` for a ccxt exception, or ``None`` if it is not one.

    Example:
        >>> class NetworkError(Exception): ...
        >>> class RequestTimeout(NetworkError): ...
        >>> map_ccxt_error(RequestTimeout("slow")).transient
        True
    """
    for cls in type(exc).__mro__:
        transient = CCXT_TRANSIENT.get(cls.__name__)
        if transient is None:
            continue
        kind = "transient" if transient else "permanent"
        msg = f"{where}{type(exc).__name__} ({kind}): {exc}"
        hint = (
            "retry later; wrap the provider in ResilientProvider to do it automatically"
            if transient
            else "fix the request (symbol, timeframe, credentials); retrying will not help"
        )
        return ProviderError(
            msg,
            transient=transient,
            hint=hint,
            context={"ccxt_error": type(exc).__name__, "matched": cls.__name__},
            cause=exc,
        )
    return None


class CcxtProvider:
    """Fetch OHLCV from a ccxt exchange, page by page.

    Pages start at ``since`` (ms) and ask for ``page_limit`` bars each; the next
    page starts one timeframe after the last bar seen. Paging stops at ``end``,
    on an empty page, when a page brings no bar newer than the last one (a stuck
    cursor), or after ``max_pages`` (then it raises, since the data would be
    incomplete).

    Args:
        exchange_id: A ccxt exchange id such as ``"binance"``.
        page_limit: Bars asked for per page.
        max_pages: Pages allowed in one fetch.
        **options: Passed to the ccxt exchange constructor (``apiKey``,
            ``enableRateLimit``, ``timeout``, ...).

    Raises:
        ConfigError: ccxt is not installed, or it has no such exchange.

    Example:
        >>> CcxtProvider("binance", enableRateLimit=True)  # doctest: +SKIP
    """

    def __init__(
        self,
        exchange_id: str,
        /,
        *,
        page_limit: int = 1000,
        max_pages: int = 10_000,
        **options: Any,
    ) -> None:
        try:
            ccxt = importlib.import_module("ccxt")
        except ImportError as exc:
            msg = f"CcxtProvider({exchange_id!r}) needs the ccxt package, which is not installed"
            raise ConfigError(msg, hint=_INSTALL_HINT, cause=exc) from exc
        factory = getattr(ccxt, exchange_id, None) if isinstance(exchange_id, str) else None
        if not callable(factory):
            msg = f"ccxt has no exchange {exchange_id!r}"
            raise ConfigError(
                msg, hint="see ccxt.exchanges for the ids", context={"exchange_id": exchange_id}
            )
        self._setup(factory(dict(options)), exchange_id, page_limit, max_pages)

    @classmethod
    def from_exchange(
        cls, exchange: Any, /, *, page_limit: int = 1000, max_pages: int = 10_000
    ) -> CcxtProvider:
        """Wrap an exchange object you built (or a test double with ccxt's shape).

        Example:
            >>> CcxtProvider.from_exchange(ccxt.kraken())  # doctest: +SKIP
        """
        self = cls.__new__(cls)
        self._setup(
            exchange, str(getattr(exchange, "id", type(exchange).__name__)), page_limit, max_pages
        )
        return self

    def _setup(self, exchange: Any, exchange_id: str, page_limit: int, max_pages: int) -> None:
        for name, value in (("page_limit", page_limit), ("max_pages", max_pages)):
            if not isinstance(value, int) or value < 1:
                msg = f"`{name}` must be an int >= 1; got {value!r}"
                raise ConfigError(msg, hint=f"pass a positive `{name}`")
        if not callable(getattr(exchange, "fetch_ohlcv", None)):
            msg = f"exchange {exchange!r} has no fetch_ohlcv method"
            raise ConfigError(msg, hint="pass a ccxt exchange instance")
        self.exchange = exchange
        self.exchange_id = exchange_id
        self.page_limit = page_limit
        self.max_pages = max_pages

    def __repr__(self) -> str:
        return f"CcxtProvider({self.exchange_id!r}, page_limit={self.page_limit})"

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> pl.DataFrame:
        """The bars of ``symbol`` at ``timeframe`` in ``[start, end)``.

        Without ``start`` the exchange picks the first page (usually the most
        recent bars).

        Raises:
            ProviderError: The exchange failed (``transient`` from the ccxt
                class), or paging exceeded ``max_pages``.
            DataContractError: The rows break the strict contract.

        Example:
            >>> CcxtProvider("binance").fetch_ohlcv("BTC/USDT", "1h")  # doctest: +SKIP
        """
        step_ms = int(parse_timeframe(timeframe).total_seconds() * 1000)
        since = _to_ms(start) if start is not None else None
        end_ms = _to_ms(end) if end is not None else None
        rows: list[list[Any]] = []
        last = None
        for page in range(self.max_pages):
            batch = self._page(symbol, timeframe, since)
            fresh = [r for r in batch if last is None or r[0] > last]
            if end_ms is not None:
                fresh = [r for r in fresh if r[0] < end_ms]
            if not fresh:
                if batch and (end_ms is None or batch[-1][0] < end_ms):
                    _log.info(
                        "provider.stuck_cursor",
                        extra={"exchange": self.exchange_id, "symbol": symbol, "page": page},
                    )
                break
            rows.extend(fresh)
            last = max(r[0] for r in fresh)
            since = last + step_ms
            if end_ms is not None and since >= end_ms:
                break
        else:
            msg = f"paging {symbol!r} at {timeframe!r} did not finish in {self.max_pages} pages"
            raise ProviderError(
                msg,
                transient=False,
                hint="narrow [start, end) or raise max_pages",
                context={"exchange": self.exchange_id, "rows": len(rows)},
            )
        return self._frame(rows, start, end)

    def _page(self, symbol: str, timeframe: str, since: int | None) -> list[list[Any]]:
        try:
            batch = self.exchange.fetch_ohlcv(symbol, timeframe, since=since, limit=self.page_limit)
        except Exception as exc:  # classify and re-raise: non-ccxt errors pass unchanged
            mapped = map_ccxt_error(exc, where=f"{self.exchange_id}.fetch_ohlcv({symbol!r}): ")
            if mapped is None:
                raise
            mapped.context.update(symbol=symbol, timeframe=timeframe, since=since)
            raise mapped from exc
        return list(batch or [])

    def _frame(
        self, rows: list[list[Any]], start: dt.datetime | None, end: dt.datetime | None
    ) -> pl.DataFrame:
        short = next((i for i, r in enumerate(rows) if len(r) < len(OHLCV_COLUMNS)), None)
        if short is not None:
            msg = (
                f"{self.exchange_id} returned a row with {len(rows[short])} fields; "
                f"expected [timestamp, open, high, low, close, volume]: {rows[short]!r}"
            )
            raise ProviderError(
                msg,
                transient=False,
                hint="the exchange's OHLCV format is not ccxt's; check the exchange object",
                context={"exchange": self.exchange_id, "row": short},
            )
        columns = list(zip(*rows, strict=False)) if rows else [()] * len(OHLCV_COLUMNS)
        raw = pl.DataFrame(
            [
                pl.Series(
                    name, list(values), dtype=pl.Int64 if i == 0 else pl.Float64, strict=False
                )
                for i, (name, values) in enumerate(zip(OHLCV_COLUMNS, columns, strict=False))
            ]
        )
        df = normalize_ohlcv(raw, timestamp_unit="ms", duplicates="keep_last")
        df = cut_window(df, start, end)
        validate_ohlcv(df, strict=True, require_tz=True)
        return df


def _to_ms(value: dt.datetime) -> int:
    return int(as_utc(value).timestamp() * 1000)
