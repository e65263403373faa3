"""JsonFormatter's fast path against an independent reference: ``json.dumps`` of the schema."""

import datetime as dt
import json
import logging
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peak_trade.core._log_context import StampingHandler
from peak_trade.core._log_format import JsonFormatter
from peak_trade.core.logging import configure_logging, run_context

_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "run_id",
    "trace_id",
    "bound_fields",
}
_FIXED = {"ts", "level", "logger", "event", "run_id", "trace_id"}

# Quotes, backslashes, control characters, lone surrogates and the rest of unicode.
hostile_text = st.text(
    st.characters(exclude_categories=())
    | st.sampled_from(['"', "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\u2028", "é", "🙂"]),
    max_size=12,
)


class _Opaque:
    """Not JSON-able: written as its repr."""

    def __repr__(self):
        return 'Opaque("x"\\)'


scalars = (
    hostile_text
    | st.integers()
    | st.floats()  # NaN and +-inf included
    | st.booleans()
    | st.none()
    | st.just(_Opaque())
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=6,
)
field_names = hostile_text.filter(
    lambda k: k not in _RECORD_ATTRS and not k.startswith("_") and k not in _FIXED
)


def _reference(value):
    """The documented value rules, written out: non-finite floats and objects as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, list | tuple):
        return [_reference(v) for v in value]
    if isinstance(value, dict):
        return {k: _reference(v) for k, v in value.items()}
    return repr(value)


def _reference_ts(created):
    whole = math.floor(created)
    clock = dt.datetime.fromtimestamp(whole, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{clock}.{int((created - whole) * 1e6):06d}Z"  # microseconds truncated


def _reference_line(record, event, fields, bound=None):
    """The schema: fixed keys, bound fields, extra fields, as compact ASCII JSON."""
    payload = {
        "ts": _reference_ts(record.created),
        "level": record.levelname,
        "logger": record.name,
        "event": event,
        "run_id": getattr(record, "run_id", None),
        "trace_id": getattr(record, "trace_id", None),
    }
    payload.update({k: v for k, v in (bound or {}).items() if k not in fields})
    payload.update(fields)
    return json.dumps(_reference(payload), separators=(",", ":"), ensure_ascii=True)


def _record(name, msg, fields, args=()):
    """A record as a handler after the library's stamping handler receives it."""
    logger = logging.getLogger(name)
    record = logger.makeRecord(name, logging.INFO, "f", 1, msg, args, None, extra=fields)
    StampingHandler().handle(record)
    return record


@pytest.mark.smoke
def test_a_line_is_byte_for_byte_the_schema_as_json_dumps_writes_it():
    fields = {"path": '/c/"x"\\y.arrow', "rows": 10, "seconds": 0.25, "ok": True, "n": None}
    with run_context(run_id="r-1", trace_id="t-1", strategy="sma"):
        record = _record("peak_trade.data.cache", "cache.write", fields)
    record.created = 1_700_000_000.123456
    line = JsonFormatter().format(record)
    assert line == _reference_line(record, "cache.write", fields, {"strategy": "sma"})
    assert line.startswith('{"ts":"2023-11-14T22:13:20.12345')  # float truncation of .123456


@given(
    event=hostile_text,
    logger_tail=hostile_text,
    fields=st.dictionaries(field_names, values, max_size=6),
    bound=st.dictionaries(field_names, scalars, max_size=3),
    ids=st.tuples(st.none() | hostile_text, st.none() | hostile_text),
)
def test_any_event_fields_and_bindings_give_the_reference_line(
    event, logger_tail, fields, bound, ids
):
    formatter = JsonFormatter()
    with run_context(run_id=ids[0], trace_id=ids[1], **bound):
        record = _record(f"peak_trade.{logger_tail}", event, fields)
    for _ in range(2):  # the second pass takes the memoised head, keys and bound fields
        line = formatter.format(record)
        assert line == _reference_line(record, event, fields, bound)
    assert line.isascii()
    assert "\n" not in line
    assert json.loads(line)["event"] == event


@given(st.lists(st.floats(min_value=-2e9, max_value=4e9), min_size=1, max_size=20))
def test_timestamps_match_datetime_across_seconds_days_and_1970(stamps):
    formatter = JsonFormatter()
    record = _record("peak_trade.ts", "e", {})
    for created in stamps:  # one formatter: its per-second and per-day memos change over
        record.created = created
        assert json.loads(formatter.format(record))["ts"] == _reference_ts(created)


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (-0.5, "1969-12-31T23:59:59.500000Z"),
        (-1.0, "1969-12-31T23:59:59.000000Z"),
        (-86400.25, "1969-12-30T23:59:59.750000Z"),
        (86399.5, "1970-01-01T23:59:59.500000Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000000Z"),
    ],
)
def test_timestamps_at_day_edges(created, expected):
    formatter = JsonFormatter()
    record = _record("peak_trade.ts", "e", {})
    record.created = created
    assert json.loads(formatter.format(record))["ts"] == expected


