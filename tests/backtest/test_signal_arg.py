"""run_backtest's strategy and signal arguments: `signal=`, and the deprecated positional form."""

import numpy as np
import polars as pl
import pytest

from peak_trade.backtest.config import BacktestConfig
from peak_trade.backtest.engine import run_backtest
from peak_trade.core.errors import ConfigError
from tests.backtest.test_engine import FREE, ohlcv

CFG = BacktestConfig(execution="close", **FREE)
TARGETS = [0.0, 1.0, 1.0, 0.0]


def frame(**extra: list[float]) -> pl.DataFrame:
    return ohlcv([100, 101, 102, 101], [101, 102, 101, 103], **extra)


@pytest.mark.smoke
@pytest.mark.parametrize(
    "signal",
    [np.array(TARGETS), pl.Series("s", TARGETS), "target"],
    ids=["array", "series", "column"],
)
def test_signal_keyword_takes_an_array_a_series_or_a_column(signal):
    df = frame(target=TARGETS)
    r = run_backtest(df, signal=signal, config=CFG)
    # By hand, fills at the signal bar's close and no costs: all-in at bar 1's close
    # (102), out at bar 3's close (103).
    assert r.equity["equity"].to_list()[-1] == pytest.approx(10_000.0 / 102.0 * 103.0, rel=1e-12)
    assert r.params is None


@pytest.mark.parametrize(
    "old",
    [np.array(TARGETS), pl.Series("s", TARGETS), "target"],
    ids=["array", "series", "column"],
)
def test_the_old_positional_signal_still_works_with_a_deprecation_warning(old):
    df = frame(target=TARGETS)
    with pytest.warns(DeprecationWarning, match=r"use run_backtest\(df, signal=\.\.\.\)") as got:
        r = run_backtest(df, old, config=CFG)
    assert got[0].filename == __file__  # the warning names the caller's line
    new = run_backtest(df, signal=old, config=CFG)
    assert r.equity.equals(new.equity)
    assert r.stats == new.stats


def test_a_name_that_is_both_a_column_and_a_strategy_raises_naming_the_keyword():
    df = frame(macd=TARGETS)
    with pytest.raises(ConfigError, match="both a column of the data and a registered") as info:
        run_backtest(df, "macd")
    assert "signal='macd'" in (info.value.hint or "")


def test_a_registered_name_runs_the_strategy_even_with_signal_columns_present():
    df = ohlcv(np.linspace(100, 130, 60), np.linspace(101, 125, 60), target=[0.5] * 60)
    r = run_backtest(df, "ma_crossover", {"fast": 3, "slow": 8})
    assert r.params == {"fast": 3, "slow": 8}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "needs a strategy or a signal; got neither"),
        ({"strategy": "ma_crossover", "signal": TARGETS}, "both a strategy and `signal=`"),
        ({"signal": "nope"}, r"`signal='nope'` names no column"),
        ({"signal": "targte"}, r"(?s)names no column.*did you mean 'target'"),
        (
            {"signal": [0.0, 1.0, 1.0, 0.0]},
            "must be a series \\(polars, pandas, pyarrow\\), a numpy array or a column",
        ),
        ({"signal": np.ones(4), "params": {"fast": 3}}, "only applies to a strategy"),
        ({"signal": np.ones(3)}, "signal has 3 values but the data has 4 bars"),
    ],
)
def test_bad_strategy_and_signal_combinations_raise_config_error(kwargs, match):
    kwargs = dict(kwargs)
    strategy, params = kwargs.pop("strategy", None), kwargs.pop("params", None)
    with pytest.raises(ConfigError, match=match):
        run_backtest(frame(target=TARGETS), strategy, params, **kwargs)
