import asyncio
import datetime as dt
import io
import json
import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peak_trade.core.errors import ConfigError, DataContractError
from peak_trade.core.logging import (
    ContextFilter,
    JsonFormatter,
    bind_context,
    configure_logging,
    current_context,
    run_context,
    spawn_thread,
)


@pytest.fixture
def lib_logger():
    """The `peak_trade` logger, restored to its previous handlers and level afterwards."""
    root = logging.getLogger("peak_trade")
    saved = (list(root.handlers), root.level, root.propagate)
    yield root
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    root.propagate = saved[2]


class _Keep(logging.Handler):
    """A user's own handler: keeps the records it is given."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _json_lines(lib_logger, **kwargs):
    stream = io.StringIO()
    configure_logging("DEBUG", fmt="json", stream=stream, **kwargs)
    return stream


def _parsed(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# --- run_context ---------------------------------------------------------------------


@pytest.mark.smoke
def test_json_lines_parse_and_carry_the_bound_ids(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.data.cache")
    with run_context(run_id="r-1", trace_id="t-1"):
        log.info("cache.write", extra={"path": "/c/x.arrow", "rows": 3, "seconds": 0.5})
    log.info("cache.read")
    first, second = _parsed(stream)
    assert set(first) == {"ts", "level", "logger", "event", "run_id", "trace_id"} | {
        "path",
        "rows",
        "seconds",
    }
    assert first["ts"].endswith("Z")
    stamp = dt.datetime.fromisoformat(first["ts"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5)
    assert first["level"] == "INFO"
    assert first["logger"] == "peak_trade.data.cache"
    assert (first["event"], first["run_id"], first["trace_id"]) == ("cache.write", "r-1", "t-1")
    assert (first["path"], first["rows"], first["seconds"]) == ("/c/x.arrow", 3, 0.5)
    assert (second["event"], second["run_id"], second["trace_id"]) == ("cache.read", None, None)


def test_values_nest_inherit_and_are_restored():
    assert current_context() == {"run_id": None, "trace_id": None}
    with run_context(run_id="outer", sweep="s1") as bound:
        assert bound == {"run_id": "outer", "trace_id": None, "sweep": "s1"}
        with run_context(trace_id="t", symbol="BTC"):
            assert current_context() == {
                "run_id": "outer",
                "trace_id": "t",
                "sweep": "s1",
                "symbol": "BTC",
            }
            with run_context(run_id="inner", sweep="s2"):
                assert current_context()["run_id"] == "inner"
                assert current_context()["sweep"] == "s2"
            assert current_context()["run_id"] == "outer"
        assert current_context() == {"run_id": "outer", "trace_id": None, "sweep": "s1"}
    assert current_context() == {"run_id": None, "trace_id": None}


def test_values_are_restored_when_the_block_raises():
    with pytest.raises(KeyError), run_context(run_id="boom"):
        raise KeyError("x")
    assert current_context()["run_id"] is None


def test_run_context_decorates_functions_and_coroutines():
    @run_context(run_id="dec", step="fit")
    def sync():
        return current_context()

    @run_context(trace_id="adec")
    async def coro():
        await asyncio.sleep(0)
        return current_context()

    assert sync() == {"run_id": "dec", "trace_id": None, "step": "fit"}
    assert asyncio.run(coro()) == {"run_id": None, "trace_id": "adec"}
    assert current_context() == {"run_id": None, "trace_id": None}


def test_decorated_function_is_safe_to_call_from_many_threads():
    @run_context(run_id="shared")
    def work(i):
        with run_context(trace_id=f"t{i}"):
            return current_context()["run_id"], current_context()["trace_id"]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(200)))
    assert results == [("shared", f"t{i}") for i in range(200)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"run_id": 5}, "`run_id` must be a str or None; got 5"),
        ({"trace_id": b"x"}, "`trace_id` must be a str or None"),
        ({"event": "x"}, r"field names \['event'\] are reserved"),
        ({"ts": 1, "level": 2}, r"field names \['level', 'ts'\] are reserved"),
    ],
)
def test_bad_bindings_are_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        run_context(**kwargs)


def test_bindings_reach_asyncio_tasks_each_with_its_own_values():
    async def task(name):
        with run_context(run_id=name):
            await asyncio.sleep(0)  # let the other task run in between
            await asyncio.sleep(0)
            return current_context()["run_id"]

    async def child():
        await asyncio.sleep(0)
        return current_context()["trace_id"]

    async def main():
        with run_context(trace_id="parent"):
            inherited = asyncio.create_task(child())
        names = await asyncio.gather(task("a"), task("b"), task("c"))
        return names, await inherited

    assert asyncio.run(main()) == (["a", "b", "c"], "parent")


def test_bindings_reach_threads_started_through_the_helpers():
    seen = {}

    def record(key):
        seen[key] = current_context()

    with run_context(run_id="r-thread", worker="w"):
        spawn_thread(record, "spawned").join()
        plain = threading.Thread(target=record, args=("plain",))
        plain.start()
        plain.join()
        with ThreadPoolExecutor(2) as pool:
            pool.submit(bind_context(record), "pooled").result()
    assert seen["spawned"] == {"run_id": "r-thread", "trace_id": None, "worker": "w"}
    assert seen["pooled"] == seen["spawned"]
    assert seen["plain"] == {"run_id": None, "trace_id": None}  # stdlib threads do not copy


# --- records ------------------------------------------------------------------------


def test_library_records_carry_ids_with_a_users_own_handler(lib_logger):
    """No configure_logging: a handler the user attached still sees run_id/trace_id."""
    keep = _Keep()
    lib_logger.addHandler(keep)
    lib_logger.setLevel(logging.INFO)
    log = logging.getLogger("peak_trade.data.cache")
    with run_context(run_id="r-9", trace_id="t-9", sweep="s"):
        log.info("cache.write", extra={"rows": 1})
    log.info("cache.read")
    bound, unbound = keep.records
    assert (bound.run_id, bound.trace_id, dict(bound.bound_fields)) == (
        "r-9",
        "t-9",
        {"sweep": "s"},
    )
    assert (unbound.run_id, unbound.trace_id, dict(unbound.bound_fields)) == (None, None, {})


def test_other_loggers_are_untouched_unless_they_attach_the_filter():
    keep = _Keep()
    other = logging.getLogger("someone_else.module")
    other.addHandler(keep)
    other.propagate = False
    other.setLevel(logging.INFO)
    try:
        with run_context(run_id="r-2"):
            other.info("theirs")
            other.addFilter(ContextFilter())
            other.info("stamped", extra={"rows": 2})
            other.info("own id", extra={"run_id": "explicit"})
    finally:
        other.removeHandler(keep)
        other.filters.clear()
    plain, stamped, explicit = keep.records
    assert not hasattr(plain, "run_id")
    assert (stamped.run_id, stamped.trace_id) == ("r-2", None)
    assert explicit.run_id == "explicit"  # the filter never overwrites


def test_ids_are_taken_when_the_record_is_made_not_when_formatted(lib_logger):
    keep = _Keep()
    lib_logger.addHandler(keep)
    lib_logger.setLevel(logging.INFO)
    with run_context(run_id="made"):
        logging.getLogger("peak_trade.x").info("ev")
    assert json.loads(JsonFormatter().format(keep.records[0]))["run_id"] == "made"


# --- formatting ---------------------------------------------------------------------


def test_output_is_one_line_per_record_even_for_multiline_text(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.backtest.engine")
    log.warning("line one\nline two", extra={"note": "a\nb\r\nc"})
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("backtest.failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    warn, failed = (json.loads(line) for line in lines)
    assert (warn["event"], warn["note"]) == ("line one\nline two", "a\nb\r\nc")
    assert failed["error"] == {"type": "ValueError", "message": "bad\nvalue"}
    assert failed["traceback"].startswith("Traceback (most recent call last):")


def test_peak_trade_errors_are_logged_with_to_dict(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.data.contracts")
    err = DataContractError("2 rows break `high_below_low`", hint="swap", context={"row": 3})
    log.error("contract.raised", extra={"error": err})
    try:
        raise err
    except DataContractError:
        log.exception("contract.raised")
    with run_context(sweep="s"):  # the bound-fields path formats errors the same way
        log.error("contract.raised", exc_info=err)
    as_extra, as_exc, bound = _parsed(stream)
    assert as_extra["error"] == err.to_dict()
    assert as_exc["error"] == err.to_dict()
    assert bound["error"] == err.to_dict()
    assert bound["sweep"] == "s"
    assert "traceback" in as_exc
    assert "traceback" not in as_extra


def test_non_json_values_go_through_jsonable(lib_logger):
    stream = _json_lines(lib_logger)

    class Thing:
        def __repr__(self):
            return "Thing()"

    logging.getLogger("peak_trade.x").info(
        "values",
        extra={
            "nan": float("nan"),
            "inf": float("-inf"),
            "np_int": np.int64(7),
            "np_float": np.float32(0.5),
            "nested": {"deep": [float("nan"), 1]},
            "obj": Thing(),
            "flag": True,
            "none": None,
            "tuple_keys": {(1, 2): "x"},
        },
    )
    (line,) = _parsed(stream)
    assert line["nan"] == "nan"
    assert line["inf"] == "-inf"
    assert (line["np_int"], line["np_float"]) == (7, 0.5)
    assert line["nested"] == {"deep": ["nan", 1]}
    assert (line["obj"], line["flag"], line["none"]) == ("Thing()", True, None)
    assert line["tuple_keys"] == {"(1, 2)": "x"}


def test_extra_keys_named_like_fixed_keys_never_replace_them(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.x")
    log.info("contract.failed", extra={"event": "contract.failed", "level": "custom"})
    log.info("ev", extra={"event": "other", "ts": 1})
    same, different = _parsed(stream)
    assert same["event"] == "contract.failed"
    assert "event_extra" not in same
    assert (same["level"], same["level_extra"]) == ("INFO", "custom")
    assert (different["event"], different["event_extra"], different["ts_extra"]) == (
        "ev",
        "other",
        1,
    )


def test_bound_fields_appear_and_extra_fields_win(lib_logger):
    stream = _json_lines(lib_logger)
    with run_context(run_id="r", sweep="s1", symbol="BTC"):
        logging.getLogger("peak_trade.x").info("ev", extra={"symbol": "ETH"})
    (line,) = _parsed(stream)
    assert (line["sweep"], line["symbol"]) == ("s1", "ETH")
    assert list(line) == ["ts", "level", "logger", "event", "run_id", "trace_id", "sweep", "symbol"]


def test_json_lines_from_threads_carry_their_ids(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.research.sweep")

    def job(i):
        with run_context(trace_id=f"t{i}"):
            log.info("job.done", extra={"i": i})

    with run_context(run_id="sweep-1"):
        threads = [spawn_thread(job, i) for i in range(8)]
        for t in threads:
            t.join()
    lines = sorted(_parsed(stream), key=lambda d: d["i"])
    assert [(d["run_id"], d["trace_id"], d["i"]) for d in lines] == [
        ("sweep-1", f"t{i}", i) for i in range(8)
    ]


_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "run_id",
    "trace_id",
    "bound_fields",
}


text_values = (
    st.text()
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
    | st.lists(st.integers() | st.text(), max_size=3)
)


def _expected(value):
    """Independent reference: how each value should read back from the JSON line."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), text_values))
