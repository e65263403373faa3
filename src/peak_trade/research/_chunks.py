"""Sweep planning: chunk tasks, their stable keys and file names, frame payloads.

A sweep is cut into tasks of one symbol and a run of consecutive combinations.
The cut depends only on the grid and ``chunk_size`` (never on the executor or
the worker count), so a chunk's key ``(symbol, index)`` and its hash name the
same work in every run, which is what makes resuming safe.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import xxhash

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.invariants import InvariantConfig, InvariantMode, InvariantTiming
from peak_trade.backtest.strategies.base import Strategy
from peak_trade.core.repro import stable_hash

__all__ = [
    "FORMAT_VERSION",
    "CheckFields",
    "ChunkTask",
    "chunk_name",
    "decode_frame",
    "encode_frame",
    "fingerprint",
    "plan_chunks",
    "symbol_hash",
]

#: Bumped when the meaning or layout of a stored chunk changes.
FORMAT_VERSION = 2  # 2: rows end their stats with `periods_per_year`
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
_SLUG_CHARS = 40


@dataclass(frozen=True, slots=True)
class CheckFields:
    """A sweep's invariant settings as plain fields.

    ``InvariantConfig`` holds read-only mappings (the user checks, which a grid
    refuses anyway) that neither pickle nor hash; these five fields travel to
    worker processes and Ray tasks inside a :class:`ChunkTask` and are part of
    the chunk's config hash.

    Example:
        >>> CheckFields.of(InvariantConfig(mode="warn")).config().mode
        'warn'
    """

    mode: InvariantMode = "strict"
    timing: InvariantTiming = "every_bar"
    abs_tol: float = 1e-6
    rel_tol: float = 1e-9
    max_leverage: float | None = None

    def __post_init__(self) -> None:
        self.config()  # InvariantConfig validates every field (ConfigError)

    @classmethod
    def of(cls, config: InvariantConfig, /) -> CheckFields:
        """The plain fields of ``config`` (which must have no user checks)."""
        return cls(config.mode, config.timing, config.abs_tol, config.rel_tol, config.max_leverage)

    def config(self, *, mode: InvariantMode | None = None) -> InvariantConfig:
        """The ``InvariantConfig`` for ``run_combos``, optionally in another mode."""
        return InvariantConfig(
            mode=self.mode if mode is None else mode,
            timing=self.timing,
            abs_tol=self.abs_tol,
            rel_tol=self.rel_tol,
            max_leverage=self.max_leverage,
        )

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, for the config hash."""
        return {
            "mode": self.mode,
            "timing": self.timing,
            "abs_tol": self.abs_tol,
            "rel_tol": self.rel_tol,
            "max_leverage": self.max_leverage,
        }


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One unit of work: a run of combinations of one symbol's grid.

    Args:
        symbol: The symbol.
        symbol_index: Its position in the sweep's symbol order.
        index: The chunk's position within the symbol (0-based).
        start: Index of the chunk's first combination in the grid expansion.
        combos: The full parameter dicts, in grid order.
        strategy: The strategy class.
        config: The backtest configuration.
        columns: Order of the parameter columns.
        key: The chunk's config hash (sweep inputs and the symbol's data).
        checks: The invariant settings every combination is run with.
        window: The evaluation window, as for ``run_combos`` (None: every bar).
    """

    symbol: str
    symbol_index: int
    index: int
    start: int
    combos: tuple[Mapping[str, int | float], ...]
    strategy: type[Strategy]
    config: BacktestConfig
    columns: tuple[str, ...]
    key: str
    checks: CheckFields = CheckFields()
    window: Any = None

    @property
    def order(self) -> tuple[int, int]:
        """The sort key of the chunk's rows in the result."""
        return (self.symbol_index, self.index)


def plan_chunks(
    symbols: Sequence[str],
    combos: Sequence[Mapping[str, int | float]],
    /,
    *,
    chunk_size: int,
    strategy: type[Strategy],
    config: BacktestConfig,
    columns: Sequence[str],
    keys: Mapping[str, str],
    checks: CheckFields = CheckFields(),
) -> list[ChunkTask]:
    """All tasks of a sweep, in result order (symbol, then combination).

    Example:
        >>> plan_chunks(["A"], [{"fast": 1, "slow": 2}] * 3, chunk_size=2,
        ...             strategy=S, config=cfg, columns=["fast", "slow"],
        ...             keys={"A": "ab"})  # doctest: +SKIP
    """
    frozen = tuple(combos)
    # One tuple per chunk index, shared by every symbol: 10^3 symbols x 10^5
    # combinations hold 10^5 references, not 10^8.
    slices = [(lo, frozen[lo : lo + chunk_size]) for lo in range(0, len(frozen), chunk_size)]
    tasks: list[ChunkTask] = []
    for s, symbol in enumerate(symbols):
        for c, (lo, part) in enumerate(slices):
            tasks.append(
                ChunkTask(
                    symbol=symbol,
                    symbol_index=s,
                    index=c,
                    start=lo,
                    combos=part,
                    strategy=strategy,
                    config=config,
                    columns=tuple(columns),
                    key=keys[symbol],
                    checks=checks,
                )
            )
    return tasks


def symbol_hash(sweep_inputs: Mapping[str, Any], symbol: str, data_fingerprint: str) -> str:
    """The config hash of one symbol's chunks: sweep inputs, symbol and data.

    Example:
        >>> len(symbol_hash({"grid": {"fast": [1]}}, "BTC", "00ff"))
        16
    """
    payload = {
        "version": FORMAT_VERSION,
        "sweep": dict(sweep_inputs),
        "symbol": symbol,
        "data": data_fingerprint,
    }
    return stable_hash(payload, root="sweep")


def chunk_name(symbol: str, index: int, key: str) -> str:
    """The file name of a chunk: ``part-<symbol>-<index>-<hash>.parquet``.

    Characters outside ``[A-Za-z0-9._-]`` in the symbol become ``_``; the hash
    includes the exact symbol, so two symbols with one slug never share a name.

    Example:
        >>> chunk_name("BTC/USDT", 3, "0123456789abcdef")
        'part-BTC_USDT-00003-0123456789abcdef.parquet'
    """
    slug = _SLUG.sub("_", symbol)[:_SLUG_CHARS] or "_"
    return f"part-{slug}-{index:05d}-{key}.parquet"


def encode_frame(df: pl.DataFrame, /) -> npt.NDArray[np.uint8]:
    """The frame as Arrow IPC file bytes in a read-only uint8 array (zero-copy shareable).

    Example:
        >>> decode_frame(encode_frame(pl.DataFrame({"x": [1.5]})))["x"].to_list()
        [1.5]
    """
    table = df.to_arrow().replace_schema_metadata(None)
    sink = io.BytesIO()
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    out = np.frombuffer(sink.getbuffer(), dtype=np.uint8)
    out.flags.writeable = False
    return out


def decode_frame(buffer: Any, /) -> pl.DataFrame:
    """A frame over Arrow IPC bytes (array, bytes or memoryview) without copying columns."""
    table = ipc.open_file(pa.py_buffer(buffer)).read_all()
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)  # a Table always gives a DataFrame
    return frame


def fingerprint(payload: npt.NDArray[np.uint8], /) -> str:
    """xxh3-128 of a frame's IPC bytes: the data part of a chunk's hash."""
    return xxhash.xxh3_128_hexdigest(payload.data)
