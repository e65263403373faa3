"""The engine's numba kernels, one module per job; numpy arrays, scalars and records in.

- ``records``: the named tuples the kernels take, and the fill/trade dtypes;
- ``scan``: the signal scan;
- ``fills``: sizing, filling and the trade book;
- ``stops``: stop-loss, take-profit and trailing-stop levels;
- ``simulate``: one backtest, bar by bar (``simulate_nb``), and ``quiet`` its
  vectorised stretches between orders;
- ``checks``: the invariants' table and records; ``fill_checks`` the fills';
  ``end`` the end-of-run pass; ``user`` the user's per-bar checks;
- ``stats``: the stats row; ``derive``: the per-bar columns a result derives;
- ``grid``: many signals in parallel;
- ``entries``: entries and exits to a target exposure.

Kernels that allocate nothing are compiled with ``jit.njit_borrowed``, without
numba's reference counting (see there).

The Python wrappers are in ``backtest/``; ``backtest/_inputs.build_inputs`` builds
the records for ``run_backtest``, ``run_grid`` and the sweep.
"""
