"""What a fuzz case is: a reader's parts, its outcome strings, and shared helpers.

Each reader prepares pristine files once per child process, then per case
copies them into a scratch directory, damages one file (``_damage``) and calls
the reader through its public API. The outcome is a short string:

- ``frame:same`` / ``frame:other``: a frame equal to / different from the pristine one;
- ``error:<Class>``: a ``PeakTradeError`` subclass;
- ``report:clean`` / ``report:dirty``: ``OhlcvCache.verify_all``'s verdict;
- ``config``: ``load_config`` returned a config; ``exit:<n>``: the CLI's exit code;
- ``foreign:<Type>: <message>``: anything else, always a failure.

``judge`` says why an outcome is wrong for the damage, or None when it is allowed.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tests.fuzz._damage import Kind, damage_file, swap

__all__ = ["Outcome", "Reader", "classify", "copy_into", "frame", "hurt"]

Outcome = tuple[str, Kind, str]


@dataclass(frozen=True, slots=True)
class Reader:
    """One reader: its name, case count, setup, one case, and the verdict."""

    name: str
    cases: int
    prepare: Callable[[Path], Any]
    run: Callable[[int, random.Random, Any, Path], Outcome]
    judge: Callable[[str, str, str], str | None]


def frame(seed: int, rows: int = 2_000) -> pl.DataFrame:
    """Bars with the column kinds a decoder must get right: times, floats, ints, strings."""
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                pl.datetime(2024, 1, 1, time_zone="UTC"),
                pl.datetime(2024, 1, 1, time_zone="UTC") + pl.duration(hours=rows - 1),
                "1h",
                eager=True,
            ),
            "close": [100.0 + rng.random() for _ in range(rows)],
            "volume": [rng.randrange(10_000) for _ in range(rows)],
            "venue": [rng.choice(("binance", "kraken", "coinbase-pro")) for _ in range(rows)],
        }
    )


def classify(call: Callable[[], Any], expected: Any = None) -> str:
    """The outcome string of ``call()`` (see the module docstring)."""
    from peak_trade.core.errors import PeakTradeError

    try:
        value = call()
    except PeakTradeError as exc:
        return f"error:{type(exc).__name__}"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a foreign error, even a pyo3 PanicException, is the finding
        return f"foreign:{type(exc).__name__}: {str(exc)[:200]}"
    if isinstance(value, pl.DataFrame):
        same = expected is not None and value.equals(expected)
        return "frame:same" if same else "frame:other"
    return str(value)


def copy_into(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst / src.name)
    return dst / src.name


def hurt(path: Path, kind: Kind, rng: random.Random, other: Path) -> None:
    if kind == "swap":
        swap(path, other)
    else:
        damage_file(path, kind, rng)
