"""Where the bytes of a report page go (issue 18's 6 MB budget): page size and payload parts.

``python -m benchmarks._report_size [BARS]``: the quickstart run's page (what
``peak-trade run`` writes) and one single-run page of ``BARS`` bars (default 10M),
each with the JSON bytes of every payload part (compact separators, as in the page).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from peak_trade.backtest.engine import run_backtest
from peak_trade.cli._pipeline import load_run_config, run_pipeline
from peak_trade.core.config_schema import quickstart_path
from peak_trade.data.providers.synthetic import synthetic_ohlcv
from peak_trade.reporting import report
from peak_trade.reporting._page import plotly_js_path

MB = 1e6


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), allow_nan=False))


def _payload(page: Path) -> dict[str, Any]:
    text = page.read_text("utf-8")
    start = text.index("<script type='application/json' id='pt-data'>")
    body = text[text.index(">", start) + 1 : text.index("</script>", start)]
    payload: dict[str, Any] = json.loads(body.replace("<\\/", "</"))
    return payload


def breakdown(page: Path) -> dict[str, int]:
    """Bytes of the page and of each payload part, summed over the run sections."""
    payload = _payload(page)
    parts: Counter[str] = Counter()
    parts["page"] = page.stat().st_size
    js = plotly_js_path()
    parts["plotly.js"] = js.stat().st_size if js is not None else 0
    parts["payload"] = _json_bytes(payload)
    for key, value in payload.items():
        if key != "runs":
            parts[f"payload.{key}"] += _json_bytes(value)
    for run in payload.get("runs", []):
        parts["payload.runs"] += _json_bytes(run)
        for key, value in run.items():
            if key == "series":
                for name, series in value.items():
                    parts[f"run.series.{name}"] += _json_bytes(series)
            else:
                parts[f"run.{key}"] += _json_bytes(value)
    parts["sections"] = len(payload.get("runs", []))
    return dict(parts)


def _show(title: str, parts: dict[str, int]) -> None:
    print(f"## {title}: page {parts['page'] / MB:.3f} MB, {parts['sections']} run sections")
    for name, size in sorted(parts.items(), key=lambda kv: -kv[1]):
        if name not in ("page", "sections"):
            print(f"  {name:<28} {size / MB:8.3f} MB")


def main(bars: int) -> None:
    with tempfile.TemporaryDirectory(prefix="pt-report-size-") as tmp:
        root = Path(tmp)
        outcome = run_pipeline(load_run_config(quickstart_path()), output_dir=root / "out")
        _show("quickstart run", breakdown(outcome.run_dir / "report.html"))
        df = synthetic_ohlcv(bars, seed=11)
        result = run_backtest(df, "ma_crossover", {"fast": 20, "slow": 100})
        del df
        _show(f"single run, {bars:,} bars", breakdown(report(result, root / "single.html")))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
