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


def test_version_is_the_installed_distribution_version():
    """The constant in _version.py is what hatchling put into the installed metadata."""
    from importlib.metadata import version

    assert peak_trade.__version__ == version("peak-trade")
