"""Write the real-layout fixture corpus (run once; the files are committed).

Each file imitates a layout found in published OHLCV downloads: a stock site's
daily export, exchange klines, FX tick-house hourly bars, pandas dumps, and so on.
The prices are a seeded random walk, so re-running writes the same bytes.

    python tests/data/real_layouts/make_corpus.py
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = dt.UTC


def _bars(
    stamps: list[dt.datetime], seed: int
) -> list[tuple[dt.datetime, float, float, float, float, int]]:
    rng = random.Random(seed)
    price = 100.0
    out = []
    for t in stamps:
        o = round(price, 4)
        c = round(o * (1 + rng.gauss(0, 0.01)), 4)
        h = round(max(o, c) * (1 + abs(rng.gauss(0, 0.003))), 4)
        lo = round(min(o, c) * (1 - abs(rng.gauss(0, 0.003))), 4)
        out.append((t, o, h, lo, c, rng.randint(100, 90_000)))
        price = c
    return out


def _every(
    start: dt.datetime,
    step: dt.timedelta,
    n: int,
    keep: Callable[[dt.datetime], bool] = lambda t: True,
) -> list[dt.datetime]:
    out, t = [], start
    while len(out) < n:
        if keep(t):
            out.append(t)
        t += step
    return out


def _weekday(t: dt.datetime) -> bool:
    return t.weekday() < 5


def _fx_session(t: dt.datetime) -> bool:
    """FX trades from Sunday 22:00 to Friday 21:00 UTC."""
    wd = t.weekday()
    if wd == 5:
        return False
    if wd == 6:
        return t.hour >= 22
    return not (wd == 4 and t.hour >= 21)


def _write(
    name: str, text: str, *, newline: str = "\n", bom: bool = False, final_newline: bool = True
) -> None:
    body = text.replace("\n", newline)
    if not final_newline:
        body = body.rstrip("\r\n")
    data = body.encode("utf-8")
    (HERE / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def _table(header: str, rows: list[str], sep: str = ",") -> str:
    return "\n".join([header.replace(",", sep), *rows]) + "\n"


def main() -> None:
    day0 = dt.datetime(2024, 1, 2, tzinfo=UTC)
    daily_wd = _bars(_every(day0, dt.timedelta(days=1), 40, _weekday), 1)
    rows = [f"{t:%Y-%m-%d},{o},{h},{lo},{c},{c * 0.98:.4f},{v}" for t, o, h, lo, c, v in daily_wd]
    _write("stock_daily_yahoo.csv", _table("Date,Open,High,Low,Close,Adj Close,Volume", rows))

    hourly = _bars(_every(dt.datetime(2024, 3, 1, tzinfo=UTC), dt.timedelta(hours=1), 48), 2)
    rows = [
        f"{t:%Y-%m-%dT%H:%M:%SZ} , {o} , {h} , {lo} , {c} , {v}" for t, o, h, lo, c, v in hourly
    ]
    _write(
        "spaced_upper_iso_z.csv", _table(" TIMESTAMP , OPEN , HIGH , LOW , CLOSE , VOLUME ", rows)
    )

    klines = _bars(_every(dt.datetime(2024, 5, 1, tzinfo=UTC), dt.timedelta(minutes=15), 48), 3)
    rows = []
    for t, o, h, lo, c, v in klines:
        ms = int(t.timestamp() * 1000)
        rows.append(f"{ms},{o},{h},{lo},{c},{v},{ms + 899_999},{v * c:.2f}")
    _write(
        "crypto_klines_epoch_ms.csv",
        _table("open_time,open,high,low,close,volume,close_time,quote_volume", rows),
    )

    fx = _bars(
        _every(dt.datetime(2024, 1, 3, 10, tzinfo=UTC), dt.timedelta(hours=1), 150, _fx_session), 4
    )
    rows = [f"{t:%d.%m.%Y %H:%M:%S}.000,{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in fx]
    _write("fx_hourly_dukascopy.csv", _table("Gmt time,Open,High,Low,Close,Volume", rows))

    offset = dt.timezone(dt.timedelta(hours=1))
    hourly2 = _bars(_every(dt.datetime(2024, 2, 5, 9, tzinfo=offset), dt.timedelta(hours=1), 30), 5)
    rows = [f"{t.isoformat()};{o};{h};{lo};{c};{v}" for t, o, h, lo, c, v in hourly2]
    _write("semicolon_iso_offset.csv", _table("Datetime,Open,High,Low,Close,Volume", rows, ";"))

    secs = _bars(_every(dt.datetime(2024, 6, 1, tzinfo=UTC), dt.timedelta(hours=4), 36), 6)
    rows = [f"{int(t.timestamp())}\t{o}\t{h}\t{lo}\t{c}\t{v}" for t, o, h, lo, c, v in secs]
    _write("tab_epoch_s.tsv", _table("time,open,high,low,close,volume", rows, "\t"))

    old = _bars(_every(dt.datetime(2003, 9, 1, tzinfo=UTC), dt.timedelta(days=1), 35, _weekday), 7)
    rows = [f"{t:%d-%b-%y}|{o}|{h}|{lo}|{c}|{v}" for t, o, h, lo, c, v in old]
    _write("pipe_month_name.txt", _table("date,open,high,low,close,volume", rows, "|"))

    naive = _bars(_every(dt.datetime(2024, 4, 1, tzinfo=UTC), dt.timedelta(minutes=30), 40), 8)
    rows = [f"{t:%Y-%m-%d %H:%M:%S},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in naive]
    _write("pandas_index_unnamed.csv", _table(",open,high,low,close,volume", rows))

    crlf = _bars(_every(dt.datetime(2024, 7, 1, tzinfo=UTC), dt.timedelta(days=1), 30), 9)
    rows = [f"{t:%Y-%m-%d},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in crlf]
    _write(
        "bom_crlf_no_final_newline.csv",
        _table("Date,Open,High,Low,Close,Volume", rows),
        newline="\r\n",
        bom=True,
        final_newline=False,
    )

    us = _bars(_every(dt.datetime(2024, 8, 1, tzinfo=UTC), dt.timedelta(minutes=1), 40), 10)
    rows = [f"{int(t.timestamp()) * 1_000_000},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in us]
    _write("epoch_us.csv", _table("timestamp,open,high,low,close,volume", rows))
    rows = [
        f"{int(t.timestamp()) * 1_000_000_000},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in us
    ]
    _write("epoch_ns.csv", _table("timestamp,open,high,low,close,volume", rows))

    newest = _bars(
        _every(dt.datetime(2024, 1, 2, tzinfo=UTC), dt.timedelta(days=1), 30, _weekday), 11
    )
    rows = [f'"{t:%b %d, %Y}",{c},{o},{h},{lo},{v}' for t, o, h, lo, c, v in reversed(newest)]
    _write("newest_first_month_name.csv", _table("Date,Close,Open,High,Low,Volume", rows))

    monthly = [dt.datetime(2020 + m // 12, m % 12 + 1, 1, tzinfo=UTC) for m in range(36)]
    rows = [f"{t:%Y-%m-%d},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in _bars(monthly, 12)]
    _write("crypto_monthly.csv", _table("Date,Open,High,Low,Close,Volume", rows))

    weekly = _bars(_every(dt.datetime(2022, 1, 3, tzinfo=UTC), dt.timedelta(weeks=1), 30), 13)
    rows = [f"{t:%Y-%m-%d},{o},{h},{lo},{c},{v}" for t, o, h, lo, c, v in weekly]
    _write("weekly.csv", _table("Date,Open,High,Low,Close,Volume", rows))

    _binary(day0)


def _binary(day0: dt.datetime) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.feather as feather

    def frame(seed: int, index: pd.DatetimeIndex) -> pd.DataFrame:
        bars = _bars(list(index.to_pydatetime()), seed)
        cols = ["Open", "High", "Low", "Close", "Volume"]
        return pd.DataFrame([b[1:] for b in bars], columns=cols, index=index)

    idx = pd.date_range("2024-01-01", periods=40, freq="h", tz="UTC")
    frame(20, idx).to_parquet(HERE / "pandas_parquet_unnamed_index.parquet")  # __index_level_0__
    named = frame(21, pd.date_range("2024-02-01", periods=40, freq="D"))
    named.index.name = "dt"  # not a known time name: found through the pandas metadata
    named.to_parquet(HERE / "pandas_parquet_named_index.parquet")
    table = pa.Table.from_pandas(frame(22, pd.date_range("2024-03-01", periods=40, freq="15min")))
    feather.write_feather(table, HERE / "pandas_index.feather")
    canonical = frame(23, pd.date_range("2024-04-01", periods=40, freq="h", tz="UTC"))
    canonical.columns = [c.lower() for c in canonical.columns]
    canonical = canonical.rename_axis("timestamp").reset_index()
    feather.write_feather(
        pa.Table.from_pandas(canonical, preserve_index=False), HERE / "canonical.arrow"
    )
    del day0


if __name__ == "__main__":
    main()
