"""Turn raw OHLCV from files and exchanges into the canonical frame.

The canonical frame has exactly the columns ``timestamp, open, high, low, close,
volume``: ``timestamp`` is ``Datetime("us", "UTC")``, the rest ``Float64``,
sorted by time, with duplicates resolved by an explicit policy.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, Literal, TypeVar, overload

import polars as pl

from peak_trade.core._options import is_one_of
from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data._frames import short_repr, to_polars
from peak_trade.data.timeframes import parse_timeframe

__all__ = ["OHLCV_COLUMNS", "infer_epoch_unit", "normalize_ohlcv", "resample_ohlcv"]

OHLCV_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
_VALUES = OHLCV_COLUMNS[1:]
_UNIT_FACTOR_TO_US = {"s": 1_000_000, "ms": 1_000, "us": 1}
_MAX_SHOWN = 5

EpochUnit = Literal["s", "ms", "us", "ns"]
Duplicates = Literal["error", "keep_last", "keep_first"]
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def infer_epoch_unit(max_abs: float, /) -> EpochUnit:
    """Guess the unit of epoch numbers from their largest magnitude.

    Below ``1e11`` the values are seconds (``1e11`` s is the year 5138), below
    ``1e14`` milliseconds, below ``1e17`` microseconds, else nanoseconds. So
    any time from 1973 to 5138 is read right in every unit.

    Example:
        >>> infer_epoch_unit(1_700_000_000_000)
        'ms'
    """
    if max_abs < 1e11:
        return "s"
    if max_abs < 1e14:
        return "ms"
    if max_abs < 1e17:
        return "us"
    return "ns"


def _unparsed(
    raw: pl.Series, parsed: pl.Series, what: str, column: str, hint: str | None = None
) -> None:
    """Raise when ``parsed`` lost values that ``raw`` had."""
    bad = raw.is_not_null() & parsed.is_null()
    count = int(bad.sum())
    if not count:
        return
    rows = bad.arg_true().head(_MAX_SHOWN).to_list()
    values = [raw[i] for i in rows]
    msg = (
        f"{count} values of `{column}` could not be parsed as {what}; "
        f"first at row {rows[0]}: {values[0]!r}"
    )
    raise DataContractError(
        msg,
        hint=hint
        or f"clean or drop those rows, or map the right column to `{column}` with column_map",
        context={"column": column, "count": count, "rows": rows, "values": values},
    )


def _epoch_to_us(raw: pl.Series, unit: EpochUnit | None) -> pl.Series:
    is_float = raw.dtype.is_float()
    present = raw.fill_nan(None) if is_float else raw
    values = present.cast(pl.Float64) if is_float else present.cast(pl.Int64, strict=False)
    largest = values.abs().max()
    biggest = float(largest) if isinstance(largest, int | float) else None
    chosen: EpochUnit = unit or (infer_epoch_unit(biggest) if biggest is not None else "ms")
    factor = _UNIT_FACTOR_TO_US.get(chosen)
    if biggest is not None and factor is not None and biggest * factor >= 2.0**63:
        msg = (
            f"epoch values of `timestamp` up to {biggest:.6g} overflow a datetime "
            f"when read as unit {chosen!r}"
        )
        raise DataContractError(
            msg,
            hint="pass the right timestamp_unit, or None to infer it",
            context={"unit": chosen, "max_abs": biggest},
        )
    if factor is None:  # nanoseconds: truncate to microseconds
        micros = values // 1_000 if not is_float else (values / 1_000).round(0)
    else:
        micros = values * factor if not is_float else (values * factor).round(0)
    out = micros.cast(pl.Int64, strict=False).cast(pl.Datetime("us"))
    _unparsed(present, out, f"epoch {chosen}", "timestamp")
    return out.dt.replace_time_zone("UTC")


def _parse_timestamps(raw: pl.Series, *, unit: EpochUnit | None, tz: str) -> pl.Series:
    dtype = raw.dtype
    if isinstance(dtype, pl.Datetime):
        stamps = raw if dtype.time_zone is not None else raw.dt.replace_time_zone(tz)
    elif dtype == pl.Date:
        stamps = raw.cast(pl.Datetime("us")).dt.replace_time_zone(tz)
    elif dtype.is_integer() or dtype.is_float():
        return _epoch_to_us(raw, unit)
    elif dtype == pl.String:
        stamps = raw.str.strip_chars().str.to_datetime(time_unit="us", time_zone=tz, strict=False)
        _unparsed(
            raw,
            stamps,
            "ISO-8601 datetimes",
            "timestamp",
            hint="write every time in one ISO-8601 format (the first value sets it), "
            "e.g. 2024-01-01T00:00:00Z",
        )
    else:
        msg = f"`timestamp` has dtype {dtype}; expected datetimes, epoch numbers or strings"
        raise DataContractError(
            msg, hint="cast or map the time column", context={"dtype": str(dtype)}
        )
    return stamps.dt.convert_time_zone("UTC").dt.cast_time_unit("us")


def _renamed(df: pl.DataFrame, column_map: dict[str, str] | None) -> pl.DataFrame:
    lowered = [c.lower() for c in df.columns]
    mapping = {k.lower(): v for k, v in (column_map or {}).items()}
    targets = [mapping.get(c, c) for c in lowered]
    seen: dict[str, str] = {}
    for original, target in zip(df.columns, targets, strict=True):
        if target in seen:
            msg = f"columns {seen[target]!r} and {original!r} both become `{target}`"
            raise DataContractError(
                msg,
                hint="drop one of them or map them apart with column_map",
                context={"columns": df.columns, "target": target},
            )
        seen[target] = original
    df = df.rename(dict(zip(df.columns, targets, strict=True)))
    missing = [c for c in OHLCV_COLUMNS if c not in df.columns]
    if missing:
        msg = f"missing columns {missing} after mapping; found {df.columns}"
        raise DataContractError(
            msg,
            hint="map your names onto the canonical ones, e.g. column_map={'time': 'timestamp'}",
            context={"missing": missing, "columns": df.columns},
        )
    return df


def _resolve_duplicates(df: pl.DataFrame, duplicates: Duplicates) -> pl.DataFrame:
    ts = df.get_column("timestamp")
    repeated = ts.is_duplicated() & ts.is_not_null()
    count = int(repeated.sum())
    if not count:
        return df
    if duplicates == "error":
        first = repeated.arg_true()[0]
        msg = f"{count} rows share a timestamp with another row; first at {ts[first]}"
        raise DataContractError(
            msg,
            hint='pick a policy: normalize_ohlcv(df, duplicates="keep_last")',
            context={"count": count, "first_timestamp": ts[first]},
        )
    keep: Literal["first", "last"] = "last" if duplicates == "keep_last" else "first"
    return df.unique(subset="timestamp", keep=keep, maintain_order=True)


@overload
def normalize_ohlcv(
    df: pl.DataFrame,
    /,
    *,
    column_map: dict[str, str] | None = ...,
    timestamp_unit: EpochUnit | None = ...,
    tz: str = ...,
    duplicates: Duplicates = ...,
) -> pl.DataFrame: ...


@overload
def normalize_ohlcv(
    df: pl.LazyFrame,
    /,
    *,
    column_map: dict[str, str] | None = ...,
    timestamp_unit: EpochUnit | None = ...,
    tz: str = ...,
    duplicates: Duplicates = ...,
) -> pl.LazyFrame: ...


@overload
def normalize_ohlcv(
    df: Any,
    /,
    *,
    column_map: dict[str, str] | None = ...,
    timestamp_unit: EpochUnit | None = ...,
    tz: str = ...,
    duplicates: Duplicates = ...,
) -> pl.DataFrame: ...


def normalize_ohlcv(
    df: Any,
    /,
    *,
    column_map: dict[str, str] | None = None,
    timestamp_unit: EpochUnit | None = None,
    tz: str = "UTC",
    duplicates: Duplicates = "error",
) -> pl.DataFrame | pl.LazyFrame:
    """Lowercase, map, parse, cast, sort and deduplicate an OHLCV frame.

    Column names are lowercased, then ``column_map`` (matched case-insensitively)
    renames them; only the six canonical columns are kept. Timestamps may be
    datetimes, epoch numbers (``timestamp_unit`` or, when ``None``, the unit
    :func:`infer_epoch_unit` picks from the largest magnitude) or ISO-8601
    strings; strings with an offset are converted, naive times and strings are
    read in ``tz``. The result is always in UTC. Values become ``Float64``.
    Rows are sorted stably by time; ``duplicates`` decides what happens to rows
    sharing a timestamp (``keep_last`` keeps the later one in input order).

    A LazyFrame is collected once (parsing checks and unit inference need the
    data) and returned as a LazyFrame over the result. A pyarrow Table or a
    pandas DataFrame (its DatetimeIndex becomes the ``timestamp`` column) gives
    a polars DataFrame.

    Raises:
        DataContractError: A column is missing, two columns collide, values or
            timestamps cannot be parsed, or duplicates exist under ``"error"``.
        ConfigError: An option is invalid.
        TypeError: ``df`` is not a frame.

    Example:
        >>> raw = pl.DataFrame({"Time": [1_700_000_060_000, 1_700_000_000_000],
        ...     "O": [1, 2], "H": [1, 2], "L": [1, 2], "C": [1, 2], "V": [5, 6]})
        >>> out = normalize_ohlcv(raw, column_map={"time": "timestamp", "o": "open",
        ...     "h": "high", "l": "low", "c": "close", "v": "volume"})
        >>> out["open"].to_list()
        [2.0, 1.0]
    """
    _check_options(timestamp_unit, tz, duplicates)
    lazy = isinstance(df, pl.LazyFrame)
    frame = _collect(df) if isinstance(df, pl.LazyFrame) else to_polars(df)
    frame = _renamed(frame, column_map).select(OHLCV_COLUMNS)
    columns = [_parse_timestamps(frame.get_column("timestamp"), unit=timestamp_unit, tz=tz)]
    for name in _VALUES:
        raw = frame.get_column(name)
        values = raw.cast(pl.Float64, strict=False)
        _unparsed(raw, values, "numbers", name)
        columns.append(values)
    out = pl.DataFrame(columns).sort("timestamp", maintain_order=True, nulls_last=True)
    out = _resolve_duplicates(out, duplicates)
    return out.lazy() if lazy else out


def _collect(df: pl.LazyFrame) -> pl.DataFrame:
    try:
        return df.collect()
    except pl.exceptions.PolarsError as exc:
        msg = f"the LazyFrame given to normalize_ohlcv failed to collect: {exc}"
        raise DataContractError(msg, hint="check the query and its source", cause=exc) from exc


def _check_options(unit: Any, tz: Any, duplicates: Any) -> None:
    problems = []
    if unit is not None and not is_one_of(unit, ("s", "ms", "us", "ns")):
        got = short_repr(unit)
        problems.append(f"`timestamp_unit` must be None, 's', 'ms', 'us' or 'ns'; got {got}")
    if not is_one_of(duplicates, ("error", "keep_last", "keep_first")):
        got = short_repr(duplicates)
        problems.append(f"`duplicates` must be 'error', 'keep_last' or 'keep_first'; got {got}")
    try:
        if not isinstance(tz, str):
            raise TypeError(tz)
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(f"`tz` must be an IANA time zone such as 'UTC'; got {short_repr(tz)}")
    if problems:
        msg = "invalid normalize_ohlcv options: " + "; ".join(problems)
        raise ConfigError(msg, hint="see the normalize_ohlcv docstring")


@overload
def resample_ohlcv(df: FrameT, /, every: str) -> FrameT: ...


@overload
def resample_ohlcv(df: Any, /, every: str) -> pl.DataFrame: ...


def resample_ohlcv(df: Any, /, every: str) -> pl.DataFrame | pl.LazyFrame:
    """Resample a canonical OHLCV frame to a coarser timeframe.

    Windows of length ``every`` (a timeframe like ``"4h"``) start at multiples of
    it since the Unix epoch, in UTC; each keeps the first open, the highest high,
    the lowest low, the last close and the summed volume. Windows without bars
    are left out. Returns a LazyFrame for a LazyFrame, else a DataFrame (pyarrow
    and pandas input is converted as everywhere, see docs/errors.md).

    Raises:
        ConfigError: ``every`` is not a timeframe.
        DataContractError: A canonical column is missing.

    Example:
        >>> hourly = synthetic_ohlcv(48, timeframe="1h")  # doctest: +SKIP
        >>> resample_ohlcv(hourly, "1d").height  # doctest: +SKIP
        2
    """
    step = parse_timeframe(every)
    if isinstance(df, pl.LazyFrame):
        _require_canonical(df.collect_schema().names())
        return _resample(df, step)
    frame = to_polars(df)
    _require_canonical(frame.columns)
    return _resample(frame, step)


def _require_canonical(names: list[str]) -> None:
    missing = [c for c in OHLCV_COLUMNS if c not in names]
    if missing:
        msg = f"resample_ohlcv needs the canonical columns; missing {missing}"
        raise DataContractError(
            msg, hint="run normalize_ohlcv first", context={"missing": missing, "columns": names}
        )


def _resample(df: FrameT, step: dt.timedelta) -> FrameT:
    return (
        df.sort("timestamp")
        .group_by_dynamic("timestamp", every=step, closed="left", label="left")
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
        )
    )
