"""Importing peak_trade and running a backtest leave process-wide logging state alone."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import logging
before = logging.getLogRecordFactory()
import peak_trade
from peak_trade.data.providers.synthetic import synthetic_ohlcv
peak_trade.run_backtest(synthetic_ohlcv(300), "ma_crossover", {"fast": 5, "slow": 20})
assert logging.getLogRecordFactory() is before, "the log-record factory was replaced"
keep = []
class Keep(logging.Handler):
    def emit(self, record):
        keep.append(record)
logging.getLogger("peak_trade").addHandler(Keep())
logging.getLogger("peak_trade").setLevel(logging.INFO)
with peak_trade.run_context(run_id="r-1", trace_id="t-1"):
    logging.getLogger("peak_trade.data.cache").info("cache.read")
logging.getLogger("someone_else").warning("theirs")
print(keep[0].run_id, keep[0].trace_id, len(keep))
"""


def test_import_and_a_backtest_keep_the_record_factory_and_still_stamp_ids():
    """A fresh interpreter: the factory is unchanged, peak_trade records still carry the ids."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["r-1", "t-1", "1"]
