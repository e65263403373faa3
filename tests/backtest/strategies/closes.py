"""Hypothesis closes with gaps: nulls, NaN, inf and constant stretches."""

from __future__ import annotations

from hypothesis import strategies as st

_VALUE = st.one_of(
    st.floats(1.0, 2.0),
    st.floats(1e3, 1e5),
    st.just(float("nan")),
    st.just(float("inf")),
    st.none(),
)


@st.composite
def closes(draw: st.DrawFn, *, max_runs: int = 30) -> list[float | None]:
    """Runs of one value repeated 1-6 times (a repeated value is a constant stretch)."""
    runs = draw(st.lists(st.tuples(_VALUE, st.integers(1, 6)), max_size=max_runs))
    return [value for value, times in runs for _ in range(times)]
