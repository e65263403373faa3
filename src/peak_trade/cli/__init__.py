"""The ``peak-trade`` command line."""

from peak_trade.cli.main import main

__all__ = ["main"]
