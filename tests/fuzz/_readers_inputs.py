"""Fuzz readers of user inputs: `FileProvider` files and `load_config` TOML."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz._case import Outcome, classify, copy_into, frame, hurt
from tests.fuzz._damage import KINDS

# FileProvider ------------------------------------------------------------------------

FILE_FORMATS = {"csv": "csv", "parquet": "parquet", "ipc": "arrow"}


def prepare_files(root: Path) -> Any:
    from peak_trade.data.providers.synthetic import synthetic_ohlcv

    df = synthetic_ohlcv(1_000, seed=3)
    for fmt, ext in FILE_FORMATS.items():
        (root / fmt).mkdir(parents=True)
        path = root / fmt / f"BTC-USDT_1h.{ext}"
        if fmt == "csv":
            df.write_csv(path)
        elif fmt == "parquet":
            df.write_parquet(path)
        else:
            df.write_ipc(path)
    return root, df


def run_file_provider(fmt: str) -> Callable[[int, random.Random, Any, Path], Outcome]:
    others = [f for f in FILE_FORMATS if f != fmt]

    def run(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
        from peak_trade.data.providers.file import FileProvider

        root, expected = state
        name = f"BTC-USDT_1h.{FILE_FORMATS[fmt]}"
        path = copy_into(root / fmt / name, work)
        kind = rng.choice(KINDS)
        foreign = others[i % 2]  # a swap puts another format's bytes under this name
        hurt(path, kind, rng, root / foreign / f"BTC-USDT_1h.{FILE_FORMATS[foreign]}")
        provider = FileProvider(work)
        return "data", kind, classify(lambda: provider.fetch_ohlcv("BTC/USDT", "1h"), expected)

    return run


def judge_file_provider(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:ProviderError", "error:DataContractError", "frame:same", "frame:other"):
        return None
    return "FileProvider must give ProviderError, DataContractError or a frame"


# load_config -------------------------------------------------------------------------

_CONFIG = """\
[run]
name = "fuzz"
seed = 7
output_dir = "out"

[data]
provider = "synthetic"
symbols = ["AAA", "BBB/USDT"]
timeframe = "1h"
bars = 300

[cache]
dir = "cache"
format = "parquet"
checksum = "sha256"

[backtest]
initial_cash = 10000.0
fee_bps = 10.0
slippage_bps = 5.0

[[strategies]]
name = "ma_crossover"
params = { fast = 5, slow = 20 }

[[strategies]]
name = "rsi_reversion"
params = { window = 14, lower = 30.0, upper = 70.0 }

[invariants]
mode = "warn"

[sweep]
strategy = "ma_crossover"
grid = { fast = [3, 5], slow = [20, 30] }

[logging]
level = "INFO"
format = "json"
"""


def prepare_config(root: Path) -> Any:
    (root / "fuzz.toml").write_text(_CONFIG, encoding="utf-8")
    frame(1, rows=50).write_parquet(root / "foreign.parquet")
    return root


def run_load_config(i: int, rng: random.Random, state: Any, work: Path) -> Outcome:
    import peak_trade

    path = copy_into(state / "fuzz.toml", work)
    kind = rng.choice(KINDS)
    hurt(path, kind, rng, state / "foreign.parquet")
    return "config", kind, classify(lambda: (peak_trade.load_config(path), "config")[1])


def judge_load_config(target: str, kind: str, outcome: str) -> str | None:
    if outcome in ("error:ConfigError", "config"):
        return None
    return "load_config must give ConfigError or a config"