def test_any_extra_fields_read_back_from_one_json_line(fields):
    fields = {k: v for k, v in fields.items() if k not in _RECORD_ATTRS}
    logger = logging.getLogger("peak_trade.prop")
    record = logger.makeRecord(logger.name, logging.INFO, "f", 1, "ev\nx", (), None, extra=fields)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    for key, value in fields.items():
        got_key = f"{key}_extra" if key in {"ts", "level", "logger"} else key
        if key == "event" and value == "ev\nx":
            continue
        got_key = "event_extra" if key == "event" else got_key
        assert parsed[got_key] == _expected(value)


def test_text_format_is_key_value(lib_logger):
    stream = io.StringIO()
    configure_logging("INFO", fmt="text", stream=stream)
    with run_context(run_id="r-1"):
        logging.getLogger("peak_trade.data.cache").info(
            "cache.write", extra={"path": "/a b", "rows": 3}
        )
    logging.getLogger("peak_trade.data.cache").debug("hidden")
    (line,) = stream.getvalue().splitlines()
    ts, level, rest = line.split(" ", 2)
    assert ts.endswith("Z")
    assert level == "INFO"
    assert rest.split() == [
        "peak_trade.data.cache",
        "cache.write",
        "run_id=r-1",
        "trace_id=null",
        'path="/a',
        'b"',
        "rows=3",
    ]


