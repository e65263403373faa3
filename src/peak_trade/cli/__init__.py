"""The ``peak-trade`` command line."""

from peak_trade.cli.main import console_main, main

__all__ = ["console_main", "main"]
