"""The result frames built from the kernels' rows."""

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest._nb.records import TRADE_DTYPE
from peak_trade.backtest.result import trades_frame


@pytest.mark.parametrize("n", [0, 3, 5_000], ids=["none", "few", "many"])
def test_trade_sides_read_long_and_short_at_every_size(n: int) -> None:
    """Small and large trade tables take different paths to the `side` column."""
    rows = np.ones(n, dtype=TRADE_DTYPE)
    rows["side"] = np.where(np.arange(n) % 3 == 0, -1, 1)
    rows["entry_bar"] = 0
    rows["exit_bar"] = 1
    ts = pl.Series("timestamp", [0, 60], dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    side = trades_frame(ts, rows)["side"]
    assert side.dtype == pl.String
    assert side.to_list() == ["short" if i % 3 == 0 else "long" for i in range(n)]
