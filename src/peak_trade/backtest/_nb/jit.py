"""``njit_borrowed``: the engine's kernels that only borrow their caller's arrays.

numba counts references to every array it reads out of a record or slices, with an
atomic add and subtract each time. In the per-bar loops that cost more than the
simulation itself: about 0.3 us per order, 87% of a run's time in ``perf``. A kernel
that allocates nothing and keeps no array past its return needs no counting: its
caller owns every array it touches. ``njit_borrowed`` compiles such a kernel with
numba's runtime off (``_nrt=False``); numba then refuses to compile one that
allocates, so the promise is checked. ``grid_nb`` and ``new_book_nb``, which
allocate, use plain ``njit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from numba import njit

__all__ = ["njit_borrowed"]

F = TypeVar("F", bound=Callable[..., Any])


def njit_borrowed(fn: F) -> F:
    """``njit(cache=True, nogil=True)`` without reference counting (see the module)."""
    jitted: F = njit(cache=True, nogil=True, _nrt=False)(fn)  # type: ignore[call-overload]  # numba's stubs omit the _nrt option
    return jitted
