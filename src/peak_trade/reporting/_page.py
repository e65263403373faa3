"""The HTML page: one file with the CSS, plotly.js, the data and the drawing script inline."""

from __future__ import annotations

import html
import importlib.util
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from peak_trade.core.errors import PeakTradeError

__all__ = ["INSTALL_HINT", "page_body", "page_head", "plotly_js_path"]

INSTALL_HINT: Final = "pip install 'peak-trade[report]'"


def plotly_js_path() -> Path | None:
    """Where the installed plotly package keeps ``plotly.min.js`` (plotly is not imported)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@cache
def _plotly_js() -> str:
    path = plotly_js_path()
    if path is None:
        msg = "the HTML report needs plotly (its bundled plotly.min.js), which is not installed"
        raise PeakTradeError(msg, hint=INSTALL_HINT)
    return _inline_script(path.read_text(encoding="utf-8"))


def _asset(name: str) -> str:
    return resources.files("peak_trade.reporting").joinpath("assets", name).read_text("utf-8")


def _inline_script(text: str) -> str:
    """``text`` safe inside a ``<script>`` element."""
    return text.replace("</", "<\\/")


@cache
def page_head() -> bytes:
    """The page up to its title, the same bytes for every page (4.6 MB, mostly plotly.js).

    Raises:
        PeakTradeError: plotly is not installed.
    """
    return "".join(
        (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n",
            f"<style>{_asset('report.css')}</style>\n",
            f"<script>{_plotly_js()}</script>\n",
        )
    ).encode("utf-8")


@cache
def _page_tail() -> bytes:
    return f"<script>{_inline_script(_asset('report.js'))}</script>\n</body></html>\n".encode()


def _json(payload: dict[str, Any]) -> str:
    """``payload`` as compact JSON: with orjson if installed (~15x faster on a run's
    payload), else the standard library's encoder (also for what orjson refuses,
    such as integers past 64 bits).
    """
    try:
        import orjson  # optional (the report extra); loaded when a page is written
    except ImportError:
        pass
    else:
        try:
            return orjson.dumps(payload).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError
            pass
    return json.dumps(payload, allow_nan=False, separators=(",", ":"))


def page_body(payload: dict[str, Any], /, *, title: str) -> bytes:
    """The rest of the page after :func:`page_head`: title, data and drawing code.

    ``payload`` must be strict JSON (NaN and inf None already; orjson would write
    a stray NaN as null, the standard encoder raises).
    """
    data = _inline_script(_json(payload))
    name = html.escape(title)
    middle = "".join(
        (
            f"<title>{name}</title>\n</head><body>\n",
            f"<h1>{name}</h1>\n<div id='pt-root'></div>\n",
            f"<script type='application/json' id='pt-data'>{data}</script>\n",
        )
    )
    return middle.encode("utf-8") + _page_tail()
