"""Broken copies of the real layouts: each failure names the file's line (header = 1),
the column and the text; ambiguous detection names the candidates and the option."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.data.contracts import validate_ohlcv
from peak_trade.data.reader import read_ohlcv

CORPUS = Path(__file__).resolve().parent / "real_layouts"


def _lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8-sig").splitlines()


def _edit(tmp_path: Path, name: str, line: int, edit, *, sep: str = ",") -> Path:
    """A copy of ``name`` with file line ``line`` (1-based) changed by ``edit(fields)``."""
    lines = _lines(name)
    fields = lines[line - 1].split(sep)
    lines[line - 1] = sep.join(edit(fields))
    out = tmp_path / name
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _set(position: int, text: str):
    def edit(fields: list[str]) -> list[str]:
        fields[position] = text
        return fields

    return edit


@pytest.mark.smoke
def test_a_non_number_names_line_column_and_text(tmp_path):
    path = _edit(tmp_path, "stock_daily_yahoo.csv", 21, _set(4, "abc"))
    with pytest.raises(
        DataContractError, match=re.escape("line 21, column Close: 'abc' is not a number")
    ):
        read_ohlcv(path)


@pytest.mark.parametrize(
    ("name", "line", "position", "column", "sep"),
    [
        ("crypto_klines_epoch_ms.csv", 9, 3, "low", ","),
        ("fx_hourly_dukascopy.csv", 30, 1, "Open", ","),
        ("semicolon_iso_offset.csv", 12, 5, "Volume", ";"),
        ("tab_epoch_s.tsv", 7, 2, "high", "\t"),
        ("pipe_month_name.txt", 33, 4, "close", "|"),
        ("pandas_index_unnamed.csv", 40, 3, "low", ","),
    ],
)
def test_each_layout_names_the_bad_number(tmp_path, name, line, position, column, sep):
    path = _edit(tmp_path, name, line, _set(position, "n/a"), sep=sep)
    with pytest.raises(
        DataContractError, match=re.escape(f"line {line}, column {column}: 'n/a' is not a number")
    ):
        read_ohlcv(path)


def test_an_extra_field_names_the_line_and_the_counts(tmp_path):
    path = _edit(tmp_path, "weekly.csv", 5, lambda f: [*f, "7"])
    with pytest.raises(DataContractError, match=re.escape("line 5: 7 fields, expected 6")) as info:
        read_ohlcv(path)
    assert info.value.context["line"] == 5


def test_a_missing_field_in_the_middle_is_not_called_torn(tmp_path):
    path = _edit(tmp_path, "weekly.csv", 10, lambda f: f[:4])
    with pytest.raises(DataContractError, match=r"line 10: 4 fields, expected 6") as info:
        read_ohlcv(path)
    assert "half-written" not in info.value.message


def test_a_torn_last_line_is_named(tmp_path):
    text = (CORPUS / "weekly.csv").read_text()
    path = tmp_path / "weekly.csv"
    path.write_text(text[: text.rstrip("\n").rfind(",") - 3])
    with pytest.raises(
        DataContractError, match=r"line 31: 5 fields, expected 6; the last line is cut short"
    ):
        read_ohlcv(path)


def test_a_bad_time_names_the_line_and_the_format(tmp_path):
    path = _edit(tmp_path, "fx_hourly_dukascopy.csv", 17, _set(0, "31.02.2024 10:00:00.000"))
    msg = (
        "line 17, column Gmt time: '31.02.2024 10:00:00.000' "
        "is not a time in the format '%d.%m.%Y %H:%M:%S%.f'"
    )
    with pytest.raises(DataContractError, match=re.escape(msg)):
        read_ohlcv(path)


def test_an_empty_cell_is_named(tmp_path):
    path = _edit(tmp_path, "stock_daily_yahoo.csv", 8, _set(6, ""))
    with pytest.raises(DataContractError, match=re.escape("line 8, column Volume: is empty")):
        read_ohlcv(path)


def test_crlf_and_bom_keep_the_line_numbers(tmp_path):
    raw = (CORPUS / "bom_crlf_no_final_newline.csv").read_bytes()
    lines = raw.split(b"\r\n")
    lines[11] = lines[11].replace(b",", b",x", 1)  # line 12: the open becomes 'x...'
    path = tmp_path / "b.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DataContractError, match=r"line 12, column Open: 'x[\d.]+' is not a number"):
        read_ohlcv(path)


def test_contract_breaks_name_the_file_line(tmp_path):
    """A high below the low on line 14 of a file read newest first is still line 14."""

    lines = _lines("newest_first_month_name.csv")
    # the date is quoted with a comma inside, so split after the closing quote
    head, rest = lines[13].split('",', 1)
    f = rest.split(",")
    f[2], f[3] = f[3], f[2]
    lines[13] = head + '",' + ",".join(f)
    path = tmp_path / "n.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataContractError, match=r"line 14(, column \w+)?: breaks `high_below_low`"):
        read_ohlcv(path)


def test_unsorted_rows_name_the_first_line_out_of_order(tmp_path):
    lines = _lines("weekly.csv")
    lines[9], lines[10] = lines[10], lines[9]
    path = tmp_path / "w.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataContractError, match=r"line 11, column timestamp: breaks `unsorted_timestamps`"
    ):
        read_ohlcv(path)


def test_a_header_without_rows_and_an_empty_file_are_contract_errors(tmp_path):
    header = tmp_path / "h.csv"
    header.write_text("Date,Open,High,Low,Close,Volume\n")
    with pytest.raises(DataContractError, match="has a header but no rows"):
        read_ohlcv(header)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(DataContractError, match="is empty"):
        read_ohlcv(empty)


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_damaged_binary_files_are_contract_errors(tmp_path, ext):
    src = CORPUS / (
        "pandas_parquet_unnamed_index.parquet" if ext == "parquet" else "canonical.arrow"
    )
    path = tmp_path / f"x.{ext}"
    path.write_bytes(src.read_bytes()[:500])
    with pytest.raises(
        DataContractError, match=f"not a readable {'parquet' if ext == 'parquet' else 'ipc'} file"
    ):
        read_ohlcv(path)


def test_two_time_columns_are_ambiguous_and_name_the_option(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("Date,Time,Open,High,Low,Close,Volume\n2024-01-02,10:00,1,2,0.5,1.5,9\n")
    with pytest.raises(
        DataContractError, match=r"2 columns could be `timestamp`: \['Date', 'Time'\]"
    ) as info:
        read_ohlcv(path)
    assert "timestamp=" in (info.value.hint or "")


def test_day_or_month_first_is_ambiguous_until_a_format_settles_it(tmp_path):
    path = tmp_path / "dm.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume\n01/02/2024,1,2,0.5,1.5,9\n01/03/2024,1,2,0.5,1.5,9\n"
    )
    with pytest.raises(
        DataContractError, match=r"fit 2 formats \['%d/%m/%Y', '%m/%d/%Y'\]"
    ) as info:
        read_ohlcv(path)
    assert "format=" in (info.value.hint or "")
    got = read_ohlcv(path, format="%m/%d/%Y")
    assert got["timestamp"].to_list() == [
        dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 3, tzinfo=dt.UTC),
    ]


def test_a_day_above_twelve_settles_day_first_alone(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume\n13/02/2024,1,2,0.5,1.5,9\n14/02/2024,1,2,0.5,1.5,9\n"
    )
    assert read_ohlcv(path)["timestamp"][0] == dt.datetime(2024, 2, 13, tzinfo=dt.UTC)


def test_explicit_options_override_detection(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "when;o_price;h_price;l_price;c_price;qty;Date\n"
        "2024-01-02 09:30;1;2;0.5;1.5;9;x\n2024-01-02 10:30;1;2;0.5;1.5;9;y\n"
    )
    columns = {
        "o_price": "open",
        "h_price": "high",
        "l_price": "low",
        "c_price": "close",
        "qty": "volume",
    }
    got = read_ohlcv(
        path,
        columns=columns,
        timestamp="when",
        format="%Y-%m-%d %H:%M",
        tz="America/New_York",
        delimiter=";",
    )
    assert got["timestamp"].to_list() == [
        dt.datetime(2024, 1, 2, 14, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 2, 15, 30, tzinfo=dt.UTC),
    ]
    assert got["close"].to_list() == [1.5, 1.5]


def test_missing_columns_name_the_option(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Date,Open,High,Low,Price,Vol\n2024-01-02,1,2,0.5,1.5,9\n")
    with pytest.raises(DataContractError, match=r"no column for \['close', 'volume'\]") as info:
        read_ohlcv(path)
    assert "columns=" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tz": "Mars/Olympus"}, "IANA time zone"),
        ({"delimiter": ";;"}, "one character"),
        ({"columns": {"Close": "shut"}}, "not canonical names"),
    ],
)
def test_bad_options_are_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        read_ohlcv(CORPUS / "weekly.csv", **kwargs)


def test_unknown_suffix_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot tell the format"):
        read_ohlcv(tmp_path / "x.xlsx")
    with pytest.raises(ConfigError, match="no such file"):
        read_ohlcv(tmp_path / "x.csv")


def test_epoch_ns_keeps_every_microsecond(tmp_path):
    path = tmp_path / "ns.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "1722470400123456789,1,2,0.5,1.5,9\n1722470460123456999,1,2,0.5,1.5,9\n"
    )
    got = read_ohlcv(path)
    assert got["timestamp"].cast(pl.Int64).to_list() == [1722470400123456, 1722470460123456]


def test_empty_cells_in_an_ignored_last_column_are_fine(tmp_path):
    path = tmp_path / "adj.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume,Note\n2024-01-02,1,2,0.5,1.5,9,\n2024-01-03,1,2,0.5,1.5,9,x\n"
    )
    assert read_ohlcv(path)["close"].to_list() == [1.5, 1.5]


def test_a_short_line_missing_only_an_ignored_column_is_named(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume,Note\n2024-01-02,1,2,0.5,1.5,9,a\n2024-01-03,1,2,0.5,1.5,9\n"
        "2024-01-04,1,2,0.5,1.5,9,c\n"
    )
    with pytest.raises(DataContractError, match=re.escape("line 3: 6 fields, expected 7")):
        read_ohlcv(path)


@pytest.mark.parametrize("seed", range(4))
def test_damaged_copies_fail_only_with_peak_trade_errors(tmp_path, seed):
    """Cut, flipped, spliced and doubled copies of every corpus file either read to a
    valid frame or raise a PeakTradeError; never a polars, pyarrow or Python error."""
    import random

    from peak_trade.core.errors import PeakTradeError

    rng = random.Random(seed)
    outcomes: list[str] = []
    for src in sorted(p for p in CORPUS.iterdir() if p.suffix != ".py"):
        for _ in range(6):
            data = bytearray(src.read_bytes())
            k = rng.randrange(len(data))
            op = rng.randrange(4)
            if op == 0:
                data = data[:k]
            elif op == 1:
                data[k] = rng.randrange(256)
            elif op == 2:
                data[k:k] = rng.choice([b",", b";", b"\n", b'"', b"\xff", b"99999999999999999"])
            else:
                data = data + data
            path = tmp_path / f"x{src.suffix}"
            path.write_bytes(bytes(data))
            try:
                validate_ohlcv(read_ohlcv(path), strict=True, require_tz=True)
            except PeakTradeError as exc:
                outcomes.append(type(exc).__name__)
            else:
                outcomes.append("valid")
    assert len(outcomes) == 6 * 18
    assert {"DataContractError", "valid"} <= set(outcomes)


def test_blank_lines_are_skipped_and_still_counted(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,9\n\n2024-01-03,1,2,3,1.5,9\n\n\n"
    )
    with pytest.raises(DataContractError, match=r"blank.csv: line 4: breaks `high_below_low`"):
        read_ohlcv(path)
    path.write_text(path.read_text().replace(",2,3,", ",2,0.5,"))
    assert read_ohlcv(path).height == 2
