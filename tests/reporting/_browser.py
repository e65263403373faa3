"""Load a report in real headless Chromium (Debian's package) with the network blocked."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Per chart container: how many drawn marks (SVG paths/rects, canvases) it holds,
# and the y values of each trace as Plotly kept them.
_CHARTS_JS = """
() => Array.from(document.querySelectorAll('[data-chart]')).map(d => ({
  id: d.id,
  marks: d.querySelectorAll('svg.main-svg path, svg.main-svg rect').length
         + d.querySelectorAll('canvas').length,
  traces: (d.data || []).map(t => ({name: t.name || t.type || '', n: (t.y || t.x || []).length,
                                     y: Array.isArray(t.y) ? t.y : null,
                                     ends: Array.isArray(t.x) && t.x.length
                                       ? [+t.x[0], +t.x[t.x.length - 1]] : null,
                                     zmax: Array.isArray(t.z)
                                       ? Math.max(...t.z.flat().filter(v => v !== null)) : null})),
}))
"""

# The text of each drawn violations table (``violations-<k>``), row by row.
_VIOLATIONS_JS = """
() => Object.fromEntries(Array.from(document.querySelectorAll('table[id^="violations-"]')).map(
  t => [t.id, Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent))]))
"""


# The text of every table with an id (header row first), and the ids of the sections.
_TABLES_JS = """
() => Object.fromEntries(Array.from(document.querySelectorAll('table[id]')).map(
  t => [t.id, Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent))]))
"""
_SECTIONS_JS = "() => Array.from(document.querySelectorAll('section[id]')).map(s => s.id)"


def page_payload(page: Path) -> Any:
    """The JSON data embedded in a report page, as the page's script reads it."""
    text = page.read_text("utf-8")
    match = re.search(r"<script type='application/json' id='pt-data'>(.*?)</script>", text, re.S)
    assert match is not None
    return json.loads(match.group(1).replace("<\\/", "</"))


def _missing(what: str, fix: str) -> None:
    """Skip, except on CI (``CI=true``), where a missing browser or driver fails."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but {what}: {fix}")
    pytest.skip(f"{what} ({fix} to run the browser tests)")


def chromium_or_skip() -> str:
    """Chromium's path; skip without it or the playwright driver, except on CI."""
    if importlib.util.find_spec("playwright") is None:
        _missing("no playwright", "pip install -e '.[dev]'")
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        _missing("no chromium browser", "install Debian's `chromium` package")
        raise AssertionError  # unreachable: skip and fail raise
    return path


def screenshot_dir(tmp_path: Path) -> Path:
    """The CI output folder (``PEAK_TRADE_CI_OUT``), else the test's tmp dir."""
    root = os.environ.get("PEAK_TRADE_CI_OUT")
    out = Path(root) / "report-screenshots" if root else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass
class Loaded:
    """What the browser saw: console errors, requests, charts, the screenshot, the
    violations tables (by id, header row first), every table with an id, and the
    sections' ids."""

    errors: list[str]
    requests: list[str]
    charts: list[dict[str, Any]]
    screenshot: Path
    violations: dict[str, list[list[str]]]
    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)


def load_page(html: Path, shot: Path) -> Loaded:
    """Open ``html`` in headless Chromium with every non-file request aborted."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url == html.resolve().as_uri():
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_or_skip(), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.on(
                "console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else 0
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: requests.append(r.url))
            page.route("**/*", route)
            page.goto(html.resolve().as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            charts = page.evaluate(_CHARTS_JS)
            violations = page.evaluate(_VIOLATIONS_JS)
            tables = page.evaluate(_TABLES_JS)
            sections = page.evaluate(_SECTIONS_JS)
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    requests = sorted(set(requests) - {html.resolve().as_uri()})
    return Loaded(errors, requests, charts, shot, violations, tables, sections)


def not_blank(png: Path) -> bool:
    """True when the screenshot has more than a few colours (it drew something)."""
    from PIL import Image

    with Image.open(png) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    return colours is None or len(colours) > 50
