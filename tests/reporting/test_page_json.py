"""The page's JSON: orjson's bytes read back as the standard library's, and the fallbacks."""

import json
import math
import sys

import pytest

from peak_trade.reporting._page import _json

PAYLOAD = {
    "y": [0.1, -2.5e-7, 1e22, 123456.7, 10000.0, -0.0, 5e-324, 1.7976931348623157e308],
    "dx": [0, 1320, 3665, -4],
    "rows": [("2020-01-12 23:00:00", "long", 137.48926194812242, None, False)],
    "note": "caf\u00e9 </script> \u2028",
    "nested": {"a": {"b": [True, None, []]}},
}


def std(payload):
    return json.dumps(payload, allow_nan=False, separators=(",", ":"))


@pytest.mark.smoke
def test_the_page_json_reads_back_as_the_standard_encoders():
    pytest.importorskip("orjson")
    got = json.loads(_json(PAYLOAD))
    assert got == json.loads(std(PAYLOAD))
    assert all(a == b and math.copysign(1, a) == math.copysign(1, b)
               for a, b in zip(got["y"], PAYLOAD["y"], strict=True))  # fmt: skip


def test_integers_past_64_bits_fall_back_to_the_standard_encoder():
    payload = {"params": {"seed": 2**70}}
    assert _json(payload) == std(payload)


def test_without_orjson_the_standard_encoder_writes_the_same(monkeypatch):
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson raises ImportError
    assert _json(PAYLOAD) == std(PAYLOAD)
    with pytest.raises(ValueError, match="JSON compliant"):
        _json({"y": [math.nan]})
