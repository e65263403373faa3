"""Hypothesis strategies of valid parameters for each built-in strategy."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


@st.composite
def _ma(draw: st.DrawFn) -> dict[str, Any]:
    fast = draw(st.integers(1, 60))
    return {"fast": fast, "slow": draw(st.integers(fast + 1, 120))}


@st.composite
def _momentum(draw: st.DrawFn) -> dict[str, Any]:
    entry = draw(st.floats(-0.05, 0.1))
    gap = draw(st.floats(1e-4, 0.1))
    return {"lookback": draw(st.integers(1, 60)), "entry": entry, "exit": entry - gap}


@st.composite
def _mean_reversion(draw: st.DrawFn) -> dict[str, Any]:
    entry = draw(st.floats(-3.0, 1.0))
    gap = draw(st.floats(0.01, 3.0))
    return {"lookback": draw(st.integers(2, 60)), "entry_z": entry, "exit_z": entry + gap}


@st.composite
def _rsi(draw: st.DrawFn) -> dict[str, Any]:
    lower = draw(st.floats(1.0, 60.0))
    upper = draw(st.floats(lower + 0.5, 99.0))
    return {"window": draw(st.integers(1, 40)), "lower": lower, "upper": upper}


@st.composite
def _bollinger(draw: st.DrawFn) -> dict[str, Any]:
    return {"period": draw(st.integers(2, 60)), "num_std": draw(st.floats(0.0, 3.0))}


@st.composite
def _macd(draw: st.DrawFn) -> dict[str, Any]:
    fast = draw(st.integers(1, 30))
    slow = draw(st.integers(fast + 1, 60))
    return {"fast": fast, "slow": slow, "signal": draw(st.integers(1, 20))}


@st.composite
def _donchian(draw: st.DrawFn) -> dict[str, Any]:
    return {"lookback": draw(st.integers(1, 60))}


VALID_PARAMS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "ma_crossover": _ma(),
    "momentum": _momentum(),
    "mean_reversion": _mean_reversion(),
    "rsi_reversion": _rsi(),
    "bollinger_bands": _bollinger(),
    "macd": _macd(),
    "breakout_donchian": _donchian(),
}