def test_configure_logging_replaces_its_own_handler_only(lib_logger):
    keep = _Keep()
    lib_logger.addHandler(keep)
    first = configure_logging("INFO", fmt="json", stream=io.StringIO())
    second = configure_logging("WARNING", fmt="text", stream=io.StringIO())
    assert second is not first
    real = [h for h in lib_logger.handlers if not isinstance(h, logging.NullHandler)]
    assert real == [keep, second]
    assert lib_logger.level == logging.WARNING
    assert lib_logger.propagate is True


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": "LOUD"}, "`level` must be one of"),
        ({"level": True}, "`level` must be one of"),
        ({"fmt": "xml"}, "`fmt` must be 'text' or 'json'; got 'xml'"),
    ],
)
def test_bad_configure_options_are_config_errors(lib_logger, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        configure_logging(**kwargs)


def test_contract_failed_event_is_structured(lib_logger):
    from peak_trade.data.contracts import check_ohlcv

    stream = _json_lines(lib_logger)
    frame = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                pl.datetime(2024, 1, 1), pl.datetime(2024, 1, 1, 2), "1h", eager=True
            ),
            "open": [1.0, 1.0, 1.0],
            "high": [2.0, 0.5, 2.0],
            "low": [0.9, 0.9, 0.9],
            "close": [1.0, 1.0, 1.0],
            "volume": [1.0, 1.0, 1.0],
        }
    )
    with run_context(run_id="r-c"):
        check_ohlcv(frame, strict=True)
    events = [d for d in _parsed(stream) if d["event"] == "contract.failed"]
    assert len(events) == 1
    (event,) = events
    assert event["run_id"] == "r-c"
    assert event["level"] == "WARNING"
    assert event["rows"] == 3
    assert event["rules"]["high_below_low"] == 1
    assert "event_extra" not in event


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (1_700_000_000.5, "2023-11-14T22:13:20.500000Z"),
        (1_700_000_001.25, "2023-11-14T22:13:21.250000Z"),
        (0.0, "1970-01-01T00:00:00.000000Z"),
    ],
)
def test_timestamps_are_utc_iso_8601_with_microseconds(created, expected):
    formatter = JsonFormatter()
    record = logging.getLogger("peak_trade.ts").makeRecord(
        "peak_trade.ts", 20, "f", 1, "e", (), None
    )
    for stamp in (1_700_000_000.0, created):  # also crosses the per-second memo
        record.created = stamp
        line = json.loads(formatter.format(record))
    assert line["ts"] == expected
    reference = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert line["ts"] == reference


