import subprocess
import sys

import pytest

import peak_trade
import peak_trade.backtest
import peak_trade.core
import peak_trade.data


@pytest.mark.smoke
@pytest.mark.parametrize(
    "module", [peak_trade, peak_trade.core, peak_trade.data, peak_trade.backtest]
)
def test_every_public_name_resolves_and_all_is_sorted(module):
    assert module.__all__ == sorted(module.__all__)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = peak_trade.nope


def test_lazy_names_are_the_defining_objects():
    from peak_trade.backtest.engine import run_backtest
    from peak_trade.cli._run_config import load_config

    assert peak_trade.run_backtest is run_backtest
    assert peak_trade.load_config is load_config


def test_import_is_light():
    """`import peak_trade` loads neither numba nor pydantic until they are needed."""
    code = "import sys, peak_trade; print('numba' in sys.modules, 'pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_import_loads_no_data_library():
    """`import peak_trade` loads neither polars nor pyarrow: the data names are lazy too."""
    code = "import sys, peak_trade; print('polars' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


_FIRST_BACKTEST = """
import sys, peak_trade
df = peak_trade.synthetic_ohlcv(300)
peak_trade.run_backtest(df, "ma_crossover", {"fast": 5, "slow": 20})
unused = ["pyarrow", "pandas", "pydantic", "ray", "plotly",
          "peak_trade.data.cache", "peak_trade.data.retry", "peak_trade.data.reader._read",
          "peak_trade.data.providers.file", "peak_trade.data.providers.ccxt",
          "peak_trade.research", "peak_trade.core.config_schema"]
print(*[name for name in unused if name in sys.modules])
"""


def test_first_backtest_loads_only_what_it_uses():
    """Cold start (issue 17): import + a first backtest load no file, cache or config code."""
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_BACKTEST], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == []


def test_version_is_the_installed_distribution_version():
    """The constant in _version.py is what hatchling put into the installed metadata."""
    from importlib.metadata import version

    assert peak_trade.__version__ == version("peak-trade")
