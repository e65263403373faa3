"""Plain-Python references of the built-in strategies: explicit loops, textbook formulas.

Independent of the polars expressions: sums and extremes are taken window by
window, Wilder's RSI uses the textbook recursion, EMAs use ``a*x + (1-a)*prev``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import polars as pl

Params = Mapping[str, float]

MARGIN = 1e-9  # docs/strategies.md: the relative margin of every strict comparison


def hold(enter: Sequence[bool], leave: Sequence[bool]) -> list[float]:
    """1 from an entry bar until an exit bar; entry wins a tie (never happens)."""
    state = 0.0
    out = []
    for e, x in zip(enter, leave, strict=True):
        if e:
            state = 1.0
        elif x:
            state = 0.0
        out.append(state)
    return out


def _window(values: Sequence[float], i: int, n: int) -> Sequence[float]:
    """values[i-n+1 .. i], the current bar included."""
    return values[i - n + 1 : i + 1]


def _mean_std(values: Sequence[float], i: int, n: int) -> tuple[float, float]:
    win = _window(values, i, n)
    mean = sum(win) / n
    return mean, math.sqrt(sum((v - mean) ** 2 for v in win) / n)


def below(x: float, mean: float, std: float, z: float) -> bool:
    """x < mean + z*std by more than the touch margin MARGIN * (|mean| + |z|*std)."""
    return x < mean + z * std - MARGIN * (abs(mean) + abs(z) * std)


def above(x: float, mean: float, std: float, z: float) -> bool:
    """x > mean + z*std by more than the touch margin MARGIN * (|mean| + |z|*std)."""
    return x > mean + z * std + MARGIN * (abs(mean) + abs(z) * std)


def ma_crossover(df: pl.DataFrame, p: Params) -> list[float]:
    close = df["close"].to_list()
    fast, slow = int(p["fast"]), int(p["slow"])
    out = []
    for i in range(len(close)):
        if i < slow - 1:
            out.append(0.0)
            continue
        f = sum(_window(close, i, fast)) / fast
        s = sum(_window(close, i, slow)) / slow
        out.append(1.0 if f > s + MARGIN * abs(s) else 0.0)
    return out


def momentum(df: pl.DataFrame, p: Params) -> list[float]:
    close = df["close"].to_list()
    n = int(p["lookback"])
    ret = [close[i] / close[i - n] - 1.0 if i >= n else None for i in range(len(close))]
    enter = [r is not None and r > p["entry"] for r in ret]
    leave = [r is not None and r < p["exit"] for r in ret]
    return hold(enter, leave)


def mean_reversion(df: pl.DataFrame, p: Params) -> list[float]:
    close = df["close"].to_list()
    n = int(p["lookback"])
    enter, leave = [], []
    for i in range(len(close)):
        if i < n - 1:
            enter.append(False)
            leave.append(False)
            continue
        mean, std = _mean_std(close, i, n)
        enter.append(below(close[i], mean, std, p["entry_z"]))
        leave.append(above(close[i], mean, std, p["exit_z"]))
    return hold(enter, leave)


def rsi(close: Sequence[float], window: int) -> list[float | None]:
    """Wilder's RSI: SMA seed of the first ``window`` changes, then the recursion."""
    out: list[float | None] = [None] * len(close)
    if len(close) <= window:
        return out
    gains = [max(close[i] - close[i - 1], 0.0) for i in range(1, len(close))]
    losses = [max(close[i - 1] - close[i], 0.0) for i in range(1, len(close))]
    avg_gain = sum(gains[:window]) / window
    avg_loss = sum(losses[:window]) / window
    for i in range(window, len(close)):
        if i > window:
            avg_gain = (avg_gain * (window - 1) + gains[i - 1]) / window
            avg_loss = (avg_loss * (window - 1) + losses[i - 1]) / window
        if avg_loss == 0.0:
            out[i] = 50.0 if avg_gain == 0.0 else 100.0
        else:
            out[i] = 100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
    return out


def rsi_reversion(df: pl.DataFrame, p: Params) -> list[float]:
    values = rsi(df["close"].to_list(), int(p["window"]))
    enter = [v is not None and v < p["lower"] for v in values]
    leave = [v is not None and v > p["upper"] for v in values]
    return hold(enter, leave)


def bollinger_bands(df: pl.DataFrame, p: Params) -> list[float]:
    close = df["close"].to_list()
    n = int(p["period"])
    enter, leave = [], []
    for i in range(len(close)):
        if i < n - 1:
            enter.append(False)
            leave.append(False)
            continue
        mean, std = _mean_std(close, i, n)
        enter.append(below(close[i], mean, std, -p["num_std"]))
        leave.append(above(close[i], mean, std, p["num_std"]))
    return hold(enter, leave)


def _ema(values: Sequence[float], span: float) -> list[float]:
    alpha = 2.0 / (span + 1.0)
    out = [values[0]] if values else []
    for v in values[1:]:
        out.append(alpha * v + (1.0 - alpha) * out[-1])
    return out


def macd(df: pl.DataFrame, p: Params) -> list[float]:
    close = df["close"].to_list()
    fast, slow = _ema(close, p["fast"]), _ema(close, p["slow"])
    line = [f - s for f, s in zip(fast, slow, strict=True)]
    sig = _ema(line, p["signal"])
    warm = int(p["slow"]) + int(p["signal"]) - 2
    long = [line[i] > sig[i] + MARGIN * abs(slow[i]) for i in range(len(close))]
    return [1.0 if i >= warm and long[i] else 0.0 for i in range(len(close))]


def breakout_donchian(df: pl.DataFrame, p: Params) -> list[float]:
    """Channel over high/low of bars i-n .. i-1: the current bar is excluded."""
    high, low, close = df["high"].to_list(), df["low"].to_list(), df["close"].to_list()
    n = int(p["lookback"])
    enter = [i >= n and close[i] > max(high[i - n : i]) for i in range(len(close))]
    leave = [i >= n and close[i] < min(low[i - n : i]) for i in range(len(close))]
    return hold(enter, leave)


REFERENCES: dict[str, Callable[[pl.DataFrame, Params], list[float]]] = {
    "ma_crossover": ma_crossover,
    "momentum": momentum,
    "mean_reversion": mean_reversion,
    "rsi_reversion": rsi_reversion,
    "bollinger_bands": bollinger_bands,
    "macd": macd,
    "breakout_donchian": breakout_donchian,
}
