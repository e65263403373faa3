"""One seed for every RNG a run touches: Python, numpy, numba and (if loaded) torch."""

from __future__ import annotations

import random
import sys
from typing import Any

import numpy as np

from peak_trade.core._frames import short_repr
from peak_trade.core.errors import ConfigError

__all__ = ["check_seed", "set_global_seed"]

_SEED_LIMIT = 2**32


def check_seed(seed: Any, where: str) -> None:
    """Raise ``ConfigError`` unless ``seed`` is an int from 0 to 2**32 - 1 (not a bool)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < _SEED_LIMIT:
        msg = f"`{where}` must be an int from 0 to 2**32 - 1; got {short_repr(seed)}"
        raise ConfigError(
            msg,
            hint="numpy's and numba's Mersenne Twisters take 32-bit seeds; use e.g. seed=42",
            context={"seed": short_repr(seed)},
        )


def set_global_seed(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, numpy's legacy global RNG, numba's RNG and torch.

    numba's jitted code draws from its own per-thread state, which ``np.random.seed``
    from Python does not touch; it is seeded from inside a jitted function, for
    the calling thread. torch is seeded only if it is already imported.
    ``PYTHONHASHSEED`` is not covered: it only takes effect at interpreter start
    (see docs/repro.md).

    Args:
        seed: An int from 0 to 2**32 - 1.

    Returns:
        A fresh ``numpy.random.Generator`` seeded with ``seed``, for new code.

    Example:
        >>> rng = set_global_seed(42)
        >>> float(rng.random()) == float(np.random.default_rng(42).random())
        True
    """
    check_seed(seed, "seed")
    random.seed(seed)
    np.random.seed(seed)
    # numba loads on first use, so `import peak_trade` stays light.
    from peak_trade.core._seed_kernels import seed_numba_nb

    seed_numba_nb(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)