def test_empty_exc_info_and_stack_info_still_give_valid_json(lib_logger):
    stream = _json_lines(lib_logger)
    log = logging.getLogger("peak_trade.x")
    log.info("no.exception", exc_info=(None, None, None))
    log.info("with.stack", stack_info=True, extra={"rows": 1})
    empty, stacked = _parsed(stream)
    assert set(empty) == {"ts", "level", "logger", "event", "run_id", "trace_id"}
    assert stacked["rows"] == 1
    assert stacked["stack"].startswith("Stack (most recent call last):")


def test_private_attributes_from_other_record_factories_are_not_logged():
    """Ray, for one, adds `_ray_timestamp_ns` to every record; it is not an extra field."""
    record = logging.LogRecord("peak_trade.x", logging.INFO, __file__, 1, "cache.read", None, None)
    record._ray_timestamp_ns = 123
    record.rows = 5
    line = json.loads(JsonFormatter().format(record))
    assert line["rows"] == 5
    assert "_ray_timestamp_ns" not in line


def test_library_warnings_are_not_printed_without_configuration():
    """Only a NullHandler is installed: no last-resort output when the app set up nothing."""
    import subprocess
    import sys

    code = (
        "import logging, peak_trade.core.logging; "
        "logging.getLogger('peak_trade.data.contracts').warning('contract.failed')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == ""
