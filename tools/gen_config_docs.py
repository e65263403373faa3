"""Write docs/config.md from the config schema, or check that it is up to date.

Usage:
    python tools/gen_config_docs.py          # rewrite docs/config.md
    python tools/gen_config_docs.py --check  # exit 1 when docs/config.md is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peak_trade.core._config_docs import render_config_docs

PAGE = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` compare) the page; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report a stale page")
    args = parser.parse_args(argv)
    text = render_config_docs()
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else None
    if args.check:
        if current != text:
            print(f"{PAGE} is stale; run: python tools/gen_config_docs.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        PAGE.write_text(text, encoding="utf-8")
        print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