def test_messages_with_args_are_formatted_like_get_message():
    record = _record("peak_trade.x", "rows=%d of %s", {"a": 1}, args=(3, "x"))
    assert json.loads(JsonFormatter().format(record))["event"] == "rows=3 of x"


def test_numpy_and_non_str_keys_follow_the_documented_rules():
    fields = {
        "np_float": np.float64(0.5),
        "np_nan": np.float64("nan"),
        "np_int": np.int64(7),
        "int_keys": {1: "a"},
        "tuple_keys": {(1, 2): "b"},
        "array": np.arange(2),
    }
    line = json.loads(JsonFormatter().format(_record("peak_trade.x", "e", fields)))
    assert (line["np_float"], line["np_nan"], line["np_int"]) == (0.5, "nan", 7)
    assert (line["int_keys"], line["tuple_keys"]) == ({"1": "a"}, {"(1, 2)": "b"})
    assert line["array"] == "array([0, 1])"


def test_an_extra_event_equal_to_the_message_is_dropped_and_any_other_renamed():
    formatter = JsonFormatter()
    same = json.loads(formatter.format(_record("peak_trade.x", "ev", {"event": "ev"})))
    array = json.loads(formatter.format(_record("peak_trade.x", "ev", {"event": np.arange(2)})))
    assert "event_extra" not in same
    assert (array["event"], array["event_extra"]) == ("ev", "array([0, 1])")


def test_memoised_bound_fields_follow_each_context_and_never_go_stale():
    formatter = JsonFormatter()
    tags = ["a"]
    with run_context(symbol="BTC"):
        btc = _record("peak_trade.x", "e", {})
    with run_context(symbol="ETH", tags=tags):
        eth = _record("peak_trade.x", "e", {})
        eth_override = _record("peak_trade.x", "e", {"symbol": "SOL"})
    lines = [json.loads(formatter.format(r)) for r in (btc, eth, btc, eth_override)]
    assert [line["symbol"] for line in lines] == ["BTC", "ETH", "BTC", "SOL"]
    assert list(lines[3]).count("symbol") == 1
    tags.append("b")  # a mutable bound value is encoded afresh on every line
    assert json.loads(formatter.format(eth))["tags"] == ["a", "b"]


def test_more_distinct_events_than_the_memo_holds_stay_correct():
    formatter = JsonFormatter()
    for i in range(2_100):  # the head memo is cleared after 1024 entries
        record = _record("peak_trade.x", f"ev.{i}", {f"k{i % 1500}": i})
        line = json.loads(formatter.format(record))
        assert (line["event"], line[f"k{i % 1500}"]) == (f"ev.{i}", i)


def test_records_from_another_factory_layout_still_give_their_fields():
    """A record whose attributes are not in LogRecord's own order takes the full scan."""
    record = logging.LogRecord.__new__(logging.LogRecord)
    record.early = "set before __init__"
    logging.LogRecord.__init__(record, "peak_trade.x", logging.INFO, "f", 1, "e", None, None)
    record.late = 2
    line = json.loads(JsonFormatter().format(record))
    assert (line["early"], line["late"]) == ("set before __init__", 2)


def _counting_factory(calls):
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        calls.append(args[0])
        return previous(*args, **kwargs)

    return previous, factory


@pytest.mark.smoke
def test_a_disabled_library_debug_makes_no_record_and_runs_no_filter():
    """Nothing of ours runs before the level check: no record, no stamping, no filter."""
    root = logging.getLogger("peak_trade")
    saved = (list(root.handlers), root.level)
    calls: list[str] = []
    previous, factory = _counting_factory(calls)
    logging.setLogRecordFactory(factory)
    try:
        configure_logging("INFO", fmt="json", stream=None)
        log = logging.getLogger("peak_trade.data.cache")
        log.debug("cache.read", extra={"rows": 1})
        assert calls == []
        log.info("cache.read", extra={"rows": 1})  # the control: an enabled call does
        assert calls == ["peak_trade.data.cache"]
    finally:
        logging.setLogRecordFactory(previous)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    assert type(log) is logging.Logger
    assert (log.filters, root.filters) == ([], [])


def test_lines_with_an_exception_keep_the_same_key_order():
    """The slower exception path orders bound, extra and overridden fields like the fast one."""
    logger = logging.getLogger("peak_trade.x")
    formatter = JsonFormatter()
    with run_context(symbol="BTC", sweep="s1"):
        try:
            raise ValueError("boom")
        except ValueError as err:
            failed = logger.makeRecord(
                logger.name,
                logging.ERROR,
                "f",
                1,
                "e",
                (),
                (ValueError, err, None),
                extra={"symbol": "ETH", "rows": 1},
            )
            StampingHandler().handle(failed)
        plain = _record("peak_trade.x", "e", {"symbol": "ETH", "rows": 1})
    with_error = json.loads(formatter.format(failed))
    without = json.loads(formatter.format(plain))
    assert list(with_error) == [*without, "error", "traceback"]
    assert list(without)[6:] == ["sweep", "symbol", "rows"]
    assert (with_error["symbol"], with_error["error"]) == (
        "ETH",
        {"type": "ValueError", "message": "boom"},
    )
